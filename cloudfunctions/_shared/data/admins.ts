/** Admin access: an `admins/<openid>` document, or ADMIN_OPENIDS for bootstrapping. */
import { db } from '../cloud';
import { adminOpenidsFromEnv } from '../config';

export async function isAdmin(openid: string): Promise<boolean> {
  // The environment list costs no database read; check it first.
  if (adminOpenidsFromEnv().includes(openid)) return true;
  const res = await db.collection('admins').doc(openid).get();
  return Boolean(res.data);
}
