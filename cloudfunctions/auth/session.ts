/**
 * `auth.session`: the one call the mini program makes at launch. Creates the user on
 * first sight and says whether to show the paid phone button. Costs no WeChat charge.
 * The kind of button shown is remembered on the user (one write, only when it changes):
 * it is what WeChat bills when that user taps, whatever the client later claims.
 */
import { route, noParams } from '../_shared/router';
import { requireOpenid } from '../_shared/identity';
import { createUser, findUser, updateUser } from '../_shared/data/users';
import { loadSettings } from '../_shared/data/settings';
import { now } from '../_shared/clock';
import { withDbRetry } from '../_shared/data/db-retry';
import { isAdmin } from '../_shared/data/admins';
import { maskPhone } from '../_shared/domain/phone';
import { phoneLoginFor, publicSettings } from '../_shared/domain/settings';

export const session = route(noParams, async (_input, { caller }) => {
  const openid = requireOpenid(caller);
  // Independent reads: one round trip's worth of latency instead of three.
  const at = now();
  // Each idempotent, so a transient database error is retried rather than answered INTERNAL.
  const [found, settings, admin] = await Promise.all([
    withDbRetry('session: read user', () => findUser(openid)),
    withDbRetry('session: read settings', loadSettings),
    withDbRetry('session: read admins', () => isAdmin(openid)),
  ]);
  const phoneLogin = phoneLoginFor(Boolean(found?.phone), settings, at);
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
