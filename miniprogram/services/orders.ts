/** The orders function, as the order page uses it. Prices never arrive while the merchant hides them. */
import type { NewOrder, OrderMode } from '../contract';
import { callRoute } from './cloud';
import { newRequestId } from './request-id';

export type { Catalogue, Order, OrderMode } from '../contract';

export const listProducts = () => callRoute('orders', 'products.list');
export const submitOrder = (order: NewOrder) => callRoute('orders', 'submit', order);
export const listMyOrders = (limit = 20) => callRoute('orders', 'list', { limit });

/** An id for one submission, so a resend after a lost answer finds the same order. */
export const newOrderRequestId = () => newRequestId('o');

/** What a stored order is (a noun): 订单 (to be shipped) or 记账 — never the button's verb 提交订单. */
export const MODE_LABELS: Record<OrderMode, string> = { order: '订单', bookkeeping: '记账' };
