/** Input schemas shared by the provider's routes. */
import * as v from 'valibot';
import { AppError } from '../_shared/runtime/errors';
import { APPID_PATTERN } from '../_shared/domain/provider-ids';

export const appid = (field: string) =>
  v.pipe(
    v.string(`${field} must be a string`),
    v.trim(),
    v.regex(APPID_PATTERN, `${field} must be a WeChat appid: "wx" followed by 16 lowercase hex digits`),
  );

/** WeChat's order and SKU ids: short tokens, never query objects. */
export const wechatId = (field: string) =>
  v.pipe(
    v.string(`${field} must be a string`),
    v.trim(),
    v.regex(/^[A-Za-z0-9_.:-]{1,64}$/, `${field} must be 1 to 64 letters, digits, "_", ".", ":" or "-"`),
  );

/**
 * An assignment's `beginTime` (ms) must fall within the order's life: from the order's
 * createTime up to createTime plus the SKU's duration (our reading: WeChat documents no
 * order end). Before it, a pack would start (and may have expired) before the order
 * existed — `beginTime: 0` was a pack that expired in 1971, its calls taken from the
 * order all the same. `lifeMs` 0: the duration is unknown, only the start is checked.
 */
export function checkBeginTime(beginTime: number, orderCreatedAt: number, lifeMs: number): void {
  if (beginTime < orderCreatedAt)
    throw new AppError(
      'INVALID_ARGUMENT',
      `beginTime is before the order was created (${new Date(orderCreatedAt).toISOString()}); nothing was assigned.`,
      { field: 'beginTime' },
    );
  const endsAt = orderCreatedAt + lifeMs;
  if (lifeMs > 0 && beginTime >= endsAt)
    throw new AppError(
      'INVALID_ARGUMENT',
      `beginTime is past the order's life (it ends at ${new Date(endsAt).toISOString()}); nothing was assigned.`,
      { field: 'beginTime' },
    );
}
