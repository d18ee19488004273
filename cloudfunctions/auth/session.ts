/**
 * `auth.session`: the one call the mini program makes at launch. Creates the user on
 * first sight and says whether to show the paid phone button. Costs no WeChat charge.
 */
import { route, noParams } from '../_shared/router';
import { requireOpenid } from '../_shared/identity';
import { ensureUser } from '../_shared/data/users';
import { loadSettings } from '../_shared/data/settings';
import { now } from '../_shared/clock';
import { isAdmin } from '../_shared/data/admins';
import { maskPhone } from '../_shared/domain/phone';
import { phoneLoginFor, publicSettings } from '../_shared/domain/settings';

export const session = route(noParams, async (_input, { caller }) => {
  const openid = requireOpenid(caller);
  // Independent reads: one round trip's worth of latency instead of three.
  const at = now();
  const [user, settings, admin] = await Promise.all([ensureUser(openid, caller.appid), loadSettings(), isAdmin(openid)]);
  return {
    openid,
    user: { phoneMasked: user.phone ? maskPhone(user.phone.phoneNumber) : null, isAdmin: admin },
    settings: publicSettings(settings, at),
    phoneLogin: phoneLoginFor(user.phone !== null, settings, at),
  };
});
