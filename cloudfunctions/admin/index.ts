/**
 * `admin`: the merchant's control panel. Every route needs an admin caller (an
 * `admins` document or ADMIN_OPENIDS): FORBIDDEN otherwise, UNAUTHENTICATED without
 * an OPENID.
 *
 * | $url            | what                                                         |
 * | --------------- | ------------------------------------------------------------ |
 * | settings.get    | the settings document (defaults when absent)                 |
 * | settings.update | `{ version, patch }`: optimistic, validated, audited          |
 * | usage.summary   | `{ months? }`: charges and cost by month, last 30 days       |
 * | usage.list      | `{ limit?, cursor? }`: charges newest first, masked          |
 * | quota.status    | `{ kind? }`: packs, remaining, forecast, advice, WeChat diff  |
 * | quota.addPack   | `{ calls, validityDays, kind?, startsAt?, priceYuan?, … }`   |
 * | quota.setPrice  | `{ id, priceYuan }`: what a pack cost (audited)              |
 * | statement.month | `{ month }`: the month's calls and true cost, CSV and rows   |
 * | alerts.status   | the caller's alert subscription: template, credits, problem  |
 * | alerts.subscribe| `{ accepted }`: one credit per template the admin accepted   |
 * | admins.list     | admins from the collection and from ADMIN_OPENIDS            |
 * | admins.add      | `{ openid }`                                                 |
 * | admins.remove   | `{ openid }`; the last admin cannot be removed               |
 * | admins.invite   | a one-time code (24 h); `auth.acceptAdminInvite` redeems it   |
 */
import { isAdmin } from '../_shared/data/admins';
import { callerFromContext } from '../_shared/runtime/cloud';
import { access, createHandler } from '../_shared/runtime/router';
import { getSettings, updateSettingsRoute } from './settings';
import { addAdminRoute, inviteAdminRoute, listAdminsRoute, removeAdminRoute } from './admins';
import { usageList, usageSummary } from './usage';
import { addPack, quotaStatus, setPrice } from './quota';
import { statementMonth } from './statement';
import { alertsStatus, alertsSubscribe } from './alerts';

export const main = createHandler({
  name: 'admin',
  identify: callerFromContext,
  isAdmin,
  routes: {
    'settings.get': access.admin(getSettings),
    'settings.update': access.admin(updateSettingsRoute),
    'usage.summary': access.admin(usageSummary),
    'usage.list': access.admin(usageList),
    'quota.status': access.admin(quotaStatus),
    'quota.addPack': access.admin(addPack),
    'quota.setPrice': access.admin(setPrice),
    'admins.list': access.admin(listAdminsRoute),
    'admins.add': access.admin(addAdminRoute),
    'admins.remove': access.admin(removeAdminRoute),
    'admins.invite': access.admin(inviteAdminRoute),
    'statement.month': access.admin(statementMonth),
    'alerts.status': access.admin(alertsStatus),
    'alerts.subscribe': access.admin(alertsSubscribe),
  },
});
