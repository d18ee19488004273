/** Who may call a function's routes: the check a router's `authorize` hook runs. */
import { AppError } from './errors';
import { requireOpenid } from './identity';
import { isAdmin } from './data/admins';
import type { Caller } from './router';

/** Admins only (an `admins` document or ADMIN_OPENIDS): UNAUTHENTICATED without an OPENID, FORBIDDEN otherwise. */
export async function adminOnly(caller: Caller): Promise<void> {
  if (!(await isAdmin(requireOpenid(caller)))) throw new AppError('FORBIDDEN', 'Only admins may do this.');
}
