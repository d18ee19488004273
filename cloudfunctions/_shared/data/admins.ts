/** Admin access: an `admins/<openid>` document, or ADMIN_OPENIDS for bootstrapping. */
import { db } from '../cloud';
import { adminOpenidsFromEnv } from '../config';
import { AppError } from '../errors';
import { isDuplicateKey } from './errors';
import type { AuditEntry } from './audit';

export interface AdminDoc {
  _id: string;
  addedBy: string;
  addedAt: Date;
}

export interface AdminEntry {
  openid: string;
  /** `collection`: added by an admin; `env`: listed in ADMIN_OPENIDS at deploy time. */
  source: 'collection' | 'env';
  addedBy: string | null;
  addedAt: Date | null;
}

const admins = () => db.collection<AdminDoc>('admins');

export async function isAdmin(openid: string): Promise<boolean> {
  // The environment list costs no database read; check it first.
  if (adminOpenidsFromEnv().includes(openid)) return true;
  const res = await admins().doc(openid).get();
  return Boolean(res.data);
}

/** FORBIDDEN unless the caller is an admin. */
export async function requireAdmin(openid: string): Promise<void> {
  if (!(await isAdmin(openid))) throw new AppError('FORBIDDEN', 'Only admins may do this.');
}

export async function listAdmins(): Promise<AdminEntry[]> {
  const { data } = await admins().orderBy('addedAt', 'asc').limit(1000).get();
  const fromEnv = adminOpenidsFromEnv();
  const entries: AdminEntry[] = fromEnv.map((openid) => ({ openid, source: 'env', addedBy: null, addedAt: null }));
  for (const doc of data) if (!fromEnv.includes(doc._id)) entries.push({ openid: doc._id, source: 'collection', addedBy: doc.addedBy, addedAt: doc.addedAt });
  return entries;
}

export async function addAdmin(openid: string, by: string, at: Date): Promise<void> {
  try {
    await db.runTransaction(async (tx) => {
      await tx.collection<AdminDoc>('admins').add({ data: { _id: openid, addedBy: by, addedAt: at } });
      await tx.collection<AuditEntry>('settings_audit').add({ data: { at, by, field: 'admins', from: null, to: openid, note: 'admin added' } });
    });
  } catch (err) {
    // Already an admin: adding again changes nothing.
    if (!isDuplicateKey(err)) throw err;
  }
}

/** Removes an admin added through the collection; the last admin stays. */
export async function removeAdmin(openid: string, by: string, at: Date): Promise<void> {
  if (adminOpenidsFromEnv().includes(openid)) {
    throw new AppError('CONFLICT', 'This admin is set by ADMIN_OPENIDS in the deployment; remove it there.');
  }
  await db.runTransaction(async (tx) => {
    if (!(await tx.collection<AdminDoc>('admins').doc(openid).get()).data) throw new AppError('NOT_FOUND', 'No such admin.');
    const others = (await listAdmins()).filter((a) => a.openid !== openid);
    if (others.length === 0) throw new AppError('CONFLICT', 'The last admin cannot be removed; add another admin first.');
    await tx.collection('admins').doc(openid).remove();
    await tx.collection<AuditEntry>('settings_audit').add({ data: { at, by, field: 'admins', from: openid, to: null, note: 'admin removed' } });
  });
}
