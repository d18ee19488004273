/**
 * WeChat's service-provider APIs (`/wxa/charge/service-provider/...`) as the emulator
 * fakes them, following docs/provider.md. Assign and cancel only start the change and
 * answer ok; the emulator settles it after a delay and pushes the result event
 * (provider-results.ts), as WeChat does.
 *
 * Which access token WeChat wants here is unconfirmed, so any valid token from the
 * token fakes is the provider's.
 */
import type { AccessTokens } from './access-tokens';
import { integerParam, INVALID_ARGS, USAGE_PAGE_MAX, type WechatHandler } from './http-apis';
import {
  ERR_INVALID_ARGS,
  orderExpiresAt,
  STATUS_NAMES,
  type Assignment,
  type AssignmentStatus,
  type ProviderOrders,
  type SpOrder,
} from './provider-orders';
import { kindOfSpu, SOURCE_PROVIDER } from './usage-ledger';

export const SP_PATH = '/wxa/charge/service-provider';

export interface ProviderApiDeps {
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
/** List price per call in fen (DESIGN.md: 0.03 and 0.04 CNY); WeChat's bulk prices are not public. */
const FEN_PER_CALL = { quick: 3, realtime: 4 } as const;

/** `Order` of docs/provider.md. */
export function wireOrder(order: SpOrder, orders: ProviderOrders) {
  return {
    orderId: order.orderId,
    // 1 paid: the only state an order the provider can draw on has.
    status: 1,
    createTime: seconds(order.createdAt),
    orderPrice: order.calls * FEN_PER_CALL[kindOfSpu(order.spuId) ?? 'quick'],
    orderProductInfo: { spSpuId: order.spuId, spSkuId: spSkuIdOf(order), skuName: `${order.calls}次/${order.validityDays}天`, skuCnt: 1 },
    usage: { used: orders.used(order.orderId), all: order.calls },
  };
}

/** The SKU the provider bought (one unit of `calls` for `validityDays`). */
export const spSkuIdOf = (order: SpOrder) => `sp-bulk-${order.calls}-${order.validityDays}d`;

export function wireAssignment(a: Assignment): { requestId: string; receiverAppId: string; skuId: string; count: number; status: AssignmentStatus } {
  return { requestId: a.requestId, receiverAppId: a.receiverAppId, skuId: a.skuId, count: a.count, status: a.status };
}

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
  const unknownOrder = { errcode: ERR_INVALID_ARGS, errmsg: 'invalid args: unknown orderId' };

  const handlers: Record<string, WechatHandler> = {
    [`POST ${SP_PATH}/order/query_list`]: ({ body }) => {
      const { spuId } = body;
      if (spuId !== undefined && !(typeof spuId === 'string' && kindOfSpu(spuId))) return INVALID_ARGS;
      const p = page(integerField(body.offset, 0), integerField(body.limit, USAGE_PAGE_MAX));
      if (!p) return INVALID_ARGS;
      const listed = orders.list(spuId);
      return { ...OK, total: listed.length, orderList: listed.slice(p.offset, p.offset + p.limit).map((o) => wireOrder(o, orders)) };
    },

    [`GET ${SP_PATH}/order/get`]: ({ query }) => {
      const order = orderOf(query.get('orderId'));
      if (!order) return unknownOrder;
      const assignList = orders.assignmentsOf(order.orderId).map(wireAssignment);
      // docs/provider.md: "{ order } (emulator: also assignList)". Both readings of where
      // it goes are served: beside `order` and inside it.
      return { ...OK, order: { ...wireOrder(order, orders), assignList }, assignList };
    },

    [`GET ${SP_PATH}/package/get_convertible_skus`]: ({ query }) => {
      const order = orderOf(query.get('orderId'));
      if (!order) return unknownOrder;
      return { ...OK, skuList: orders.convertibleSkus(order, deps.clock()) };
    },

    [`POST ${SP_PATH}/package/assign`]: ({ body }) => {
      const { orderId, skuId, receiverAppId, requestId, beginTime } = body;
      if (!isText(orderId) || !isText(skuId) || typeof receiverAppId !== 'string' || typeof requestId !== 'string') return INVALID_ARGS;
      const begin = beginTime === undefined || beginTime === null ? null : integerField(beginTime, 0);
      if (begin === null && beginTime !== undefined && beginTime !== null) return { errcode: ERR_INVALID_ARGS, errmsg: 'invalid args: beginTime must be milliseconds' };
      const outcome = orders.assign({ orderId, skuId, receiverAppId, requestId, beginTime: begin }, deps.clock(), deps.related);
      if (!outcome.ok) return { errcode: outcome.errcode, errmsg: outcome.errmsg };
      deps.accepted(outcome.assignment, 'assign');
      return { ...OK };
    },

    [`POST ${SP_PATH}/package/cancel_assign`]: ({ body }) => {
      const { orderId, requestId } = body;
      if (!isText(orderId) || !isText(requestId)) return INVALID_ARGS;
      const outcome = orders.cancel(orderId, requestId, deps.clock(), deps.packUsed);
      if (!outcome.ok) return { errcode: outcome.errcode, errmsg: outcome.errmsg };
      deps.accepted(outcome.assignment, 'cancel');
      return { ...OK };
    },

    // Like the mini program's usage API, one "package" per bulk order of that spuId.
    [`GET ${SP_PATH}/usage/get`]: ({ query }) => {
      const spuId = query.get('spuId') ?? '';
      if (!kindOfSpu(spuId)) return INVALID_ARGS;
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
      return {
        ...OK,
        effectiveUse: running.reduce((sum, x) => sum + x.used, 0),
        all: running.reduce((sum, x) => sum + x.all, 0),
        total: packages.length,
        detailList: packages.slice(p.offset, p.offset + p.limit),
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
