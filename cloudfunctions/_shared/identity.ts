import { AppError } from './errors';
import type { Caller } from './router';

/** The caller's openid, or UNAUTHENTICATED: routes for users need WeChat's word on who calls. */
export function requireOpenid(caller: Caller): string {
  if (!caller.openid) throw new AppError('UNAUTHENTICATED', 'This route needs a WeChat user (no OPENID in context).');
  return caller.openid;
}
