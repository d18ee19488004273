/**
 * `admin`: the merchant's control panel. Every route needs an admin caller (an
 * `admins` document or ADMIN_OPENIDS): FORBIDDEN otherwise, UNAUTHENTICATED without
 * an OPENID.
 *
 * Its routes, their input and output: miniprogram/contract/admin.ts (the one list; the
 * table below must implement it or it does not compile).
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
