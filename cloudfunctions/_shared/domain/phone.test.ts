import { maskPhone } from './phone';

test.each([
  ['13812348000', '138****8000'],
  ['+8613812348000', '+86*******8000'],
  ['91234567', '****4567'],
  ['1234567', '****567'],
  ['138 1234 8000', '138****8000'],
])('maskPhone(%s) = %s', (input, masked) => {
  expect(maskPhone(input)).toBe(masked);
});

test('short numbers never show more than half of their digits', () => {
  for (const phone of ['1', '12', '12345', '123456789', '1234567890']) {
    const shown = [...maskPhone(phone)].filter((c) => /\d/.test(c)).length;
    expect(shown).toBeLessThanOrEqual(Math.floor(phone.length / 2));
    expect(maskPhone(phone)).toHaveLength(phone.length);
  }
});
