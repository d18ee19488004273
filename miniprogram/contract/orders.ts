/** `orders`: the example shop (cloudfunctions/orders). Prices never arrive while the merchant hides them. */
import type { IsoTime, NoInput } from './common';

export type OrderMode = 'order' | 'bookkeeping';

export interface Product {
  productId: string;
  name: string;
  /** Absent while prices are hidden. */
  unitPriceFen?: number;
}

export interface Catalogue {
  products: Product[];
  hidePrices: boolean;
  hideShippingAddress: boolean;
}

export interface Order {
  orderId: string;
  mode: OrderMode;
  status: 'submitted';
  createdAt: IsoTime;
  lines: Array<{ productId: string; name: string; qty: number; unitPriceFen?: number; amountFen?: number }>;
  totalFen?: number;
  address: string | null;
}

export interface NewOrder {
  mode: OrderMode;
  lines: Array<{ productId: string; qty: number }>;
  address?: string | null;
  /** The same id twice stores one order (a resend after a lost answer). */
  requestId?: string;
}

export interface OrdersRoutes {
  /** The catalogue (no price while hidePrices is on) and the flags in force. */
  'products.list': { input: NoInput; output: Catalogue };
  /** Stores an order, priced on the server. */
  submit: { input: NewOrder; output: Order };
  /** The caller's own orders, newest first; never a hidden price. */
  list: { input: { limit?: number }; output: { orders: Order[] } };
}
