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
 */
import { adminOnly } from '../_shared/authorize';
import { callerFromContext } from '../_shared/cloud';
import { createHandler } from '../_shared/router';
import { getSettings, updateSettingsRoute } from './settings';
import { addAdminRoute, listAdminsRoute, removeAdminRoute } from './admins';
import { usageList, usageSummary } from './usage';
import { addPack, quotaStatus, setPrice } from './quota';
import { statementMonth } from './statement';
import { alertsStatus, alertsSubscribe } from './alerts';

export const main = createHandler({
  name: 'admin',
  identify: callerFromContext,
  authorize: adminOnly,
  routes: {
    'settings.get': getSettings,
    'settings.update': updateSettingsRoute,
    'usage.summary': usageSummary,
    'usage.list': usageList,
    'quota.status': quotaStatus,
    'quota.addPack': addPack,
    'quota.setPrice': setPrice,
    'statement.month': statementMonth,
    'alerts.status': alertsStatus,
    'alerts.subscribe': alertsSubscribe,
    'admins.list': listAdminsRoute,
    'admins.add': addAdminRoute,
    'admins.remove': removeAdminRoute,
  },
});
