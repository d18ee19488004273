/** Admin access: an `admins/<openid>` document, or ADMIN_OPENIDS for bootstrapping. */
import { db, type Transaction } from '../runtime/cloud';
import { adminOpenidsFromEnv } from '../runtime/config';
import { AppError } from '../runtime/errors';
import { isDuplicateKey, isTxConflict } from '../runtime/db-errors';
import { writeAudit } from './settings-audit';
import type { AdminEntry as AdminEntryOnTheWire } from '../../../miniprogram/contract';

interface AdminDoc {
  _id: string;
  addedBy: string;
  addedAt: Date;
}

/** The contract's entry (miniprogram/contract/admin.ts) with a real date. */
export interface AdminEntry extends Omit<AdminEntryOnTheWire, 'addedAt'> {
  addedAt: Date | null;
}

const admins = () => db.collection<AdminDoc>('admins');

export async function isAdmin(openid: string): Promise<boolean> {
  // The environment list costs no database read; check it first.
  if (adminOpenidsFromEnv().includes(openid)) return true;
  const res = await admins().doc(openid).get();
  return Boolean(res.data);
}

export async function listAdmins(): Promise<AdminEntry[]> {
  const { data } = await admins().orderBy('addedAt', 'asc').limit(1000).get();
  const fromEnv = adminOpenidsFromEnv();
  const entries: AdminEntry[] = fromEnv.map((openid) => ({ openid, source: 'env', addedBy: null, addedAt: null }));
  for (const doc of data)
    if (!fromEnv.includes(doc._id)) entries.push({ openid: doc._id, source: 'collection', addedBy: doc.addedBy, addedAt: doc.addedAt });
  return entries;
}

/** Adds the admin inside `tx`, the transaction that also records why (a duplicate `_id` fails it). */
export async function insertAdminIn(tx: Transaction, openid: string, by: string, at: Date): Promise<void> {
  await tx.collection<AdminDoc>('admins').add({ data: { _id: openid, addedBy: by, addedAt: at } });
}

export async function addAdmin(openid: string, by: string, at: Date): Promise<void> {
  try {
    await db.runTransaction(async (tx) => {
      await insertAdminIn(tx, openid, by, at);
      await writeAudit(tx, { at, by, field: 'admins', from: null, to: openid, note: 'admin added' });
    });
  } catch (err) {
    // Already an admin: adding again changes nothing.
    if (!isDuplicateKey(err)) throw err;
  }
}

const REMOVE_TRIES = 5;

/**
 * Removes an admin added through the collection; the last admin stays, under any
 * concurrency. Inside one transaction (a snapshot) it reads the admin to remove and
 * finds another that still exists, then *writes* that other admin as well as removing
 * this one: two admins removing each other at once both write both documents, so one
 * transaction conflicts (DATABASE_TRANSACTION_CONFLICT) and is retried on a fresh
 * snapshot, where it finds no other admin. Snapshot isolation does not check reads at
 * commit, so a read-only check would let both pass.
 */
export async function removeAdmin(openid: string, by: string, at: Date): Promise<void> {
  const fromEnv = adminOpenidsFromEnv();
  if (fromEnv.includes(openid)) {
    throw new AppError('CONFLICT', 'This admin is set by ADMIN_OPENIDS in the deployment; remove it there.');
  }
  for (let attempt = 1; ; attempt++) {
    // Candidates only (a transaction cannot query): each is read again inside it. Read
    // in the addedAt index's order and filtered here: `_id != openid` no index serves.
    const candidates =
      fromEnv.length > 0
        ? []
        : (await admins().orderBy('addedAt', 'asc').limit(21).field({ _id: true }).get()).data
            .map((d) => d._id)
            .filter((id) => id !== openid)
            .slice(0, 20);
    try {
      await db.runTransaction(async (tx) => {
        if (!(await tx.collection<AdminDoc>('admins').doc(openid).get()).data) throw new AppError('NOT_FOUND', 'No such admin.');
        // An admin in ADMIN_OPENIDS cannot be removed here: one always stays.
        if (fromEnv.length === 0) {
          let anchor: string | null = null;
          for (const id of candidates) {
            if ((await tx.collection<AdminDoc>('admins').doc(id).get()).data) {
              anchor = id;
              break;
            }
          }
          if (!anchor) throw new AppError('CONFLICT', 'The last admin cannot be removed; add another admin first.');
          await tx
            .collection('admins')
            .doc(anchor)
            .update({ data: { confirmedAt: at } });
        }
        await tx.collection('admins').doc(openid).remove();
        await writeAudit(tx, { at, by, field: 'admins', from: openid, to: null, note: 'admin removed' });
      });
      return;
    } catch (err) {
      if (err instanceof AppError) throw err;
      if (!isTxConflict(err)) throw err;
      if (attempt >= REMOVE_TRIES) {
        throw new AppError('CONFLICT', 'Admins changed at the same moment; please try again.', { cause: err });
      }
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt + Math.floor(Math.random() * 40)));
    }
  }
}
