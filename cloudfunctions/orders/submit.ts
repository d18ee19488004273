/** `orders.submit` and `orders.list`: the caller's own orders, as the merchant's settings allow. */
import * as v from 'valibot';
import { pageLimit } from '../_shared/domain/amount-schemas';
import { randomUUID } from 'node:crypto';
import { route } from '../_shared/runtime/router';
import { loadSettings } from '../_shared/data/settings';
import { findOrder, insertOrder, ordersOf } from '../_shared/data/orders';
import { now } from '../_shared/runtime/clock';
import { AppError } from '../_shared/runtime/errors';
import {
  CATALOGUE,
  OrderRefused,
  orderIdFor,
  orderView,
  priceOrder,
  productView,
  type OrderDoc,
  type OrderRefusalReason,
} from '../_shared/domain/order';
import type { ErrorCode } from '../_shared/runtime/errors';

const submitInput = v.object({
  mode: v.picklist(['order', 'bookkeeping'], 'mode must be "order" or "bookkeeping"'),
  lines: v.pipe(
    v.array(
      v.object({
        productId: v.pipe(v.string('productId must be a string'), v.maxLength(64, 'productId is too long')),
        qty: v.pipe(
          v.number('qty must be a number'),
          v.integer('qty must be a whole number'),
          v.minValue(1, 'qty must be at least 1'),
          v.maxValue(999, 'qty must be at most 999'),
        ),
      }),
      'lines must be a list',
    ),
    v.minLength(1, 'lines must name at least one product'),
    v.maxLength(50, 'lines must have at most 50 entries'),
  ),
  address: v.optional(v.nullable(v.pipe(v.string('address must be a string'), v.maxLength(200, 'address must be at most 200 characters')))),
  /** The client's id for this submission: the same id again returns the same order. */
  requestId: v.optional(
    v.pipe(v.string('requestId must be a string'), v.regex(/^[A-Za-z0-9_-]{8,64}$/, 'requestId must be 8–64 letters, digits, "_" or "-"')),
  ),
});

/** A refusal the merchant's settings make is FORBIDDEN; a request that cannot be an order is INVALID_ARGUMENT. */
const REFUSAL_CODE: Record<OrderRefusalReason, ErrorCode> = {
  'prices-hidden': 'FORBIDDEN',
  'address-not-collected': 'FORBIDDEN',
  'address-needed': 'INVALID_ARGUMENT',
  'unknown-product': 'INVALID_ARGUMENT',
  'duplicate-product': 'INVALID_ARGUMENT',
};

function priceOrRefuse(...args: Parameters<typeof priceOrder>): ReturnType<typeof priceOrder> {
  try {
    return priceOrder(...args);
  } catch (err) {
    if (err instanceof OrderRefused) throw new AppError(REFUSAL_CODE[err.reason], err.message, { field: err.field });
    throw err;
  }
}

export const submitOrder = route(submitInput, async (input, { caller }) => {
  const openid = caller.openid;
  const settings = await loadSettings();
  const flags = { hidePrices: settings.hidePrices, hideShippingAddress: settings.hideShippingAddress };
  const priced = priceOrRefuse(input, flags);
  const requestId = input.requestId ?? null;
  const doc: OrderDoc = {
    _id: requestId ? orderIdFor(openid, requestId) : randomUUID().replace(/-/g, '').slice(0, 24),
    _openid: openid,
    mode: input.mode,
    status: 'submitted',
    lines: priced.lines,
    totalFen: priced.totalFen,
    address: priced.address,
    pricesHidden: flags.hidePrices,
    createdAt: now(),
    requestId,
  };
  if (await insertOrder(doc)) return orderView(doc, flags);
  // The same submission again: answer with the order it made.
  const stored = await findOrder(doc._id);
  if (!stored || stored._openid !== openid)
    throw new AppError('CONFLICT', 'requestId: already used for another order', { field: 'requestId' });
  return orderView(stored, flags);
});

const listInput = v.object({
  limit: pageLimit(50, 20),
});

export const listOrders = route(listInput, async ({ limit }, { caller }) => {
  const openid = caller.openid;
  const [settings, docs] = await Promise.all([loadSettings(), ordersOf(openid, limit)]);
  const flags = { hidePrices: settings.hidePrices, hideShippingAddress: settings.hideShippingAddress };
  return { orders: docs.map((d) => orderView(d, flags)) };
});

export const listProducts = route(v.object({}), async () => {
  const settings = await loadSettings();
  return {
    products: productView(CATALOGUE, { hidePrices: settings.hidePrices, hideShippingAddress: settings.hideShippingAddress }),
    hidePrices: settings.hidePrices,
    hideShippingAddress: settings.hideShippingAddress,
  };
});
