/**
 * `auth.acceptAdminInvite { code }`: the caller becomes an admin with an invite an admin
 * made (`admin.admins.invite`). In `auth` because the caller is not an admin yet.
 * Unknown → NOT_FOUND; used or expired → CONFLICT; already an admin → nothing changes
 * and the invite stays unused for someone else.
 */
import * as v from 'valibot';
import { route } from '../_shared/runtime/router';
import { now } from '../_shared/runtime/clock';
import { isAdmin } from '../_shared/data/admins';
import { acceptInvite } from '../_shared/data/admin-invites';
import { INVITE_CODE } from '../_shared/domain/admin-invite';

const input = v.object({
  code: v.pipe(v.string('code must be a string'), v.trim(), v.toUpperCase(), v.regex(INVITE_CODE, 'code must be 10 letters or digits')),
});

export const acceptAdminInvite = route(input, async ({ code }, { caller }) => {
  const openid = caller.openid;
  if (!(await isAdmin(openid))) await acceptInvite(code, openid, now());
  return { isAdmin: true as const };
});
