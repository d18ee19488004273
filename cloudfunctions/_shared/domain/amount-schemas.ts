/**
 * Input schemas shared by routes: money in yuan, counts, start dates, page sizes, idempotency keys.
 * Messages complete "<field> …". Anything outside the contract is refused, never
 * rounded into something else (1e-9 yuan is not a 0-fen budget; 2026-02-30 is not
 * 2 March).
 */
import * as v from 'valibot';
import { chinaDayStart } from './china-time';

/** A positive number of yuan, at least 0.01, with at most two decimals (settings budgets, pack prices). */
export const yuanAmount = v.pipe(
  v.number('must be a number of yuan'),
  v.check((n) => Number.isFinite(n) && n > 0, 'must be positive'),
  // 0.29 * 100 is 28.999999999999996 in floating point: compare with a tolerance.
  v.check((n) => Math.abs(n * 100 - Math.round(n * 100)) < 1e-6, 'must have at most two decimals'),
  // After the decimals check: 1e-9 passes it (0.0000001 fen from a whole 0) but is no amount.
  v.check((n) => Math.round(n * 100) >= 1, 'must be at least 0.01 yuan'),
  v.check((n) => n <= 100_000_000, 'is unreasonably large'),
);

/** A positive whole number (caps, calls). */
export const positiveCount = v.pipe(
  v.number('must be a number'),
  v.integer('must be a whole number'),
  v.minValue(1, 'must be positive'),
  v.maxValue(100_000_000, 'is unreasonably large'),
);

/** A page size: a whole number from 1 to `max`; `fallback` when the caller gives none. */
export const pageLimit = (max: number, fallback: number) =>
  v.optional(
    v.pipe(
      v.number('must be a number'),
      v.integer('must be a whole number'),
      v.minValue(1, `must be 1 to ${max}`),
      v.maxValue(max, `must be 1 to ${max}`),
    ),
    fallback,
  );

const FIRST_YEAR = 2023;
const LAST_YEAR = 2100;

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

/** Whether y-m-d names a day that exists (no 30 February, no month 13). */
function isCalendarDay(y: number, m: number, d: number): boolean {
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/** The day part's year, when the text is a real calendar date (and, for a time, a real time of day). */
function yearOf(text: string): number | null {
  const day = DAY.exec(text);
  if (day) return isCalendarDay(+day[1]!, +day[2]!, +day[3]!) ? +day[1]! : null;
  const t = ISO_TIME.exec(text);
  if (!t) return null;
  const [hh, mm, ss] = [+t[4]!, +t[5]!, +(t[6] ?? 0)];
  const zone = t[7]!;
  if (hh > 23 || mm > 59 || ss > 59 || !isCalendarDay(+t[1]!, +t[2]!, +t[3]!)) return null;
  if (zone !== 'Z' && (+zone.slice(1, 3) > 14 || +zone.slice(4) > 59)) return null;
  return +t[1]!;
}

/**
 * A start date: "2026-12-01" is that China day's start; an ISO time ("2026-12-01T08:00:00Z",
 * "…+08:00") is taken as it is. Only real calendar dates from 2023 to 2100 (the year as written).
 */
export const startDate = v.pipe(
  v.string('must be a date such as "2026-12-01" or an ISO time'),
  v.trim(),
  v.check((s) => DAY.test(s) || ISO_TIME.test(s), 'must be a date such as "2026-12-01" or an ISO time'),
  v.check((s) => yearOf(s) !== null, 'is not a real calendar date'),
  v.check((s) => yearOf(s)! >= FIRST_YEAR && yearOf(s)! <= LAST_YEAR, `must be between ${FIRST_YEAR} and ${LAST_YEAR}`),
  v.transform((s) => (s.length === 10 ? chinaDayStart(s) : new Date(s))),
);

/**
 * A caller-chosen key that makes a write happen once however often it is sent (a retried
 * form, a lost answer): `quota.addPack`, provider `assign`.
 */
export const idempotencyKey = v.pipe(
  v.string('is required: a key of your choosing, the same when the same request is sent again'),
  v.trim(),
  v.minLength(1, 'must not be empty'),
  v.maxLength(128, 'must be at most 128 characters'),
);
