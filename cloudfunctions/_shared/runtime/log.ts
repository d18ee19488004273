/**
 * One structured log line per event, as CloudBase's log search expects plain lines.
 * Callers pass only safe fields: masked numbers, codes, durations — never a raw
 * phone number, a phone code or a secret.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { scrubDigits } from '../domain/phone';

type LogLevel = 'info' | 'warn' | 'error';
type LogFields = Record<string, unknown>;

/** A log whose every line already names where it comes from (function, route or trigger, request id). */
export interface Logger {
  info(fields: LogFields): void;
  warn(fields: LogFields): void;
  error(fields: LogFields): void;
}

function write(level: LogLevel, scope: LogFields | undefined, fields: LogFields): void {
  if (process.env.QUICKPHONE_LOG === 'off') return;
  const line = JSON.stringify({ level, ...scope, ...fields });
  if (level === 'error') console.error(line);
  else console.log(line);
}

/**
 * The scope of the entry being served, set once by the dispatcher (router.ts). Kept per
 * async call chain rather than in a variable: the emulator and a warm container may
 * serve two requests of one function at once, and each line must name its own.
 */
const entryScope = new AsyncLocalStorage<LogFields>();

/** Runs `serve` with `scope` on every line logged beneath it, however deep. */
export function inLogScope<T>(scope: LogFields, serve: () => Promise<T>): Promise<T> {
  return entryScope.run(scope, serve);
}

/** The logger a route's context carries: `scope` on each line. */
export function scopedLogger(scope: LogFields): Logger {
  return {
    info: (fields) => write('info', scope, fields),
    warn: (fields) => write('warn', scope, fields),
    error: (fields) => write('error', scope, fields),
  };
}

/**
 * A line from code shared below the entries (services, WeChat clients, database
 * retries, cron and provider steps), which cannot know who called it: it carries the
 * scope of the entry it runs under. A route body logs through its context's `log`.
 */
export function logEvent(level: LogLevel, fields: LogFields): void {
  write(level, entryScope.getStore(), fields);
}

/** Query parameters that carry a credential when a URL ends up in an error's text. */
const CREDENTIAL =
  /\b(access_token|component_access_token|authorizer_access_token|secret|appsecret|component_appsecret|refresh_token|authorizer_refresh_token|js_code|code)=[^&\s"']+/gi;
/** How much of a stack is worth a log line: the frames that locate the fault, not the whole runtime. */
const STACK_LINES = 12;
/** How many wrapped causes are followed; a cycle or a long chain stops here. */
const CAUSE_DEPTH = 3;

/** An error's text as a log may carry it: phone-like digit runs masked, credentials in URLs cut. */
const safeText = (text: string) => scrubDigits(text).replace(CREDENTIAL, '$1=***');

interface ErrorDetail {
  /** `Name: message`. */
  error: string;
  /** The first frames of the stack, when the error has one. */
  stack?: string;
  /** What it wraps (`Error.cause`), described the same way. */
  cause?: ErrorDetail;
}

/**
 * An unexpected error as a log line's fields: its name and message, the top of its
 * stack and the chain of causes it wraps — so a failure can be traced to a line, where
 * `String(err)` gave only its message. Masked for the log (no raw phone number, no
 * credential in a URL); never put in an answer to a client.
 */
export function errorDetail(err: unknown, depth = 0): ErrorDetail {
  if (!(err instanceof Error)) return { error: safeText(String(err)) };
  const code = (err as { code?: unknown }).code;
  const head = `${err.name}${typeof code === 'string' || typeof code === 'number' ? ` ${code}` : ''}: ${err.message}`;
  const detail: ErrorDetail = { error: safeText(head) };
  // The stack's first line repeats the message; the frames after it are what help.
  const frames = (err.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line));
  if (frames.length)
    detail.stack = safeText(
      frames
        .slice(0, STACK_LINES)
        .map((line) => line.trim())
        .join('\n'),
    );
  if (err.cause !== undefined && depth < CAUSE_DEPTH) detail.cause = errorDetail(err.cause, depth + 1);
  return detail;
}
