/** The pack form's checks on the phone, and how server refusals are worded. */
import { CloudError } from '../../services/cloud';
import { parseYuanToFen } from '../../services/money';
import { addPackErrorText, EMPTY_FORM, packFrom } from './pack-form';

const form = (over: Partial<typeof EMPTY_FORM>) => ({ ...EMPTY_FORM, callsText: '1000', daysText: '365', ...over });

test('a filled form becomes addPack params for the kind on screen; blanks stay out', () => {
  expect(packFrom(form({}), 'realtime')).toEqual({ pack: { calls: 1000, validityDays: 365, kind: 'realtime', source: 'self' } });
  expect(packFrom(form({ priceText: ' 30.5 ', startText: '2026-06-01', note: ' 双十一 ', source: 'provider' }), 'quick')).toEqual({
    pack: { calls: 1000, validityDays: 365, kind: 'quick', source: 'provider', priceYuan: 30.5, startsAt: '2026-06-01', note: '双十一' },
  });
});

test('a price is sent as the number the merchant typed, never a float sum', () => {
  const result = packFrom(form({ priceText: '0.29' }), 'quick');
  expect('pack' in result && result.pack.priceYuan).toBe(0.29);
  expect(parseYuanToFen('0.29')).toBe(29);
  expect(parseYuanToFen('12')).toBe(1200);
  expect(parseYuanToFen('12.5')).toBe(1250);
  expect(parseYuanToFen('1.234')).toBeNull();
  expect(parseYuanToFen('-1')).toBeNull();
  expect(parseYuanToFen('1e3')).toBeNull();
});

test.each([
  [{ callsText: '' }, '购买次数'],
  [{ callsText: '0' }, '购买次数'],
  [{ callsText: '2.5' }, '购买次数'],
  [{ callsText: '-5' }, '购买次数'],
  [{ callsText: '1234567890' }, '购买次数'],
  [{ callsText: '100000001' }, '购买次数'],
  [{ daysText: '3651' }, '有效天数'],
  [{ priceText: '0' }, '价格'],
  [{ priceText: '0.00' }, '价格'],
  [{ daysText: '' }, '有效天数'],
  [{ daysText: '0' }, '有效天数'],
  [{ priceText: '1.234' }, '价格'],
  [{ priceText: 'abc' }, '价格'],
  [{ startText: '2026-02-30' }, '开始日期'],
  [{ startText: '明天' }, '开始日期'],
  [{ note: 'x'.repeat(201) }, '备注'],
])('%j is refused with a message naming %s', (over, label) => {
  const result = packFrom(form(over), 'quick');
  expect('error' in result && result.error).toContain(label);
});

test("server refusals name the field in the merchant's words", () => {
  expect(addPackErrorText(new CloudError('INVALID_ARGUMENT', 'is unreasonably large', 'calls'))).toContain('购买次数');
  expect(addPackErrorText(new CloudError('INVALID_ARGUMENT', 'is not a real date between 2023 and 2100', 'startsAt'))).toContain(
    '开始日期',
  );
  expect(addPackErrorText(new CloudError('INVALID_ARGUMENT', 'something else'))).toContain('未保存');
  expect(addPackErrorText(new CloudError('FORBIDDEN', 'no'))).toContain('无权限');
  // A lost answer may have been saved: say so rather than invite a duplicate.
  expect(addPackErrorText(new CloudError('NETWORK', 'timeout'))).toContain('不确定是否已保存');
  expect(addPackErrorText(new CloudError('UPSTREAM_UNAVAILABLE', 'WeChat is busy'))).toContain('保存失败');
});

test("the server's English never reaches the merchant (field names stay codes, mapped to labels)", () => {
  const english = [
    new CloudError('INVALID_ARGUMENT', 'is unreasonably large', 'calls'),
    new CloudError('INVALID_ARGUMENT', 'is not a real date between 2023 and 2100', 'startsAt'),
    new CloudError('INVALID_ARGUMENT', 'something else'),
    new CloudError('CONFLICT', 'The pack was changed meanwhile'),
    new CloudError('INTERNAL', 'Something went wrong on our side'),
  ];
  for (const err of english) expect(addPackErrorText(err)).not.toMatch(/[A-Za-z]{3,}/);
});
