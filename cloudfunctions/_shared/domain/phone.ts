/**
 * Phone numbers outside `users` appear only masked, enough to recognise one's own
 * number. Numbers of 11 digits or more keep the first 3 and last 4 (the convention
 * WeChat's own sheet uses for mainland numbers, 138****8000); shorter ones keep at
 * most the last 4 and never more than half.
 *
 * Free text goes through one normaliser before it is searched (`normalizeDigits`), so a
 * number cannot hide behind its spelling: invisible characters (zero-width spaces and
 * joiners, soft hyphens, word joiners, direction marks — Unicode format characters) are
 * dropped; compatibility forms are folded (NFKC: full-width digits and punctuation,
 * superscript and circled digits); digits of every script become ASCII digits; and
 * Chinese numerals count as digits wherever they stand in a run of digits. Between
 * digits, any run of spaces and punctuation (`.`, `,`, `:`, `+`, `*`, `-`, `/`, `、`, …)
 * is a separator. Every masking path (`maskPhone`, `scrubDigits`: error messages, pack
 * notes) goes through it; `phone.test.ts` checks it against generated spellings.
 */

/** Chinese numerals, as people write digits of a phone number (幺 is "one" read aloud in numbers). */
const CHINESE_DIGITS: Record<string, string> = {
  〇: '0',
  零: '0',
  一: '1',
  幺: '1',
  壹: '1',
  二: '2',
  两: '2',
  贰: '2',
  三: '3',
  叁: '3',
  四: '4',
  肆: '4',
  五: '5',
  伍: '5',
  六: '6',
  陆: '6',
  七: '7',
  柒: '7',
  八: '8',
  捌: '8',
  九: '9',
  玖: '9',
};
const DIGIT = `[0-9${Object.keys(CHINESE_DIGITS).join('')}]`;
/** What may stand between the digits of one number (after normalising): spaces, punctuation, symbols. */
const SEPARATOR = String.raw`[\s\p{P}\p{S}]`;
const RUN = new RegExp(String.raw`\+?${DIGIT}(?:${SEPARATOR}*${DIGIT})+`, 'gu');
const NOT_DIGIT = new RegExp(`[^0-9${Object.keys(CHINESE_DIGITS).join('')}]`, 'gu');

/** The value of a decimal digit of any script (its place in its block of ten). */
function digitValue(c: string): string {
  if (/^[0-9]$/.test(c)) return c;
  let zero = c.codePointAt(0)!;
  let steps = 0;
  while (steps < 64 && /\p{Nd}/u.test(String.fromCodePoint(zero - 1))) {
    zero -= 1;
    steps += 1;
  }
  return String(steps % 10);
}

/**
 * The one normaliser (above): invisible characters dropped, compatibility forms folded,
 * every script's digits as ASCII, marks on a digit dropped, typographic separators as
 * ASCII. Chinese numerals stay as they are (they are words too); `RUN` counts them.
 */
export function normalizeDigits(text: string): string {
  return text
    .replace(/\p{Cf}/gu, '')
    .normalize('NFKC')
    .replace(/\p{Nd}/gu, digitValue)
    .replace(/([0-9])\p{M}+/gu, '$1')
    .replace(/\p{Zs}/gu, ' ')
    .replace(/\p{Pd}/gu, '-')
    .replace(/[\u00B7\u30FB\u3002\u2024]/g, '.')
    .replace(/[\u2215\u2044]/g, '/');
}

/** The digits of a run, Chinese numerals included, as ASCII. */
const digitsOf = (run: string) => run.replace(NOT_DIGIT, '').replace(/./gu, (c) => CHINESE_DIGITS[c] ?? c);

/** "13812348000" → "138****8000"; "91234567" → "****4567". Separators and full-width digits are normalised first. */
export function maskPhone(phone: string): string {
  const normal = normalizeDigits(phone);
  // A leading + stays (a country code's mark), counted like a digit as it always was.
  const digits = `${/^\s*\+/.test(normal) ? '+' : ''}${digitsOf(normal)}`;
  if (digits.length >= 11) return `${digits.slice(0, 3)}${'*'.repeat(digits.length - 7)}${digits.slice(-4)}`;
  const keep = Math.min(4, Math.floor(digits.length / 2));
  return `${'*'.repeat(digits.length - keep)}${keep > 0 ? digits.slice(-keep) : ''}`;
}

/**
 * Masks any run of 7 or more digits in free text (client error messages, notes),
 * however they are written and whatever separates them. The text comes back
 * normalised (see normalizeDigits).
 */
export function scrubDigits(text: string): string {
  return normalizeDigits(text).replace(RUN, (run) => (digitsOf(run).length >= 7 ? maskPhone(run) : run));
}
