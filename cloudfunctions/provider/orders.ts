/**
 * `provider.orders.list` and `provider.skus.list { orderId }`: the provider's bulk
 * orders, synced from WeChat into `provider_orders`, and the SKUs an order can be
 * assigned as. `order/query_list` requires a spuId, so each bulk product in
 * PROVIDER_BULK_SPU_IDS is queried. When WeChat cannot be reached, orders.list answers
 * the last synced copy and says why it is stale.
 *
 * Figures WeChat leaves out or sends in a form we cannot read show as null, and a
 * status number we have no word for as `wechat-<n>` (PROVIDER_ORDER_STATUS_NAMES holds
 * the words; the enum is not public): never a made-up value, never a crash.
 */
import * as v from 'valibot';
import { AppError } from '../_shared/errors';
import { now } from '../_shared/clock';
import { providerBulkSpuIds, providerOrderStatusNames } from '../_shared/config';
import { logEvent } from '../_shared/log';
import { noParams, route } from '../_shared/router';
import { findStoredOrder, listStoredOrders, saveOrders, type ProviderOrderDoc } from '../_shared/data/provider-orders';
import { convertibleSkus, queryOrders, type SpOrder } from '../_shared/wechat/service-provider';
import { wechatId } from './inputs';
import { askWechat, toAppError } from './wechat-errors';

const DAY_SECONDS = 86_400;

function statusNames(): Record<string, string> {
  try {
    const parsed = JSON.parse(providerOrderStatusNames()) as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, string>) : {};
  } catch {
    throw new AppError('INTERNAL', 'PROVIDER_ORDER_STATUS_NAMES is not a JSON object { "<number>": "<word>" }.');
  }
}

/** Our word for WeChat's status number: configured, else `wechat-<n>`, else `unknown`. */
export function orderStatus(n: number | null, names: Record<string, string>): string {
  if (n === null) return 'unknown';
  const word = names[String(n)];
  return typeof word === 'string' && word ? word : `wechat-${n}`;
}

function toDoc(order: SpOrder, at: Date): ProviderOrderDoc {
  return {
    _id: order.orderId,
    wechatStatus: order.status,
    createdAt: order.createTime === null ? null : new Date(order.createTime),
    calls: order.usage.all,
    used: order.usage.used,
    priceFen: order.orderPriceFen,
    spuId: order.product.spSpuId,
    skuId: order.product.spSkuId,
    skuName: order.product.skuName,
    syncedAt: at,
  };
}

function orderView(doc: ProviderOrderDoc, names: Record<string, string>) {
  return {
    orderId: doc._id,
    status: orderStatus(doc.wechatStatus, names),
    wechatStatus: doc.wechatStatus,
    createdAt: doc.createdAt,
    calls: doc.calls,
    used: doc.used,
    remaining: doc.calls !== null && doc.used !== null ? Math.max(0, doc.calls - doc.used) : null,
    spuId: doc.spuId,
    skuName: doc.skuName,
    syncedAt: doc.syncedAt,
  };
}

const newestFirst = (a: ProviderOrderDoc, b: ProviderOrderDoc) =>
  (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0) || a._id.localeCompare(b._id);

export const listOrders = route(noParams, async () => {
  const at = now();
  const names = statusNames();
  const fresh: SpOrder[] = [];
  for (const spuId of providerBulkSpuIds()) {
    const result = await queryOrders(spuId);
    if (result.ok) {
      fresh.push(...result.value);
      continue;
    }
    const error = toAppError(result.failure, 'read');
    if (error.code !== 'UPSTREAM_UNAVAILABLE') throw error;
    const stored = await listStoredOrders();
    if (stored.length === 0) throw error;
    return { orders: stored.sort(newestFirst).map((d) => orderView(d, names)), staleBecause: error.message };
  }
  const docs = fresh
    .filter((o) => o.orderId)
    .map((o) => toDoc(o, at))
    .sort(newestFirst);
  const written = await saveOrders(docs);
  logEvent('info', { fn: 'provider', route: 'orders.list', orders: docs.length, written });
  return { orders: docs.map((d) => orderView(d, names)), staleBecause: null };
});

export const listSkus = route(v.object({ orderId: wechatId('orderId') }), async ({ orderId }) => {
  const stored = await findStoredOrder(orderId);
  const skus = await askWechat('read', () => convertibleSkus({ orderId, spSpuId: stored?.spuId, spSkuId: stored?.skuId }));
  return {
    skus: skus.map((s) => ({
      skuId: s.skuId,
      name: s.skuName,
      calls: s.count,
      validityDays: s.duration === null ? null : Math.round(s.duration / DAY_SECONDS),
    })),
  };
});
