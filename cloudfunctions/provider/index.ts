/**
 * `provider`: a service provider's bulk orders of phone-verification packs and their
 * assignment to merchant mini programs (docs/provider.md). Every `$url` route needs an
 * admin caller (an `admins` document or ADMIN_OPENIDS): FORBIDDEN otherwise,
 * UNAUTHENTICATED without an OPENID.
 *
 * Its routes, their input and output: miniprogram/contract/provider.ts (the one list;
 * the table below must implement it or it does not compile).
 *
 * WeChat's pushes (result events of assign and cancel, and the URL check) arrive
 * through CloudBase HTTP access (push.ts: an event with `httpMethod`, no `$url` and no
 * OPENID), where nothing but their signature counts. A call with an OPENID is always a route.
 */
import { isAdmin } from '../_shared/data/admins';
import { callerFromContext } from '../_shared/runtime/cloud';
import { access, createHandler } from '../_shared/runtime/router';
import { assign } from './assign';
import { cancel } from './cancel';
import { listAssignmentsRoute } from './assignments';
import { merchantUsageRoute } from './merchants';
import { recheckRoute } from './recheck';
import { fleetAddRoute, fleetListRoute } from './fleet';
import { topupsListRoute, topupsRemoveRoute, topupsSetRoute } from './topups';
import { listOrders, listSkus } from './orders';
import { handlePush } from './push';

export const main = createHandler({
  name: 'provider',
  identify: callerFromContext,
  isAdmin,
  http: handlePush,
  routes: {
    'orders.list': access.admin(listOrders),
    'skus.list': access.admin(listSkus),
    assign: access.admin(assign),
    cancel: access.admin(cancel),
    'assignments.list': access.admin(listAssignmentsRoute),
    'assignments.recheck': access.admin(recheckRoute),
    'merchants.usage': access.admin(merchantUsageRoute),
    'fleet.list': access.admin(fleetListRoute),
    'fleet.add': access.admin(fleetAddRoute),
    'topups.set': access.admin(topupsSetRoute),
    'topups.list': access.admin(topupsListRoute),
    'topups.remove': access.admin(topupsRemoveRoute),
  },
});
