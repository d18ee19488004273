/** Input schemas for amounts admins type: money in yuan and counts. Messages complete "<field> …". */
import * as v from 'valibot';

/** A positive number of yuan with at most two decimals (settings budgets, pack prices). */
export const yuanAmount = v.pipe(
  v.number('must be a number of yuan'),
  v.check((n) => Number.isFinite(n) && n > 0, 'must be positive'),
  // 0.29 * 100 is 28.999999999999996 in floating point: compare with a tolerance.
  v.check((n) => Math.abs(n * 100 - Math.round(n * 100)) < 1e-6, 'must have at most two decimals'),
  v.check((n) => n <= 100_000_000, 'is unreasonably large'),
);

/** A positive whole number (caps, calls). */
export const positiveCount = v.pipe(v.number('must be a number'), v.integer('must be a whole number'), v.minValue(1, 'must be positive'), v.maxValue(100_000_000, 'is unreasonably large'));
