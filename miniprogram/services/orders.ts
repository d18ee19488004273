/** The orders function, as the order page uses it. Prices never arrive while the merchant hides them. */
import type { NewOrder, OrderMode } from '../contract';
import { callRoute } from './cloud';

export type { Catalogue, NewOrder, Order, OrderMode, Product } from '../contract';

export const listProducts = () => callRoute('orders', 'products.list');
export const submitOrder = (order: NewOrder) => callRoute('orders', 'submit', order);
export const listMyOrders = (limit = 20) => callRoute('orders', 'list', { limit });

/** An id for one submission, so a resend after a lost answer finds the same order. */
export function newRequestId(): string {
  const random = Math.random().toString(36).slice(2, 10);
  return `o${Date.now().toString(36)}${random}`;
}

export const MODE_LABELS: Record<OrderMode, string> = { order: '提交订单', bookkeeping: '记账' };
