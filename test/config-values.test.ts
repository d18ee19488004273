/**
 * A JSON value set for the emulator reaches the function as a deploy sends it
 * (base64-encoded, because the CloudBase CLI would mangle it) and config.ts decodes it:
 * admin's pack catalogue override is read and used.
 */
import { encodeEnvValue } from '../cloudfunctions/_shared/runtime/config';
import { startEmulator, type TestEmulator } from './support/emulator';

const CATALOGUE = JSON.stringify([
  { kind: 'quick', calls: 1000, validityDays: 365, priceYuan: '30.00' },
  { kind: 'realtime', calls: 1000, validityDays: 365, priceYuan: '40.00' },
]);

let good: TestEmulator;
let broken: TestEmulator;
beforeAll(async () => {
  [good, broken] = await Promise.all([
    startEmulator({ env: { ADMIN_OPENIDS: 'o_boss', QUOTA_PACK_CATALOGUE: CATALOGUE } }),
    // What a function would see if a value were sent with one character lost on the way.
    startEmulator({ env: { ADMIN_OPENIDS: 'o_boss', QUOTA_PACK_CATALOGUE: CATALOGUE.slice(0, -1) } }),
  ]);
});
afterAll(() => Promise.all([good.stop(), broken.stop()]));

test('the catalogue travels encoded and is read intact', async () => {
  expect(encodeEnvValue(CATALOGUE)).toMatch(/^base64:/);
  expect(await good.call('admin', { $url: 'quota.status', kind: 'quick' }, 'o_boss')).toMatchObject({ ok: true });
  // The same route fails loudly on a catalogue that is not intact: the check above means something.
  expect(await broken.call('admin', { $url: 'quota.status', kind: 'quick' }, 'o_boss')).toMatchObject({ ok: false });
});
