/**
 * Phone numbers never reach the console's page: everything the console's server
 * answers (a plug-in's routes too) goes through `maskDeep`. A project's collections and
 * the WeChat sandbox's codes hold raw numbers; the console shows them as WeChat's sheet
 * does, 138****8000. The rule is the console's own, for any project's data.
 *
 * Two rules, both on strings only (numbers such as times stay as they are):
 * - a field whose name mentions a phone (`phoneNumber`, `purePhoneNumber`, `phone`…,
 *   but not `phoneMasked`) is masked whole when it holds digits;
 * - anywhere else, a free-standing run of 11 or more digits (a mainland mobile, or a
 *   number with its country code; optionally `+`-prefixed; not part of a word such as a
 *   hex id, nor the last group of a UUID) is masked. Shorter ids (spuId 10000077, times
 *   in seconds) stay readable.
 *
 * `restoreMasked` undoes the mask on an edited document: where the edit still holds the
 * masked form of the stored value, the stored value is kept, so saving a `users`
 * document from the console does not overwrite a number with its mask.
 */

const PHONE_KEY = /phone|mobile/i;
// \p{Nd}: any script's decimal digits (full-width １３８… too), not just ASCII.
const DIGIT_RUN = /(?<![\p{Nd}A-Za-z_])\+?\p{Nd}{11,20}(?![\p{Nd}A-Za-z_])/gu;
/**
 * A UUID (a request id in every log line) is taken whole before any digit run, so its
 * last group — 12 hex characters, all digits about once in 300 — is never read as a number.
 */
const UUID_OR_RUN = new RegExp(`[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|${DIGIT_RUN.source}`, 'gu');
const UUID = /^[0-9a-fA-F]{8}-/;
const NOT_DIGIT = /\P{Nd}/gu;

/**
 * The digits of a number shown as WeChat shows a phone: 11 or more keep the first 3 and
 * the last 4 (138****8000); fewer keep at most the last 4, never more than half.
 */
function maskDigits(digits: string): string {
  if (digits.length >= 11) return digits.slice(0, 3) + '*'.repeat(digits.length - 7) + digits.slice(-4);
  const shown = Math.min(4, Math.floor(digits.length / 2));
  return '*'.repeat(digits.length - shown) + (shown ? digits.slice(-shown) : '');
}

export function maskText(text: string): string {
  return text.replace(UUID_OR_RUN, (run) => (UUID.test(run) ? run : maskDigits(run.replace(NOT_DIGIT, ''))));
}

/** A phone field is masked whole, its separators (spaces, dashes, `+`) dropped with the hidden digits. */
function maskField(key: string, value: string): string {
  if (PHONE_KEY.test(key) && !/masked/i.test(key) && /\p{Nd}/u.test(value)) return maskDigits(value.replace(NOT_DIGIT, ''));
  return maskText(value);
}

export function maskDeep<T>(value: T, key = ''): T {
  if (typeof value === 'string') return maskField(key, value) as T;
  if (Array.isArray(value)) return value.map((v) => maskDeep(v, key)) as T;
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = maskDeep(v, k);
    return out as T;
  }
  return value;
}

/** `edited` with every still-masked value put back to what `stored` holds at the same place. */
export function restoreMasked(edited: unknown, stored: unknown, key = ''): unknown {
  if (typeof edited === 'string' && typeof stored === 'string') return edited === maskField(key, stored) ? stored : edited;
  if (Array.isArray(edited) && Array.isArray(stored)) return edited.map((v, i) => restoreMasked(v, stored[i], key));
  if (isPlainObject(edited) && isPlainObject(stored)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(edited)) out[k] = restoreMasked(v, stored[k], k);
    return out;
  }
  return edited;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date);
}
