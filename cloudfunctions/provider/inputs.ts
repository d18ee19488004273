/** Input schemas shared by the provider's routes. */
import * as v from 'valibot';
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
