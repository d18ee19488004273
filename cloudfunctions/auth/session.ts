/**
 * `auth.session { phoneButtons? }`: the one call the mini program makes at launch.
 * Creates the user on first sight and says whether to show the paid phone button.
 * Costs no WeChat charge. The phone says which paid buttons its base library can show;
 * real-time is offered only when listed. The kind offered is remembered on the user
 * (one write, only when it changes): it is what WeChat bills when that user taps,
 * whatever the client later claims.
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
import { offeredKind } from '../_shared/domain/phone-offer';

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
  const offer = phoneLogin.show ? { phoneOffer: { kind: phoneLogin.kind, at } } : {};
  // A new user is created with the offer; a known one written only when it changed.
  const user = found ?? (await withDbRetry('session: create user', () => createUser(openid, caller.appid, offer)));
  if (found && phoneLogin.show && found.phoneOffer?.kind !== phoneLogin.kind)
    await withDbRetry('session: offer', () => updateUser(openid, caller.appid, offer));
  return {
    openid,
    user: { phoneMasked: user.phone ? maskPhone(user.phone.phoneNumber) : null, isAdmin: admin },
    settings: publicSettings(settings, at),
    phoneLogin,
  };
});
