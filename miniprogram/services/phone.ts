/**
 * What the phone button's callback means, and the calls that follow it. Kept apart
 * from the component so the rules read in one place.
 *
 * WeChat bills at the success callback, so a code we got must reach the server: the
 * same code is retried on network failure (codes live 5 minutes) and never thrown away.
 */
import { callRoute, CloudError } from './cloud';
import {
  ERRNO_NO_QUOTA,
  ERRNO_PRIVACY_NOT_AGREED,
  ERRNO_PRIVACY_UNDECLARED,
  MAINLAND_MOBILE,
  PHONE_BUTTON_ERRNOS,
  type OutputOf,
  type PhoneEventType,
  type PhoneKind,
} from '../contract';

export interface PhoneButtonDetail {
  code?: string;
  errMsg?: string;
  errno?: number;
}

type ButtonOutcome =
  | { kind: 'code'; code: string }
  | { kind: 'billed-no-code' }
  | { kind: 'no-quota' }
  | { kind: 'privacy-refused'; errno: number | null }
  | { kind: 'privacy-undeclared'; errno: number }
  | { kind: 'deny' }
  | { kind: 'fail'; errno: number | null; errMsg: string };

/** What a refused privacy agreement looks like when no errno comes with it (wx.onNeedPrivacyAuthorization doc). */
const PRIVACY_REFUSED = /privacy permission is not authori[sz]ed/i;

export function readButtonDetail(detail: PhoneButtonDetail): ButtonOutcome {
  if (detail.code) return { kind: 'code', code: detail.code };
  // Below base library 2.21.2 a success carries no code, and WeChat bills it all the same.
  if (/:ok$/i.test(detail.errMsg ?? '')) return { kind: 'billed-no-code' };
  if (detail.errno === ERRNO_NO_QUOTA) return { kind: 'no-quota' };
  if (detail.errno === ERRNO_PRIVACY_UNDECLARED) return { kind: 'privacy-undeclared', errno: detail.errno };
  if (detail.errno === ERRNO_PRIVACY_NOT_AGREED || PRIVACY_REFUSED.test(detail.errMsg ?? ''))
    return { kind: 'privacy-refused', errno: detail.errno ?? null };
  if (/deny|cancel/i.test(detail.errMsg ?? '')) return { kind: 'deny' };
  return { kind: 'fail', errno: detail.errno ?? null, errMsg: detail.errMsg ?? '' };
}

/**
 * Failures after which the same code may still bind: no answer, WeChat busy, or WeChat
 * throttling (45011, `WECHAT_THROTTLED`). Our own `RATE_LIMITED` is not one of them.
 */
const KEEPS_CODE: ReadonlySet<string> = new Set(['NETWORK', 'UPSTREAM_UNAVAILABLE', 'INTERNAL', 'WECHAT_THROTTLED']);

/** The error code a failure reads as (anything unexpected is INTERNAL). */
export function failureCode(err: unknown): string {
  return err instanceof CloudError ? err.code : 'INTERNAL';
}

/** Failures worth sending the same code again for: the code may still be good. */
export function isRetriable(err: unknown): boolean {
  return KEEPS_CODE.has(failureCode(err));
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends the code, retrying the same code after each delay while the failure is retriable. */
export async function bindPhone(code: string, kind: PhoneKind, retryDelaysMs: number[]): Promise<{ phoneMasked: string }> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await callRoute('auth', 'bindPhone', { code, kind });
    } catch (err) {
      const delay = retryDelaysMs[attempt];
      if (!isRetriable(err) || delay === undefined) throw err;
      await wait(delay);
    }
  }
}

/** Fire and forget: a lost report must never get in the user's way. */
export function reportPhoneEvent(type: PhoneEventType, errno?: number | null, errMsg?: string): Promise<void> {
  const params: { type: PhoneEventType; errno?: number; errMsg?: string } = { type };
  // The server stores only the errnos it knows (a free-form number could be a phone number); others ride in errMsg's text.
  if (typeof errno === 'number' && PHONE_BUTTON_ERRNOS.includes(errno)) params.errno = errno;
  if (errMsg) params.errMsg = errMsg.slice(0, 200);
  return callRoute('auth', 'reportPhoneEvent', params).then(
    () => undefined,
    () => undefined,
  );
}

export function normalizeManualPhone(text: string): string | null {
  const digits = text.replace(/[\s-]/g, '');
  return MAINLAND_MOBILE.test(digits) ? digits : null;
}

export function saveManualPhone(phone: string | null): Promise<OutputOf<'auth', 'setManualPhone'>> {
  return callRoute('auth', 'setManualPhone', { phone });
}
