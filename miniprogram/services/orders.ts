/** The orders function, as the order page uses it. Prices never arrive while the merchant hides them. */
import { callRoute } from './cloud';

export type OrderMode = 'order' | 'bookkeeping';

export interface Product {
  productId: string;
  name: string;
  /** Absent while prices are hidden. */
  unitPriceFen?: number;
}

export interface Order {
  orderId: string;
  mode: OrderMode;
  status: 'submitted';
  createdAt: string;
  lines: Array<{ productId: string; name: string; qty: number; unitPriceFen?: number; amountFen?: number }>;
  totalFen?: number;
  address: string | null;
}

export interface Catalogue {
  products: Product[];
  hidePrices: boolean;
  hideShippingAddress: boolean;
}

export interface NewOrder {
  mode: OrderMode;
  lines: Array<{ productId: string; qty: number }>;
  address: string | null;
  requestId: string;
}

export const listProducts = () => callRoute<Catalogue>('orders', 'products.list');
export const submitOrder = (order: NewOrder) => callRoute<Order>('orders', 'submit', { ...order });
export const listMyOrders = (limit = 20) => callRoute<{ orders: Order[] }>('orders', 'list', { limit });

/** An id for one submission, so a resend after a lost answer finds the same order. */
export function newRequestId(): string {
  const random = Math.random().toString(36).slice(2, 10);
  return `o${Date.now().toString(36)}${random}`;
}

export const MODE_LABELS: Record<OrderMode, string> = { order: '提交订单', bookkeeping: '记账' };
