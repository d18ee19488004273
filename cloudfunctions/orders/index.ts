/**
 * `orders`: the example shop's orders, honouring the merchant's settings on the server.
 *
 * | $url          | what                                                                        |
 * | ------------- | --------------------------------------------------------------------------- |
 * | products.list | the catalogue; no price while hidePrices is on; the two flags in force      |
 * | submit        | `{ mode, lines, address?, requestId? }`: stores the order, priced here      |
 * | list          | `{ limit? }`: the caller's own orders, newest first; never a hidden price   |
 *
 * hidePrices: any mode but bookkeeping (记账) is FORBIDDEN. hideShippingAddress: an
 * address is FORBIDDEN. Nothing is written when a request is refused.
 */
import { callerFromContext } from '../_shared/runtime/cloud';
import { access, createHandler } from '../_shared/runtime/router';
import { listOrders, listProducts, submitOrder } from './submit';

export const main = createHandler({
  name: 'orders',
  identify: callerFromContext,
  routes: { 'products.list': access.user(listProducts), submit: access.user(submitOrder), list: access.user(listOrders) },
});
