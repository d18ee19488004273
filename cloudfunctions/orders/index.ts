/**
 * `orders`: the example shop's orders, honouring the merchant's settings on the server.
 *
 * Its routes, their input and output: miniprogram/contract/orders.ts (the one list; the
 * table below must implement it or it does not compile).
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
