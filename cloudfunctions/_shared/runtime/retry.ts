/**
 * The one retry rule for calls to WeChat: a fixed number of attempts with a pause
 * between them, retrying only what the caller calls transient. An attempt either
 * answers (the answer may itself say "busy": `retryAnswer`) or throws (`retryError`).
 */

interface RetryRule<T> {
  /** Attempts in all, the first included (2: one retry). */
  attempts: number;
  /** Pause before each retry; a function of the attempt that failed (1, 2, …) for a growing backoff. */
  pauseMs: number | ((failedAttempt: number) => number);
  /** An answer worth another attempt (e.g. WeChat's errcode -1). */
  retryAnswer?(answer: T): boolean;
  /** A thrown error worth another attempt (e.g. a timeout of a read). */
  retryError?(error: unknown): boolean;
  /** Told before each retry (for a log line). */
  onRetry?(failedAttempt: number): void;
}

interface Retried<T> {
  /** The last attempt's answer. */
  answer: T;
  /** How many attempts were made. */
  attempts: number;
  /** The answers of the attempts before the last, oldest first. */
  earlier: T[];
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `attempt` until its answer is not worth retrying or the attempts run out. A
 * thrown error not worth retrying (or thrown by the last attempt) is rethrown.
 *
 * @example
 * const { answer, attempts } = await retry(() => send(body), { attempts: 2, pauseMs: 300, retryAnswer: (errcode) => errcode === -1 });
 */
export async function retry<T>(attempt: (n: number) => Promise<T>, rule: RetryRule<T>): Promise<Retried<T>> {
  const earlier: T[] = [];
  for (let n = 1; ; n++) {
    let answer: T;
    try {
      answer = await attempt(n);
    } catch (err) {
      if (n >= rule.attempts || !rule.retryError?.(err)) throw err;
      await before(n, rule);
      continue;
    }
    if (n >= rule.attempts || !rule.retryAnswer?.(answer)) return { answer, attempts: n, earlier };
    earlier.push(answer);
    await before(n, rule);
  }
}

function before(failedAttempt: number, rule: RetryRule<unknown>): Promise<void> {
  rule.onRetry?.(failedAttempt);
  return pause(typeof rule.pauseMs === 'number' ? rule.pauseMs : rule.pauseMs(failedAttempt));
}
