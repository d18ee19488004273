import { emulatorVariable } from './variables';

test('the new name is read; the old one still is, with one warning naming both', () => {
  const warnings: string[] = [];
  const warn = (line: string) => warnings.push(line);
  expect(emulatorVariable('CLOUDBASE_EMULATOR_PORT', { CLOUDBASE_EMULATOR_PORT: '9200', QUICKPHONE_PORT: '9300' }, warn)).toBe('9200');
  expect(warnings).toEqual([]);
  expect(emulatorVariable('CLOUDBASE_EMULATOR_PORT', { QUICKPHONE_PORT: '9300' }, warn)).toBe('9300');
  expect(emulatorVariable('CLOUDBASE_EMULATOR_PORT', { QUICKPHONE_PORT: '9301' }, warn)).toBe('9301');
  expect(warnings).toEqual([
    'QUICKPHONE_PORT is read as CLOUDBASE_EMULATOR_PORT, its new name: rename it (the old name will stop working).',
  ]);
  expect(emulatorVariable('CLOUDBASE_EMULATOR_DATA_DIR', { CLOUDBASE_EMULATOR_DATA_DIR: '' }, warn)).toBeUndefined();
});

test("WeChat's service-provider variables took the package's name too; a shell still setting the old one keeps working", () => {
  const warnings: string[] = [];
  const warn = (line: string) => warnings.push(line);
  expect(emulatorVariable('CLOUDBASE_EMULATOR_SP_PUSH_FORMAT', { QUICKPHONE_SP_PUSH_FORMAT: 'xml' }, warn)).toBe('xml');
  expect(emulatorVariable('CLOUDBASE_EMULATOR_SP_UNRELATED_APPIDS', { QUICKPHONE_SP_UNRELATED_APPIDS: 'wx00000000000000ee' }, warn)).toBe(
    'wx00000000000000ee',
  );
  expect(warnings).toEqual([
    'QUICKPHONE_SP_PUSH_FORMAT is read as CLOUDBASE_EMULATOR_SP_PUSH_FORMAT, its new name: rename it (the old name will stop working).',
    'QUICKPHONE_SP_UNRELATED_APPIDS is read as CLOUDBASE_EMULATOR_SP_UNRELATED_APPIDS, its new name: rename it (the old name will stop working).',
  ]);
});
