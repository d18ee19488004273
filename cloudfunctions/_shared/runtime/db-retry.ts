/**
 * Database calls on the login path, retried through the one retry helper (retry.ts):
 * a flash crowd meets transient write errors, and a user should not see INTERNAL for
 * one of them. Only for idempotent calls — reads, conditional updates, inserts whose
 * duplicate is handled — so a call that did land before its answer was lost does no
 * harm the second time.
 */
import { logEvent } from './log';
import { retry } from './retry';
import { isTransientDbError } from './db-errors';

/** Three tries by default: about 0.3 s of backoff in all (100 ms, 200 ms, … at most 1 s). */
export async function withDbRetry<T>(what: string, call: () => Promise<T>, tries = 3): Promise<T> {
  const { answer } = await retry(call, {
    attempts: tries,
    pauseMs: (failed) => Math.min(1000, 100 * 2 ** (failed - 1)),
    retryError: isTransientDbError,
    onRetry: (failed) => logEvent('warn', { retrying: what, attempt: failed }),
  });
  return answer;
}
