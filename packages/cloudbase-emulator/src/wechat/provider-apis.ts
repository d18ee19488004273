/**
 * WeChat's service-provider APIs (`/wxa/charge/service-provider/...`) as the emulator
 * fakes them, following the service-market pages
 * (developers.weixin.qq.com/doc/oplatform/service_market/charge/api/…; docs/provider.md
 * keeps the table of what is documented, community-reported or assumed):
 * - `order/query_list` (charge_sp_query_order_list): `spuId` required; orders with
 *   `createTime` in milliseconds, `orderPrice` and `usage.used/all` as strings, and
 *   status 2 for a paid order (the documented example's value; the enum is not public).
 * - `order/get` (charge_sp_get_order): `{ order }` only — no list of assignments.
 * - `package/get_convertible_skus` (charge_sp_get_convertible_skus): `orderId`, or
 *   `spSpuId` + `spSkuId`; the call count is `attr.proportion.quota.quota`.
 * - `package/assign` / `package/cancel_assign`: answer at once; the result is pushed
 *   later (provider-results.ts, provider-push.ts).
 *
 * Any valid token from the token fakes is the provider's.
 */
import type { AccessTokens } from './access-tokens';
import { integerParam, INVALID_ARGS, USAGE_PAGE_MAX, type WechatHandler } from './http-apis';
import {
  ERR_BAD_ORDER,
  ERR_INVALID_ARGS,
  kindOfBulkSpu,
  ladderOf,
  orderExpiresAt,
  STATUS_NAMES,
  type Assignment,
  type ProviderOrders,
  type SpOrder,
} from './provider-orders';
import { SOURCE_PROVIDER } from './usage-ledger';

const SP_PATH = '/wxa/charge/service-provider';

interface ProviderApiDeps {
  tokens: AccessTokens;
  orders: ProviderOrders;
  clock(): number;
  /** Whether the provider may assign to this mini program (10045 when not). */
  related(appid: string): boolean;
  /** Charges of the receiver that drew on the assignment's pack. */
  packUsed(assignment: Assignment): number;
  /** An assign or cancel was accepted: settle it later. */
  accepted(assignment: Assignment, change: 'assign' | 'cancel'): void;
}

const OK = { errcode: 0, errmsg: 'ok' } as const;
const seconds = (ms: number) => Math.floor(ms / 1000);
/** List price per call in fen (0.03 and 0.04 CNY: docs/quota.md); WeChat's bulk prices are not public. */
const FEN_PER_CALL = { quick: 3, realtime: 4 } as const;

/** A paid order's status in the documented example of `order/get`; the enum is not public. */
const ORDER_STATUS_PAID = 2;

/** `Order` as the documented example shows it: times in ms, price and usage as strings. */
function wireOrder(order: SpOrder, orders: ProviderOrders) {
  return {
    orderId: order.orderId,
    status: ORDER_STATUS_PAID,
    createTime: order.createdAt,
    orderPrice: String(order.calls * FEN_PER_CALL[kindOfBulkSpu(order.spuId) ?? 'quick']),
    orderProductInfo: { spSpuId: order.spuId, spSkuId: spSkuIdOf(order), skuName: `${order.calls}次/${order.validityDays}天`, skuCnt: 1 },
    usage: { used: String(orders.used(order.orderId)), all: String(order.calls) },
  };
}

/** The SKU the provider bought (one unit of `calls` for `validityDays`). */
export const spSkuIdOf = (order: SpOrder) => `sp-bulk-${order.calls}-${order.validityDays}d`;

const isText = (v: unknown): v is string => typeof v === 'string' && v !== '';

/** A JSON body's optional non-negative integer; null when malformed. */
function integerField(value: unknown, fallback: number): number | null {
  if (value === undefined) return fallback;
  return Number.isSafeInteger(value) && (value as number) >= 0 ? (value as number) : null;
}

/** Page [offset, offset + limit) with limit 1…20, or null when malformed. */
function page(offset: number | null, limit: number | null): { offset: number; limit: number } | null {
  if (offset === null || limit === null || limit < 1 || limit > USAGE_PAGE_MAX) return null;
  return { offset, limit };
}

export function providerApis(deps: ProviderApiDeps): Record<string, WechatHandler> {
  const { orders } = deps;
  // Every API checks the token first, as WeChat does.
  const authorized =
    (handler: WechatHandler): WechatHandler =>
    (request) => {
      const caller = deps.tokens.check(request.query.get('access_token'));
      return 'errcode' in caller ? caller : handler(request);
    };
  const orderOf = (orderId: unknown) => (isText(orderId) ? orders.order(orderId) : undefined);
  const unknownOrder = { errcode: ERR_BAD_ORDER, errmsg: '订单ID不合法或订单状态不正确' };
  const badArgs = (what: string) => ({ errcode: ERR_INVALID_ARGS, errmsg: `参数错误: ${what}` });

  const handlers: Record<string, WechatHandler> = {
    [`POST ${SP_PATH}/order/query_list`]: ({ body }) => {
      const { spuId } = body;
      // Required (charge_sp_query_order_list); only bulk products have orders.
      if (!(typeof spuId === 'string' && kindOfBulkSpu(spuId))) return badArgs('spuId is required and must be a bulk product');
      const p = page(integerField(body.offset, 0), integerField(body.limit, USAGE_PAGE_MAX));
      if (!p) return badArgs('offset, limit (1-20)');
      const listed = orders.list(spuId);
      return { ...OK, total: listed.length, orderList: listed.slice(p.offset, p.offset + p.limit).map((o) => wireOrder(o, orders)) };
    },

    [`GET ${SP_PATH}/order/get`]: ({ query }) => {
      const order = orderOf(query.get('orderId'));
      if (!order) return unknownOrder;
      return { ...OK, order: wireOrder(order, orders) };
    },

    // By orderId (what the order still fits), or by the bulk product spSpuId + spSkuId (every SKU it converts into).
    [`GET ${SP_PATH}/package/get_convertible_skus`]: ({ query }) => {
      const orderId = query.get('orderId');
      if (orderId) {
        const order = orderOf(orderId);
        if (!order) return unknownOrder;
        return { ...OK, skuList: orders.convertibleSkus(order, deps.clock()) };
      }
      const spSpuId = query.get('spSpuId') ?? '';
      const spSkuId = query.get('spSkuId') ?? '';
      const product = orders.list(spSpuId).find((o) => spSkuIdOf(o) === spSkuId);
      if (!kindOfBulkSpu(spSpuId) || !product) return badArgs('orderId, or spSpuId and spSkuId of a bought product');
      return { ...OK, skuList: ladderOf(product) };
    },

    [`POST ${SP_PATH}/package/assign`]: ({ body }) => {
      const { orderId, skuId, receiverAppId, requestId, beginTime } = body;
      if (!isText(orderId) || !isText(skuId) || typeof receiverAppId !== 'string' || typeof requestId !== 'string')
        return badArgs('orderId, skuId, receiverAppId, requestId');
      const begin = beginTime === undefined || beginTime === null ? null : integerField(beginTime, 0);
      if (begin === null && beginTime !== undefined && beginTime !== null) return badArgs('beginTime must be milliseconds');
      const outcome = orders.assign({ orderId, skuId, receiverAppId, requestId, beginTime: begin }, deps.clock(), deps.related);
      if (!outcome.ok) return { errcode: outcome.errcode, errmsg: outcome.errmsg };
      deps.accepted(outcome.assignment, 'assign');
      return { ...OK };
    },

    [`POST ${SP_PATH}/package/cancel_assign`]: ({ body }) => {
      const { orderId, requestId } = body;
      if (!isText(orderId) || !isText(requestId)) return badArgs('orderId, requestId');
      const outcome = orders.cancel(orderId, requestId, deps.clock(), deps.packUsed);
      if (!outcome.ok) return { errcode: outcome.errcode, errmsg: outcome.errmsg };
      deps.accepted(outcome.assignment, 'cancel');
      return { ...OK };
    },

    // Like the mini program's usage API, one "package" per bulk order of that spuId.
    [`GET ${SP_PATH}/usage/get`]: ({ query }) => {
      const spuId = query.get('spuId') ?? '';
      if (!kindOfBulkSpu(spuId)) return INVALID_ARGS;
      const p = page(integerParam(query, 'offset', 0), integerParam(query, 'limit', USAGE_PAGE_MAX));
      if (!p) return INVALID_ARGS;
      const now = deps.clock();
      const listed = [...orders.list(spuId)].sort((a, b) => a.createdAt - b.createdAt);
      const packages = listed.map((o) => ({
        pkgId: o.orderId,
        status: now >= orderExpiresAt(o) ? 3 : 1,
        startTime: seconds(o.createdAt),
        endTime: seconds(orderExpiresAt(o)),
        all: o.calls,
        used: orders.used(o.orderId),
        spuId,
        skuId: spSkuIdOf(o),
        source: SOURCE_PROVIDER,
      }));
      const running = packages.filter((x) => x.status === 1);
      // Counts as strings, as the usage API documents them.
      return {
        ...OK,
        effectiveUse: String(running.reduce((sum, x) => sum + x.used, 0)),
        all: String(running.reduce((sum, x) => sum + x.all, 0)),
        total: packages.length,
        detailList: packages.slice(p.offset, p.offset + p.limit).map((x) => ({ ...x, all: String(x.all), used: String(x.used) })),
      };
    },
  };
  return Object.fromEntries(Object.entries(handlers).map(([key, handler]) => [key, authorized(handler)]));
}

/** `GET /v1/wechat/sp-orders`: every order with its assignments, statuses in words. */
export function spOrdersView(orders: ProviderOrders) {
  return {
    orders: orders.list().map((o) => ({
      orderId: o.orderId,
      calls: o.calls,
      assigned: orders.used(o.orderId),
      assignments: orders.assignmentsOf(o.orderId).map((a) => ({
        requestId: a.requestId,
        receiverAppId: a.receiverAppId,
        skuId: a.skuId,
        calls: a.count,
        status: STATUS_NAMES[a.status],
      })),
    })),
  };
}
