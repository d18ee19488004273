/**
 * Phone numbers never reach the console's page: everything the console's server
 * answers goes through `maskDeep`. Raw numbers exist only in `users` (and in the
 * WeChat sandbox's codes); the console shows them as WeChat's sheet does, 138****8000.
 *
 * Two rules, both on strings only (numbers such as times stay as they are):
 * - a field whose name mentions a phone (`phoneNumber`, `purePhoneNumber`, `phone`…,
 *   but not `phoneMasked`) is masked whole when it holds digits;
 * - anywhere else, a free-standing run of 11 or more digits (a mainland mobile, or a
 *   number with its country code; optionally `+`-prefixed; not part of a word such as a
 *   hex id) is masked. Shorter ids (spuId 10000077, times in seconds) stay readable.
 *
 * `restoreMasked` undoes the mask on an edited document: where the edit still holds the
 * masked form of the stored value, the stored value is kept, so saving a `users`
 * document from the console does not overwrite a number with its mask.
 */
import { maskPhone } from '../../../../cloudfunctions/_shared/domain/phone';

const PHONE_KEY = /phone|mobile/i;
const DIGIT_RUN = /(?<![0-9A-Za-z_])\+?\d{11,20}(?![0-9A-Za-z_])/g;

export function maskText(text: string): string {
  return text.replace(DIGIT_RUN, (run) => maskPhone(run.replace(/^\+/, '')));
}

function maskField(key: string, value: string): string {
  if (PHONE_KEY.test(key) && !/masked/i.test(key) && /\d/.test(value)) return maskPhone(value.replace(/^\+/, ''));
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
