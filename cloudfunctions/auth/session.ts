/**
 * `auth.session { phoneButtons? }`: the one call the mini program makes at launch.
 * Creates the user on first sight and says whether to show the paid phone button.
 * Costs no WeChat charge. The phone says which paid buttons its base library can show;
 * real-time is offered only when listed. The kinds offered are remembered on the user
 * (one write, only when the offer changes or a day after the last): WeChat bills the
 * kind a phone showed, and bindPhone books a claimed kind only if it was offered.
 */
import * as v from 'valibot';
import { route } from '../_shared/runtime/router';
import { createUser, findUser, updateUser } from '../_shared/data/users';
import { loadSettings } from '../_shared/data/settings';
import { now } from '../_shared/runtime/clock';
import { withDbRetry } from '../_shared/runtime/db-retry';
import { isAdmin } from '../_shared/data/admins';
import { maskPhone } from '../_shared/domain/phone';
import { phoneLoginFor, publicSettings } from '../_shared/domain/settings';
import { offeredKind, rememberOffer } from '../_shared/domain/phone-offer';

const input = v.object({
  phoneButtons: v.optional(
    v.pipe(
      v.array(v.picklist(['quick', 'realtime'], 'phoneButtons items must be "quick" or "realtime"'), 'phoneButtons must be a list'),
      v.maxLength(2, 'phoneButtons has at most two items'),
    ),
  ),
});

export const session = route(input, async ({ phoneButtons }, { caller }) => {
  const openid = caller.openid;
  // Independent reads: one round trip's worth of latency instead of three.
  const at = now();
  // Each idempotent, so a transient database error is retried rather than answered INTERNAL.
  const [found, settings, admin] = await Promise.all([
    withDbRetry('session: read user', () => findUser(openid)),
    withDbRetry('session: read settings', loadSettings),
    withDbRetry('session: read admins', () => isAdmin(openid)),
  ]);
  const shown = phoneLoginFor(Boolean(found?.phone), settings, at);
  const phoneLogin = { ...shown, kind: offeredKind(shown.kind, phoneButtons) };
  // A new user is created with the offer; a known one written only when it changed
  // (another kind, or the same one last written a day ago).
  const offer = phoneLogin.show ? rememberOffer(found?.phoneOffer, phoneLogin.kind, at) : null;
  const user =
    found ?? (await withDbRetry('session: create user', () => createUser(openid, caller.appid, offer ? { phoneOffer: offer } : {})));
  if (found && offer) await withDbRetry('session: offer', () => updateUser(openid, caller.appid, { phoneOffer: offer }));
  return {
    openid,
    user: { phoneMasked: user.phone ? maskPhone(user.phone.phoneNumber) : null, isAdmin: admin },
    settings: publicSettings(settings, at),
    phoneLogin,
  };
});
