import { maskPhone, scrubDigits } from './phone';

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

describe('scrubDigits finds a number however it is written', () => {
  test.each([
    ['13800138000', '138****8000'],
    ['138.0013.8000', '138****8000'],
    ['138_0013_8000', '138****8000'],
    ['(138)0013/8000', '(138****8000'],
    ['138 0013 8000', '138****8000'],
    ['138-0013-8000', '138****8000'],
    ['１３８００１３８０００', '138****8000'],
    ['１３８－００１３－８０００', '138****8000'],
    ['（１３８）００１３／８０００', '(138****8000'],
    ['138\u30000013\u30008000', '138****8000'],
    ['138—0013–8000', '138****8000'],
    ['١٣٨٠٠١٣٨٠٠٠', '138****8000'],
    ['+86 138 0013 8000', '+86*******8000'],
  ])('%s', (written, masked) => {
    const out = scrubDigits(`call me at ${written} please`);
    expect(out).toBe(`call me at ${masked} please`);
    expect(out.replace(/\D/g, '')).not.toContain('0013');
  });

  test('short digit runs and ordinary text stay as they are', () => {
    expect(scrubDigits('errno 104, retry in 30 s (3/5)')).toBe('errno 104, retry in 30 s (3/5)');
  });
});
