/**
 * `provider`: a service provider's bulk orders of phone-verification packs and their
 * assignment to merchant mini programs (docs/provider.md). Every `$url` route needs an
 * admin caller (an `admins` document or ADMIN_OPENIDS): FORBIDDEN otherwise,
 * UNAUTHENTICATED without an OPENID.
 *
 * | $url             | what                                                                  |
 * | ---------------- | --------------------------------------------------------------------- |
 * | orders.list      | the provider's orders, synced from WeChat                             |
 * | skus.list        | `{ orderId }`: the SKUs it can be assigned as                          |
 * | assign           | `{ orderId, skuId, receiverAppId, idempotencyKey, beginTime? }`       |
 * | cancel           | `{ assignmentId }`: within 7 days, while unused                       |
 * | assignments.list | `{ receiverAppId?, limit? }`: newest first; settles a few pending     |
 * | assignments.recheck | `{ assignmentId }`: polls a pending one, looks an unknown one up   |
 * | merchants.usage  | `{ appid, kind? }`: a merchant's quota as WeChat reports it           |
 * | fleet.list       | `{ limit?, cursor?, refresh? }`: every merchant's quota, fewest days first |
 * | fleet.add        | `{ appid }`: adds a merchant to the fleet                             |
 * | topups.set       | `{ appid, kind, orderId, skuId, belowCalls, maxPerMonth }`            |
 * | topups.list      | the top-up rules with what each did                                   |
 * | topups.remove    | `{ appid, kind }`                                                     |
 *
 * WeChat's pushes (result events of assign and cancel, and the URL check) arrive
 * through CloudBase HTTP access (push.ts: an event with `httpMethod`, no `$url` and no
 * OPENID), where nothing but their signature counts. A call with an OPENID is always a route.
 */
import { adminOnly } from '../_shared/authorize';
import { callerFromContext } from '../_shared/cloud';
import { createHandler } from '../_shared/router';
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
  authorize: adminOnly,
  http: handlePush,
  routes: {
    'orders.list': listOrders,
    'skus.list': listSkus,
    assign,
    cancel,
    'assignments.list': listAssignmentsRoute,
    'assignments.recheck': recheckRoute,
    'merchants.usage': merchantUsageRoute,
    'fleet.list': fleetListRoute,
    'fleet.add': fleetAddRoute,
    'topups.set': topupsSetRoute,
    'topups.list': topupsListRoute,
    'topups.remove': topupsRemoveRoute,
  },
});
