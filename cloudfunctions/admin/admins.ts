/** `admin.admins.list|add|remove`: who may use the admin routes. The last admin stays. */
import * as v from 'valibot';
import { noParams, route } from '../_shared/runtime/router';
import { now } from '../_shared/runtime/clock';
import { addAdmin, listAdmins, removeAdmin } from '../_shared/data/admins';
import { createInvite } from '../_shared/data/admin-invites';

const openidInput = v.object({
  openid: v.pipe(
    v.string('openid must be a string'),
    v.trim(),
    v.regex(/^[A-Za-z0-9_-]{6,64}$/, 'openid must be 6 to 64 letters, digits, "_" or "-"'),
  ),
});

export const listAdminsRoute = route(noParams, async () => ({ admins: await listAdmins() }));

export const addAdminRoute = route(openidInput, async ({ openid }, { caller }) => {
  await addAdmin(openid, caller.openid, now());
  return { admins: await listAdmins() };
});

export const removeAdminRoute = route(openidInput, async ({ openid }, { caller }) => {
  await removeAdmin(openid, caller.openid, now());
  return { admins: await listAdmins() };
});

/** `admins.invite`: a one-time code (24 h) another user opens to become an admin; no openid typed. */
export const inviteAdminRoute = route(noParams, async (_input, { caller }) => {
  const { code, expiresAt } = await createInvite(caller.openid, now());
  return { code, expiresAt: expiresAt.toISOString() };
});
