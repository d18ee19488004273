/**
 * `provider_orders/<orderId>`: the provider's bulk orders as WeChat last reported them,
 * synced by `provider.orders.list`. WeChat stays the authority; the copy lets admins
 * see the last known figures when WeChat does not answer.
 */
import { db, command as _ } from '../runtime/cloud';

export interface ProviderOrderDoc {
  _id: string;
  /** WeChat's status number (the enum is not public; a paid order's documented example is 2); null when absent. */
  wechatStatus: number | null;
  /** From createTime (ms); null when WeChat gave none we can read. */
  createdAt: Date | null;
  calls: number | null;
  used: number | null;
  priceFen: number | null;
  spuId: string;
  skuId: string;
  skuName: string;
  syncedAt: Date;
}

const orders = () => db.collection<ProviderOrderDoc>('provider_orders');

const revive = (doc: ProviderOrderDoc): ProviderOrderDoc => ({
  ...doc,
  createdAt: doc.createdAt ? new Date(doc.createdAt) : null,
  syncedAt: new Date(doc.syncedAt),
});
const timeOf = (d: Date | null | undefined) => (d ? new Date(d).getTime() : null);

/** Newest first. */
export async function listStoredOrders(limit = 1000): Promise<ProviderOrderDoc[]> {
  const { data } = await orders().orderBy('createdAt', 'desc').limit(limit).get();
  return data.map(revive);
}

const CHUNK = 100;
const FIGURES = ['wechatStatus', 'calls', 'used', 'priceFen', 'spuId', 'skuId', 'skuName'] as const;

/** One stored order (for the product it was bought as, which get_convertible_skus takes). */
export async function findStoredOrder(orderId: string): Promise<ProviderOrderDoc | null> {
  const { data } = await orders().doc(orderId).get();
  return data ? revive(data) : null;
}

/**
 * Stores WeChat's orders: new ones are written, changed ones updated, unchanged ones
 * left alone (a sync of an unchanged account writes nothing).
 */
export async function saveOrders(fresh: ProviderOrderDoc[]): Promise<number> {
  if (fresh.length === 0) return 0;
  const stored = new Map<string, ProviderOrderDoc>();
  for (let i = 0; i < fresh.length; i += CHUNK) {
    const ids = fresh.slice(i, i + CHUNK).map((o) => o._id);
    const { data } = await orders()
      .where({ _id: _.in(ids) })
      .limit(CHUNK)
      .get();
    for (const o of data) stored.set(o._id, o);
  }
  let written = 0;
  for (const order of fresh) {
    const old = stored.get(order._id);
    const changed = !old || FIGURES.some((field) => old[field] !== order[field]) || timeOf(old.createdAt) !== timeOf(order.createdAt);
    if (!changed) continue;
    const { _id, ...fields } = order;
    await orders().doc(_id).set({ data: fields });
    written++;
  }
  return written;
}
