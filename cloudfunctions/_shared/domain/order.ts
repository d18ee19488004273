/**
 * Orders as the merchant's two settings shape them. Pure: no SDK.
 *
 * - hidePrices (隐藏单价金额且只能以记账方式提交订单): the only accepted mode is
 *   bookkeeping (记账), and no answer carries a price, an amount or a total.
 * - hideShippingAddress (隐藏收货地址): an address is refused, never stored.
 *
 * Prices come from the catalogue on the server, never from the client.
 */
import type { Order, OrderMode } from '../../../miniprogram/contract';
import { createHash } from 'node:crypto';

export type { OrderMode };

export interface Product {
  productId: string;
  name: string;
  unitPriceFen: number;
}

/**
 * The example shop's catalogue. A merchant replaces this list (or reads a collection);
 * it lives on the server so a client can neither see hidden prices nor set its own.
 */
export const CATALOGUE: readonly Product[] = [
  { productId: 'sample-a', name: '示例商品 A', unitPriceFen: 1250 },
  { productId: 'sample-b', name: '示例商品 B', unitPriceFen: 399 },
];

export interface OrderFlags {
  hidePrices: boolean;
  hideShippingAddress: boolean;
}

export interface OrderRequest {
  mode: OrderMode;
  lines: Array<{ productId: string; qty: number }>;
  address?: string | null;
}

export interface StoredLine {
  productId: string;
  name: string;
  qty: number;
  /** Absent when prices were hidden: nobody is ever shown it, so it is not kept. */
  unitPriceFen?: number;
}

export interface OrderDoc {
  _id: string;
  /** Owner field the security rules compare with `auth.openid`. */
  _openid: string;
  mode: OrderMode;
  status: 'submitted';
  lines: StoredLine[];
  /** null when prices were hidden (see StoredLine.unitPriceFen). */
  totalFen: number | null;
  address: string | null;
  /** Prices were hidden when the customer ordered: they are never shown for this order. */
  pricesHidden: boolean;
  createdAt: Date;
  requestId: string | null;
}

/** Why an order was refused; the edge (orders/submit.ts) says it in the answer's code. */
export type OrderRefusalReason =
  /** Prices are hidden, and then only bookkeeping (记账) orders are taken. */
  | 'prices-hidden'
  /** Shipping addresses are not collected, and one was sent. */
  | 'address-not-collected'
  | 'address-needed'
  | 'unknown-product'
  | 'duplicate-product';

/** A request the merchant's rules refuse, naming the field (a dot path into the request). */
export class OrderRefused extends Error {
  override readonly name = 'OrderRefused';
  constructor(
    readonly reason: OrderRefusalReason,
    readonly field: string,
    detail: string,
  ) {
    super(`${field}: ${detail}`);
  }
}

/** An order as the customer sees it: the contract's `Order`. */
export type OrderView = Order;

/**
 * Checks a request against the flags in force and prices it from the catalogue. Every
 * refusal is an `OrderRefused` naming the field; nothing is written before this passes.
 */
export function priceOrder(
  request: OrderRequest,
  flags: OrderFlags,
  catalogue: readonly Product[] = CATALOGUE,
): { lines: StoredLine[]; totalFen: number | null; address: string | null } {
  if (flags.hidePrices && request.mode !== 'bookkeeping') {
    throw new OrderRefused('prices-hidden', 'mode', 'only bookkeeping (记账) orders are accepted while prices are hidden (hidePrices)');
  }
  const address = (request.address ?? '').trim() || null;
  if (flags.hideShippingAddress && address !== null) {
    throw new OrderRefused('address-not-collected', 'address', 'shipping addresses are not collected (hideShippingAddress)');
  }
  if (!flags.hideShippingAddress && request.mode === 'order' && address === null) {
    throw new OrderRefused('address-needed', 'address', 'an order to be shipped needs an address');
  }
  const seen = new Set<string>();
  const lines = request.lines.map((line, i) => {
    const product = catalogue.find((p) => p.productId === line.productId);
    if (!product) throw new OrderRefused('unknown-product', `lines.${i}.productId`, 'unknown product');
    if (seen.has(product.productId)) throw new OrderRefused('duplicate-product', `lines.${i}.productId`, 'the same product twice');
    seen.add(product.productId);
    return { productId: product.productId, name: product.name, qty: line.qty, unitPriceFen: product.unitPriceFen };
  });
  // Hidden prices are not stored either: an order placed while they are hidden never
  // shows them (orderView), so keeping them would only put them where they could leak.
  if (flags.hidePrices) return { lines: lines.map(({ productId, name, qty }) => ({ productId, name, qty })), totalFen: null, address };
  const totalFen = lines.reduce((sum, l) => sum + l.unitPriceFen * l.qty, 0);
  return { lines, totalFen, address };
}

/** What a customer may see of an order: no price at all while prices are hidden now or were when it was placed. */
export function orderView(doc: OrderDoc, flags: OrderFlags): OrderView {
  const hide = flags.hidePrices || doc.pricesHidden || doc.totalFen === null;
  const view: OrderView = {
    orderId: doc._id,
    mode: doc.mode,
    status: doc.status,
    createdAt: new Date(doc.createdAt).toISOString(),
    lines: doc.lines.map((l) =>
      hide
        ? { productId: l.productId, name: l.name, qty: l.qty }
        : { productId: l.productId, name: l.name, qty: l.qty, unitPriceFen: l.unitPriceFen ?? 0, amountFen: (l.unitPriceFen ?? 0) * l.qty },
    ),
    address: flags.hideShippingAddress ? null : doc.address,
  };
  if (!hide && doc.totalFen !== null) view.totalFen = doc.totalFen;
  return view;
}

/** The catalogue as a customer may see it. */
export function productView(
  products: readonly Product[],
  flags: OrderFlags,
): Array<{ productId: string; name: string; unitPriceFen?: number }> {
  return products.map((p) => (flags.hidePrices ? { productId: p.productId, name: p.name } : { ...p }));
}

/**
 * The order id: derived from the caller and the client's request id, so a resend of
 * the same submission (a lost answer, a double tap) finds the order instead of making
 * a second one; it reveals neither.
 */
export function orderIdFor(openid: string, requestId: string): string {
  return createHash('sha256').update(`order:${openid}:${requestId}`).digest('hex').slice(0, 24);
}
