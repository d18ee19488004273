/**
 * The one error type and the one answer envelope every route uses.
 *
 * Routes throw `AppError`; the router turns it (or anything else) into
 * `{ ok: false, error }`. Messages are for humans and must never carry a stack
 * trace, a secret or a raw phone number.
 */

import type { Envelope, ErrorCode } from '../../miniprogram/contract/errors';

// The codes and the envelope are the contract's (miniprogram/contract/errors.ts), shared with the mini program.
export type { Envelope, ErrorCode } from '../../miniprogram/contract/errors';

export class AppError extends Error {
  override readonly name = 'AppError';
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function success<T>(data: T): Envelope<T> {
  return { ok: true, data };
}

/** Anything thrown becomes a typed failure; unknown errors are hidden behind INTERNAL. */
export function failure(err: unknown): Envelope<never> {
  if (err instanceof AppError) return { ok: false, error: { code: err.code, message: err.message } };
  return { ok: false, error: { code: 'INTERNAL', message: 'Something went wrong on our side; please try again.' } };
}
