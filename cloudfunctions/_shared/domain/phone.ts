/**
 * Phone numbers outside `users` appear only masked, enough to recognise one's own
 * number. Numbers of 11 digits or more keep the first 3 and last 4 (the convention
 * WeChat's own sheet uses for mainland numbers, 138****8000); shorter ones keep at
 * most the last 4 and never more than half.
 *
 * Free text is normalised before it is searched: full-width and other scripts'
 * digits become ASCII digits, and full-width or typographic separators become
 * ASCII ones, so `１３８００１３８０００`, `138.0013.8000`, `138_0013_8000` and
 * `(138)0013/8000` are all found and masked.
 */

/** Separators people put between the digits of a number (after normalising). */
const SEPARATOR = String.raw`[\s._()/\-]`;
const RUN = new RegExp(String.raw`\+?\d(?:${SEPARATOR}*\d)+`, 'g');
const STRIP = new RegExp(`${SEPARATOR}+`, 'g');

/** The value of a decimal digit of any script (its place in its block of ten). */
function digitValue(c: string): string {
  const ascii = c.normalize('NFKC');
  if (/^\d$/.test(ascii)) return ascii;
  let zero = c.codePointAt(0)!;
  let steps = 0;
  while (steps < 64 && /\p{Nd}/u.test(String.fromCodePoint(zero - 1))) {
    zero -= 1;
    steps += 1;
  }
  return String(steps % 10);
}

/**
 * Every decimal digit as an ASCII digit, and full-width or typographic separators,
 * spaces, dashes and plus signs as their ASCII forms. Other text is left as it is.
 */
export function normalizeDigits(text: string): string {
  return text.replace(/[\p{Nd}\p{Zs}\p{Pd}\uFF08\uFF09\uFF0E\uFF0F\uFF3F\uFF0B\u00B7\u30FB\u3002\u2024\u2215\u2044]/gu, (c) => {
    if (/\p{Nd}/u.test(c)) return digitValue(c);
    if (/\p{Zs}/u.test(c)) return ' ';
    if (/\p{Pd}/u.test(c)) return '-';
    if (c === '\u00B7' || c === '\u30FB' || c === '\u3002' || c === '\u2024') return '.';
    if (c === '\u2215' || c === '\u2044') return '/';
    return c.normalize('NFKC');
  });
}

/** "13812348000" → "138****8000"; "91234567" → "****4567". Separators and full-width digits are normalised first. */
export function maskPhone(phone: string): string {
  const digits = normalizeDigits(phone).replace(STRIP, '');
  if (digits.length >= 11) return `${digits.slice(0, 3)}${'*'.repeat(digits.length - 7)}${digits.slice(-4)}`;
  const keep = Math.min(4, Math.floor(digits.length / 2));
  return `${'*'.repeat(digits.length - keep)}${keep > 0 ? digits.slice(-keep) : ''}`;
}

/**
 * Masks any run of 7 or more digits in free text (client error messages, notes),
 * whatever separates them. The text comes back normalised (see normalizeDigits).
 */
export function scrubDigits(text: string): string {
  return normalizeDigits(text).replace(RUN, (run) => (run.replace(/\D/g, '').length >= 7 ? maskPhone(run) : run));
}
