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
 * | merchants.usage  | `{ appid, kind? }`: a merchant's quota as WeChat reports it           |
 *
 * WeChat's pushes (result events of assign and cancel, and the URL check) arrive
 * through CloudBase HTTP access (push.ts), where nothing but their signature counts. A
 * call with an OPENID always goes to the router.
 */
import { callerFromContext } from '../_shared/cloud';
import type { Envelope } from '../_shared/errors';
import { createHandler } from '../_shared/router';
import { requireOpenid } from '../_shared/identity';
import { requireAdmin } from '../_shared/data/admins';
import { assign } from './assign';
import { cancel } from './cancel';
import { listAssignmentsRoute } from './assignments';
import { merchantUsageRoute } from './merchants';
import { listOrders, listSkus } from './orders';
import { handlePush, isHttpAccessRequest, type IntegratedResponse } from './push';

const routed = createHandler({
  name: 'provider',
  identify: callerFromContext,
  authorize: (caller) => requireAdmin(requireOpenid(caller)),
  routes: {
    'orders.list': listOrders,
    'skus.list': listSkus,
    assign,
    cancel,
    'assignments.list': listAssignmentsRoute,
    'merchants.usage': merchantUsageRoute,
  },
});

export async function main(event: unknown): Promise<Envelope<unknown> | IntegratedResponse> {
  if (isHttpAccessRequest(event) && !callerFromContext().openid) return handlePush(event);
  return routed(event);
}
