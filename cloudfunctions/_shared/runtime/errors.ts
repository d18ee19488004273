/**
 * The one error type and the one answer envelope every route uses.
 *
 * Routes throw `AppError`; the router turns it (or anything else) into
 * `{ ok: false, error }`. Messages are for humans and must never carry a stack
 * trace, a secret or a raw phone number; a wrapped error goes in `cause`, which is
 * logged (log.ts `errorDetail`) and never answered.
 */

import type { Envelope, ErrorCode } from '../../../miniprogram/contract/errors';

// The codes and the envelope are the contract's (miniprogram/contract/errors.ts), shared with the mini program.
export type { Envelope, ErrorCode } from '../../../miniprogram/contract/errors';

interface AppErrorOptions {
  /** The input field the failure is about (a dot path into the route's params); answered as `error.field`. */
  field?: string;
  /** The error this one wraps (standard `Error.cause`): logged with its stack, never answered. */
  cause?: unknown;
}

export class AppError extends Error {
  override readonly name = 'AppError';
  readonly field: string | undefined;
  constructor(
    readonly code: ErrorCode,
    message: string,
    options: AppErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.field = options.field;
  }
}

export function success<T>(data: T): Envelope<T> {
  return { ok: true, data };
}

/** Anything thrown becomes a typed failure; unknown errors are hidden behind INTERNAL. */
export function failure(err: unknown): Envelope<never> {
  if (err instanceof AppError) {
    const body = { code: err.code, message: err.message };
    return { ok: false, error: err.field === undefined ? body : { ...body, field: err.field } };
  }
  return { ok: false, error: { code: 'INTERNAL', message: 'Something went wrong on our side; please try again.' } };
}
