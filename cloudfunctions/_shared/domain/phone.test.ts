import { maskPhone, normalizeDigits, scrubDigits } from './phone';
import { seeded } from '../../../packages/cloudbase-emulator/src/faults';

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

describe('no spelling of a number gets past the masks (issue 24; seeded, so a failure repeats)', () => {
  // The emulator's seeded generator (mulberry32), so every run tries the same spellings.
  const random = seeded;

  const from = (base: number) => (d: number) => String.fromCodePoint(base + d);
  const spellings: Array<(d: number) => string> = [
    String,
    from(0xff10), // full-width
    (d) => '⁰¹²³⁴⁵⁶⁷⁸⁹'[d]!, // superscript
    (d) => (d === 0 ? '⓪' : String.fromCodePoint(0x2460 + d - 1)), // circled
    (d) => '〇一二三四五六七八九'[d]!,
    (d) => '零壹贰叁肆伍陆柒捌玖'[d]!,
    from(0x0660), // Arabic-Indic
    from(0x0966), // Devanagari
    from(0x1d7ce), // mathematical bold
    (d) => `${d}\u20e3`, // keycap: a digit with a combining mark
  ];
  const separators = [
    '',
    '',
    ' ',
    '\u200b',
    '\u2060',
    '\u00ad',
    '\u200c',
    '\u200d',
    '\u200e',
    '\u202a',
    '\ufeff',
    ',',
    ':',
    '+',
    '*',
    '-',
    '.',
    '/',
    '_',
    '(',
    ')',
    '，',
    '：',
    '－',
    '、',
    '·',
    '。',
    '\u00a0',
    '\u3000',
    ' - ',
  ];
  const words = ['call me', '电话', 'getPhoneNumber:fail', '联系', 'tel', '号码是', ''];
  const NUMERAL: Record<string, string> = Object.fromEntries(
    [...'〇一二三四五六七八九'].map((c, d) => [c, String(d)]).concat([...'零壹贰叁肆伍陆柒捌玖'].map((c, d) => [c, String(d)])),
  );
  const pick = <T>(next: () => number, xs: readonly T[]) => xs[Math.floor(next() * xs.length)]!;

  test.each([1, 2, 3, 4, 5])('seed %i: 400 spellings of a mainland number keep only its first 3 and last 4 digits', (seed) => {
    const next = random(seed);
    for (let i = 0; i < 400; i++) {
      const digits = [1, 3 + Math.floor(next() * 7), ...Array.from({ length: 9 }, () => Math.floor(next() * 10))];
      const written = digits.map((d, k) => (k === 0 ? '' : pick(next, separators)) + pick(next, spellings)(d)).join('');
      const text = `${pick(next, words)} ${written} ${pick(next, words)}`;
      for (const masked of [scrubDigits(text), maskPhone(written)]) {
        // Whatever is left, read as digits however written, is the first 3 and the last 4.
        const shown = [...normalizeDigits(masked)].map((c) => (/[0-9]/.test(c) ? c : (NUMERAL[c] ?? ''))).join('');
        if (shown !== `${digits.slice(0, 3).join('')}${digits.slice(-4).join('')}`)
          throw new Error(`seed ${seed}, #${i}: ${JSON.stringify(text)} → ${JSON.stringify(masked)}`);
      }
    }
  });
});
