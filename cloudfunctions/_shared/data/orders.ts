/** `orders`: the example shop's orders. No client reads them directly (rules: `read: false`); `orders.list` gives a customer their own. */
import { db } from '../runtime/cloud';
import { isDuplicateKey } from '../runtime/db-errors';
import type { OrderDoc } from '../domain/order';

const orders = () => db.collection<OrderDoc>('orders');

/** Stores a new order; false when one with this id exists already (the same submission again). */
export async function insertOrder(doc: OrderDoc): Promise<boolean> {
  try {
    await orders().add({ data: doc });
    return true;
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}

export async function findOrder(orderId: string): Promise<OrderDoc | null> {
  return ((await orders().doc(orderId).get()).data as OrderDoc | null | undefined) ?? null;
}

/** A customer's orders, newest first. */
export async function ordersOf(openid: string, limit: number): Promise<OrderDoc[]> {
  return (await orders().where({ _openid: openid }).orderBy('createdAt', 'desc').limit(limit).get()).data;
}
