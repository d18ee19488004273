/** `admin_invites`: one document per invite code (under the code's hash); no client access. */
import { db } from '../runtime/cloud';
import { AppError } from '../runtime/errors';
import { INVITE_LIFE_MS, inviteId, inviteProblem, newInviteCode, type InviteDoc } from '../domain/admin-invite';
import { writeAudit } from './settings-audit';
import { insertAdminIn } from './admins';

export async function createInvite(by: string, at: Date): Promise<{ code: string; expiresAt: Date }> {
  const code = newInviteCode();
  const expiresAt = new Date(at.getTime() + INVITE_LIFE_MS);
  const doc: InviteDoc = { _id: inviteId(code), createdBy: by, createdAt: at, expiresAt, usedBy: null, usedAt: null };
  await db.collection<InviteDoc>('admin_invites').add({ data: doc });
  return { code, expiresAt };
}

const REFUSALS = {
  unknown: new AppError('NOT_FOUND', 'code: no such invite', { field: 'code' }),
  used: new AppError('CONFLICT', 'code: this invite was already used', { field: 'code' }),
  expired: new AppError('CONFLICT', 'code: this invite has expired', { field: 'code' }),
} as const;

/**
 * Makes `openid` an admin with the invite `code`, in one transaction: the invite is
 * marked used and the admin added together, so one invite adds one admin even when
 * two people open it at once (the second finds it used).
 */
export async function acceptInvite(code: string, openid: string, at: Date): Promise<void> {
  const id = inviteId(code);
  await db.runTransaction(async (tx) => {
    const invite = ((await tx.collection<InviteDoc>('admin_invites').doc(id).get()).data as InviteDoc | undefined) ?? null;
    const problem = inviteProblem(invite, at);
    if (problem) throw REFUSALS[problem];
    await tx
      .collection('admin_invites')
      .doc(id)
      .update({ data: { usedBy: openid, usedAt: at } });
    await insertAdminIn(tx, openid, invite!.createdBy, at);
    await writeAudit(tx, { at, by: openid, field: 'admins', from: null, to: openid, note: 'admin added by invite' });
  });
}
