/**
 * The one error type and the one answer envelope every route uses.
 *
 * Routes throw `AppError`; the router turns it (or anything else) into
 * `{ ok: false, error }`. Messages are for humans and must never carry a stack
 * trace, a secret or a raw phone number.
 */

export const ERROR_CODES = [
  'INVALID_ARGUMENT',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'RATE_LIMITED',
  'PHONE_CODE_INVALID',
  'UPSTREAM_UNAVAILABLE',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export class AppError extends Error {
  override readonly name = 'AppError';
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export type Envelope<T> =
  | { ok: true; data: T }
  | { ok: false; error: { code: ErrorCode; message: string } };

export function success<T>(data: T): Envelope<T> {
  return { ok: true, data };
}

/** Anything thrown becomes a typed failure; unknown errors are hidden behind INTERNAL. */
export function failure(err: unknown): Envelope<never> {
  if (err instanceof AppError) return { ok: false, error: { code: err.code, message: err.message } };
  return { ok: false, error: { code: 'INTERNAL', message: 'Something went wrong on our side; please try again.' } };
}
