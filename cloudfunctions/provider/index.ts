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
 * WeChat's result events (event_type 5/6, no `$url`, no OPENID) are routed by shape to
 * events.ts. A call from the mini program always carries an OPENID, so a client cannot
 * pass for WeChat: its event-shaped call goes to the router and finds no route.
 */
import { callerFromContext } from '../_shared/cloud';
import { failure, success, type Envelope } from '../_shared/errors';
import { logEvent } from '../_shared/log';
import { createHandler } from '../_shared/router';
import { requireOpenid } from '../_shared/identity';
import { requireAdmin } from '../_shared/data/admins';
import { looksLikeResultEvent } from '../_shared/domain/provider-events';
import { assign } from './assign';
import { cancel } from './cancel';
import { listAssignmentsRoute } from './assignments';
import { merchantUsageRoute } from './merchants';
import { listOrders, listSkus } from './orders';
import { handleResultEvent } from './events';

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

export async function main(event: unknown): Promise<Envelope<unknown>> {
  if (!looksLikeResultEvent(event) || callerFromContext().openid) return routed(event);
  try {
    return success(await handleResultEvent(event));
  } catch (err) {
    logEvent('warn', { fn: 'provider', event: 'result', error: err instanceof Error ? err.message : String(err) });
    return failure(err);
  }
}
