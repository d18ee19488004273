/**
 * How a WeChat call failed, by what we can know WeChat did — the one classification
 * every client uses (docs/architecture.md "WeChat failures"). A caller decides what a
 * kind means for its own request: a phone code that may have been used, an alert that
 * may have been delivered, an assignment to re-check.
 */
import { NETWORK, TIMEOUT, WechatError } from './http';

/** The platform's refusal of a cloud call the function has no permission for (WeChat never saw the request). */
export const NO_PERMISSION_ERRCODE = -604101;

type WechatFailure =
  /** WeChat answered with an errcode: it saw the request and did not carry it out. */
  | { kind: 'answered'; errcode: number }
  /** The request never reached the API (a token that could not be had, no cloud-call permission): certainly not done. */
  | { kind: 'not-sent'; errcode: number }
  /** No answer (our timeout, a broken connection, CloudBase's own -5xxxxx): WeChat may have done it. */
  | { kind: 'unanswered'; errcode: number };

/**
 * A failed cloud call (`cloud.openapi.*`). The SDK throws WeChat's errcode as `errCode`;
 * anything without one broke on the way. -604101 is asked first: it is CloudBase's too.
 */
export function cloudCallFailure(err: unknown): WechatFailure {
  const errcode = (err as { errCode?: unknown } | null)?.errCode;
  if (errcode === NO_PERMISSION_ERRCODE) return { kind: 'not-sent', errcode };
  if (typeof errcode !== 'number' || errcode === TIMEOUT) return { kind: 'unanswered', errcode: TIMEOUT };
  // CloudBase's own codes (-5xxxxx) say nothing of WeChat's answer; the code is kept for logs and the doctor.
  if (errcode <= -500000) return { kind: 'unanswered', errcode };
  return { kind: 'answered', errcode };
}

/**
 * A failed HTTPS call to `path` (made with `callWechat`, behind `withToken`). A failure
 * on another path is the token's: the request itself was never sent.
 */
export function httpsCallFailure(err: unknown, path: string): WechatFailure {
  if (!(err instanceof WechatError)) return { kind: 'unanswered', errcode: TIMEOUT };
  if (err.path !== path) return { kind: 'not-sent', errcode: err.errcode };
  if (err.errcode === TIMEOUT || err.errcode === NETWORK) return { kind: 'unanswered', errcode: err.errcode };
  return { kind: 'answered', errcode: err.errcode };
}
