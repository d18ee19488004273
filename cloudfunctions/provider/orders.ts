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
import { AppError } from '../_shared/runtime/errors';
import { now } from '../_shared/runtime/clock';
import { providerBulkSpuIds, providerOrderStatusNames } from '../_shared/runtime/config';
import { noParams, route } from '../_shared/runtime/router';
import { findStoredOrder, listStoredOrders, saveOrders, type ProviderOrderDoc } from '../_shared/data/provider-orders';
import { convertibleSkus, queryOrders, type SpOrder } from '../_shared/wechat/service-provider';
import { wechatId } from './inputs';
import { askWechat, toAppError } from './wechat-errors';

const DAY_SECONDS = 86_400;

function statusNames(): Record<string, string> {
  try {
    const parsed = JSON.parse(providerOrderStatusNames()) as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, string>) : {};
  } catch (err) {
    throw new AppError('INTERNAL', 'PROVIDER_ORDER_STATUS_NAMES is not a JSON object { "<number>": "<word>" }.', { cause: err });
  }
}

/** Our word for WeChat's status number: configured, else `wechat-<n>`, else `unknown`. */
function orderStatus(n: number | null, names: Record<string, string>): string {
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

/**
 * Each bulk product is asked on its own: one WeChat refuses (a product never bought) or
 * cannot answer does not hide the others. A product that did not answer is named in
 * `unavailable`; its orders are the stored copy when there is one (then `staleBecause`
 * says why). Only when no product answered and nothing is stored is the answer an error.
 */
export const listOrders = route(noParams, async (_input, { log }) => {
  const at = now();
  const names = statusNames();
  const fresh: SpOrder[] = [];
  const unavailable: Array<{ spuId: string; message: string }> = [];
  let firstError: AppError | null = null;
  for (const spuId of providerBulkSpuIds()) {
    const result = await queryOrders(spuId);
    if (result.ok) fresh.push(...result.value.map((o) => ({ ...o, product: { ...o.product, spSpuId: o.product.spSpuId || spuId } })));
    else {
      const error = toAppError(result.failure, 'read');
      firstError ??= error;
      unavailable.push({ spuId, message: error.message });
    }
  }
  const docs = fresh.filter((o) => o.orderId).map((o) => toDoc(o, at));
  const written = await saveOrders(docs);
  const missing = new Set(unavailable.map((u) => u.spuId));
  const stored = missing.size > 0 ? (await listStoredOrders()).filter((d) => missing.has(d.spuId)) : [];
  if (firstError && docs.length === 0 && stored.length === 0 && unavailable.length === providerBulkSpuIds().length) throw firstError;
  log.info({ orders: docs.length, written, unavailable: [...missing] });
  const staleBecause =
    stored.length > 0 ? unavailable.map((u) => `${u.spuId}: ${u.message}`).join(' ') + ' (showing the last synced copy)' : null;
  return { orders: [...docs, ...stored].sort(newestFirst).map((d) => orderView(d, names)), staleBecause, unavailable };
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
