/**
 * `provider.orders.list` and `provider.skus.list { orderId }`: the provider's bulk
 * orders, synced from WeChat into `provider_orders`, and the SKUs an order can be
 * assigned as. When WeChat cannot be reached, orders.list answers the last synced copy
 * and says why it is stale.
 */
import * as v from 'valibot';
import { AppError } from '../_shared/errors';
import { now } from '../_shared/clock';
import { logEvent } from '../_shared/log';
import { noParams, route } from '../_shared/router';
import { listStoredOrders, saveOrders, type ProviderOrderDoc } from '../_shared/data/provider-orders';
import { convertibleSkus, queryOrders, type SpOrder } from '../_shared/wechat/service-provider';
import { wechatId } from './inputs';
import { asAppError, askWechat } from './wechat-errors';

const DAY_SECONDS = 86_400;

/** WeChat's order status numbers; 1 (paid) is the only one documented. */
const orderStatus = (n: number) => (n === 1 ? 'paid' : `wechat-${n}`);

function toDoc(order: SpOrder, at: Date): ProviderOrderDoc {
  return {
    _id: order.orderId,
    wechatStatus: order.status,
    createdAt: new Date(order.createTime * 1000),
    calls: order.usage.all,
    used: order.usage.used,
    priceFen: order.orderPriceFen,
    spuId: order.product.spSpuId,
    skuId: order.product.spSkuId,
    skuName: order.product.skuName,
    syncedAt: at,
  };
}

function orderView(doc: ProviderOrderDoc) {
  return {
    orderId: doc._id,
    status: orderStatus(doc.wechatStatus),
    createdAt: doc.createdAt,
    calls: doc.calls,
    used: doc.used,
    remaining: Math.max(0, doc.calls - doc.used),
    skuName: doc.skuName,
    syncedAt: doc.syncedAt,
  };
}

export const listOrders = route(noParams, async () => {
  const at = now();
  let fresh: SpOrder[];
  try {
    fresh = await queryOrders();
  } catch (err) {
    const error = asAppError(err, 'read');
    if (!(error instanceof AppError) || error.code !== 'UPSTREAM_UNAVAILABLE') throw error;
    const stored = await listStoredOrders();
    if (stored.length === 0) throw error;
    return { orders: stored.map(orderView), staleBecause: error.message };
  }
  const docs = fresh.map((o) => toDoc(o, at)).sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || a._id.localeCompare(b._id));
  const written = await saveOrders(docs);
  logEvent('info', { fn: 'provider', route: 'orders.list', orders: docs.length, written });
  return { orders: docs.map(orderView), staleBecause: null };
});

export const listSkus = route(v.object({ orderId: wechatId('orderId') }), async ({ orderId }) => {
  const skus = await askWechat('read', () => convertibleSkus(orderId));
  return { skus: skus.map((s) => ({ skuId: s.skuId, name: s.skuName, calls: s.count, validityDays: Math.round(s.duration / DAY_SECONDS) })) };
});
