/**
 * The one answer envelope and the error codes every route may answer. The cloud
 * functions' `AppError` (cloudfunctions/_shared/runtime/errors.ts) uses these codes; the mini
 * program adds only `NETWORK`, for a call that never reached a function.
 */

export const ERROR_CODES = [
  'INVALID_ARGUMENT',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  /** Our own limits: too many invalid phone codes from this user today (a new tap will not help). */
  'RATE_LIMITED',
  /** WeChat is throttling (errcode 45011): keep this phone code and send it again later. */
  'WECHAT_THROTTLED',
  'PHONE_CODE_INVALID',
  'UPSTREAM_UNAVAILABLE',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorBody {
  code: ErrorCode;
  /** For developers, in English; never shown to a user as it is. */
  message: string;
  /**
   * The input field the failure is about, as a dot path into the route's params
   * (`"phoneCapture.dailyCap"`, `"lines.0.qty"`), when there is one. Set by input
   * parsing and by refusals that name a field; a client picks its own words by it.
   */
  field?: string;
}

/** What every route answers: its output, or a typed failure. */
export type Envelope<T> = { ok: true; data: T } | { ok: false; error: ErrorBody };
