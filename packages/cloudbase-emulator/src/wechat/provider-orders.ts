/**
 * The service provider's side of WeChat's bulk purchase (服务商代采购), as state: the
 * bulk orders the provider bought and the assignments of packs from them to merchant
 * mini programs, keyed by the provider's `requestId` (WeChat's idempotency key).
 * Pure: no timers, no ledger. The emulator settles assignments later (assign and
 * cancel are asynchronous at WeChat) and moves them on with `settle…` calls.
 *
 * The wire contract, including the error codes WeChat leaves unconfirmed, is
 * docs/provider.md. Times here are milliseconds.
 */
import { APPID_PATTERN } from './http-apis';
import { SPU_IDS } from './usage-ledger';
import type { PhoneKind } from './phone-sandbox';

export const DEFAULT_SP_VALIDITY_DAYS = 365;
const DAY_MS = 86_400_000;
/** WeChat allows a cancel within 7 days of the assignment (`charge_sp_cancel_assign`; docs/provider.md). */
export const CANCEL_WINDOW_MS = 7 * DAY_MS;

/**
 * What an order can be split into. WeChat names no ladder; these are the pack sizes
 * its console sells, so an assigned pack looks like one the merchant could have bought.
 */
const SP_SKU_COUNTS = [1000, 5000, 10_000, 50_000, 100_000, 1_000_000] as const;

/**
 * The bulk products a provider buys (`order/query_list` needs one as `spuId`). Not
 * documented: community code uses these two (docs/provider.md, table of facts).
 */
export const BULK_SPU_QUICK = '10000117';
export const BULK_SPU_REALTIME = '10000120';
export function kindOfBulkSpu(spuId: string): PhoneKind | null {
  return spuId === BULK_SPU_QUICK ? 'quick' : spuId === BULK_SPU_REALTIME ? 'realtime' : null;
}

/** Assignment status inside the emulator (WeChat exposes no per-assignment status API). */
export const PENDING = 1;
const DONE = 2;
const FAILED = 3;
export const CANCELLING = 4;
const CANCELLED = 5;
type AssignmentStatus = typeof PENDING | typeof DONE | typeof FAILED | typeof CANCELLING | typeof CANCELLED;
export const STATUS_NAMES = { 1: 'pending', 2: 'done', 3: 'failed', 4: 'cancelling', 5: 'cancelled' } as const;

/**
 * WeChat's error codes for these APIs. Documented on the assign / cancel_assign pages
 * (doc/oplatform/service_market/charge/api/charge_sp_assign_package.html):
 * 10120002 参数错误, 10121001 订单ID不合法或订单状态不正确, 10121009 重复调用,已分配成功,
 * 10121010 分配已取消, 10121011 分配中, 10121012 资源包已过期, 10121013 无效资源包.
 * Community only: 10045 (no relationship), 10121031 (资源包用量不足). Assumed: 10121014
 * for a cancel WeChat does not allow (documented code, meaning not public).
 */
export const ERR_INVALID_ARGS = 10120002;
export const ERR_BAD_ORDER = 10121001;
export const ERR_NO_RELATIONSHIP = 10045;
export const ERR_ALREADY_ASSIGNED = 10121009;
export const ERR_ASSIGNMENT_CANCELLED = 10121010;
export const ERR_IN_PROGRESS = 10121011;
export const ERR_ORDER_EXPIRED = 10121012;
export const ERR_INVALID_PACKAGE = 10121013;
/** Community ("订单的资源包用量不足,无法分配"). */
export const ERR_NOT_ENOUGH_LEFT = 10121031;
/** Assumed meaning. */
export const ERR_CANNOT_CANCEL = 10121014;

const REQUEST_ID_PATTERN = /^[A-Za-z0-9_-]{10,64}$/;

export interface SpOrder {
  orderId: string;
  spuId: string;
  /** Calls bought. */
  calls: number;
  /** How long the order may be drawn on, and how long each pack from it runs. */
  validityDays: number;
  createdAt: number;
}

export interface Assignment {
  requestId: string;
  orderId: string;
  skuId: string;
  receiverAppId: string;
  /** Calls in the assigned pack (the SKU's count). */
  count: number;
  /** The pack's start as the provider asked (ms); null: when it is delivered. */
  beginTime: number | null;
  status: AssignmentStatus;
  /** The receiver's pack once delivered (its pkgId in the usage ledger). */
  pkgId: string | null;
  createdAt: number;
  updatedAt: number;
}

/** `get_convertible_skus`'s SKU: the call count is in `attr.proportion.quota.quota`, the validity in `attr.duration` (s). */
interface Sku {
  spuId: string;
  skuId: string;
  skuName: string;
  attr: { duration: number; proportion: { quota: { quota: number } } };
}

const skuCount = (sku: Sku) => sku.attr.proportion.quota.quota;

export interface AssignRequest {
  orderId: string;
  skuId: string;
  receiverAppId: string;
  requestId: string;
  beginTime: number | null;
}

type Refusal = { errcode: number; errmsg: string };
type Outcome = { ok: true; assignment: Assignment } | ({ ok: false } & Refusal);

const refuse = (errcode: number, errmsg: string): Outcome => ({ ok: false, errcode, errmsg });

/** Calls an assignment holds: a pending one is reserved, a cancelling one is still the receiver's until the cancel lands. */
const holdsCalls = (a: Assignment) => a.status === PENDING || a.status === DONE || a.status === CANCELLING;

/** The retail SKU a pack of `count` calls from this order is (spuId: the mini program component's). */
function skuOf(order: SpOrder, count: number): Sku {
  const retailSpu = SPU_IDS[kindOfBulkSpu(order.spuId) ?? 'quick'];
  return {
    spuId: retailSpu,
    skuId: `sp-${count}-${order.validityDays}d`,
    skuName: `${count}次/${order.validityDays}天`,
    attr: { duration: order.validityDays * 86_400, proportion: { quota: { quota: count } } },
  };
}

/** Every SKU of the ladder for this order, whether or not enough is left for it. */
export function ladderOf(order: SpOrder): Sku[] {
  return SP_SKU_COUNTS.map((count) => skuOf(order, count));
}

export const orderExpiresAt = (order: SpOrder) => order.createdAt + order.validityDays * DAY_MS;

export class ProviderOrders {
  private orders: SpOrder[] = [];
  private assignments = new Map<string, Assignment>();
  private lastId = 0;

  addOrder(order: { spuId?: string; calls: number; validityDays?: number }, now: number): SpOrder {
    const spuId = order.spuId ?? BULK_SPU_QUICK;
    if (!kindOfBulkSpu(spuId)) throw new Error(`unknown bulk spuId ${spuId}`);
    this.lastId += 1;
    const created: SpOrder = {
      orderId: orderIdOf(this.lastId),
      spuId,
      calls: order.calls,
      validityDays: order.validityDays ?? DEFAULT_SP_VALIDITY_DAYS,
      createdAt: now,
    };
    this.orders.push(created);
    return created;
  }

  /** Orders in the order they were bought, optionally of one spuId. */
  list(spuId?: string): SpOrder[] {
    return this.orders.filter((o) => spuId === undefined || o.spuId === spuId);
  }

  order(orderId: string): SpOrder | undefined {
    return this.orders.find((o) => o.orderId === orderId);
  }

  assignment(requestId: string): Assignment | undefined {
    return this.assignments.get(requestId);
  }

  /** Assignments of one order (all orders when absent), oldest first. */
  assignmentsOf(orderId?: string): Assignment[] {
    return [...this.assignments.values()].filter((a) => orderId === undefined || a.orderId === orderId);
  }

  /** WeChat's `usage.used` of an order: calls held by pending, done or cancelling assignments. */
  used(orderId: string): number {
    return this.assignmentsOf(orderId)
      .filter(holdsCalls)
      .reduce((sum, a) => sum + a.count, 0);
  }

  remaining(order: SpOrder): number {
    return order.calls - this.used(order.orderId);
  }

  /** The ladder SKUs that still fit in what the order has left; none once it expired. */
  convertibleSkus(order: SpOrder, now: number): Sku[] {
    if (now >= orderExpiresAt(order)) return [];
    const left = this.remaining(order);
    return ladderOf(order).filter((s) => skuCount(s) <= left);
  }

  /**
   * Starts an assignment (status pending) or says why not. A requestId is spent once
   * used: sending it again never assigns twice, whatever else the request says — except
   * after a failure, which assigned nothing, so the same requestId may try again.
   */
  assign(request: AssignRequest, now: number, related: (appid: string) => boolean): Outcome {
    if (!APPID_PATTERN.test(request.receiverAppId)) return refuse(ERR_INVALID_ARGS, 'invalid args: receiverAppId');
    if (!REQUEST_ID_PATTERN.test(request.requestId))
      return refuse(ERR_INVALID_ARGS, 'invalid args: requestId must be 10 to 64 of A-Z a-z 0-9 _ -');
    const earlier = this.assignments.get(request.requestId);
    if (earlier?.status === PENDING) return refuse(ERR_IN_PROGRESS, '分配中');
    if (earlier && (earlier.status === DONE || earlier.status === CANCELLING)) return refuse(ERR_ALREADY_ASSIGNED, '重复调用,已分配成功');
    if (earlier?.status === CANCELLED) return refuse(ERR_ASSIGNMENT_CANCELLED, '分配已取消');
    const order = this.order(request.orderId);
    if (!order) return refuse(ERR_BAD_ORDER, '订单ID不合法或订单状态不正确');
    if (now >= orderExpiresAt(order)) return refuse(ERR_ORDER_EXPIRED, '资源包已过期,无法分配');
    const sku = ladderOf(order).find((s) => s.skuId === request.skuId);
    if (!sku) return refuse(ERR_INVALID_PACKAGE, '无效资源包');
    if (!related(request.receiverAppId)) return refuse(ERR_NO_RELATIONSHIP, 'no relationship with this mini program');
    if (skuCount(sku) > this.remaining(order)) return refuse(ERR_NOT_ENOUGH_LEFT, '订单的资源包用量不足,无法分配');
    const assignment: Assignment = {
      requestId: request.requestId,
      orderId: order.orderId,
      skuId: sku.skuId,
      receiverAppId: request.receiverAppId,
      count: skuCount(sku),
      beginTime: request.beginTime,
      status: PENDING,
      pkgId: null,
      createdAt: now,
      updatedAt: now,
    };
    // A retried failure replaces the failed record: one requestId, one assignment.
    this.assignments.delete(request.requestId);
    this.assignments.set(request.requestId, assignment);
    return { ok: true, assignment: { ...assignment } };
  }

  /**
   * Starts cancelling (status cancelling) or says why not. `packUsed` tells how many
   * charges of the receiver drew on the assignment's pack.
   */
  cancel(orderId: string, requestId: string, now: number, packUsed: (a: Assignment) => number): Outcome {
    const a = this.assignments.get(requestId);
    if (!this.order(orderId)) return refuse(ERR_BAD_ORDER, '订单ID不合法或订单状态不正确');
    if (!a || a.orderId !== orderId) return refuse(ERR_INVALID_ARGS, '参数错误: unknown requestId for this order');
    if (a.status === CANCELLED) return refuse(ERR_ASSIGNMENT_CANCELLED, '分配已取消');
    if (a.status === CANCELLING || a.status === PENDING)
      return refuse(ERR_IN_PROGRESS, a.status === PENDING ? '分配中' : 'cancel in progress');
    if (a.status !== DONE) return refuse(ERR_CANNOT_CANCEL, `cannot cancel: the assignment is ${STATUS_NAMES[a.status]}`);
    if (now - a.createdAt > CANCEL_WINDOW_MS) return refuse(ERR_CANNOT_CANCEL, 'cannot cancel: assigned more than 7 days ago');
    if (packUsed(a) > 0) return refuse(ERR_CANNOT_CANCEL, 'cannot cancel: the pack is used');
    return { ok: true, assignment: this.update(a, { status: CANCELLING }, now) };
  }

  /** A pending assignment delivered as pack `pkgId`. */
  settleAssigned(requestId: string, pkgId: string, now: number): Assignment | null {
    return this.move(requestId, PENDING, { status: DONE, pkgId }, now);
  }

  /** A pending assignment WeChat failed: nothing delivered, its calls go back to the order. */
  settleAssignFailed(requestId: string, now: number): Assignment | null {
    return this.move(requestId, PENDING, { status: FAILED }, now);
  }

  /** A cancel that went through: the pack is gone, its calls go back to the order. */
  settleCancelled(requestId: string, now: number): Assignment | null {
    return this.move(requestId, CANCELLING, { status: CANCELLED }, now);
  }

  /** A cancel WeChat failed: the assignment stands. */
  settleCancelFailed(requestId: string, now: number): Assignment | null {
    return this.move(requestId, CANCELLING, { status: DONE }, now);
  }

  snapshot(): ProviderSnapshot {
    return { orders: this.orders.map((o) => ({ ...o })), assignments: [...this.assignments.values()].map((a) => ({ ...a })) };
  }

  load(snapshot: ProviderSnapshot): void {
    this.orders = snapshot.orders.map((o) => ({ ...o }));
    this.assignments = new Map(snapshot.assignments.map((a) => [a.requestId, { ...a }]));
    this.lastId = Math.max(0, ...this.orders.map((o) => Number(o.orderId.slice(ORDER_ID_PREFIX.length))).filter(Number.isInteger));
  }

  clear(): void {
    this.orders = [];
    this.assignments.clear();
    this.lastId = 0;
  }

  private move(requestId: string, from: AssignmentStatus, patch: Partial<Assignment>, now: number): Assignment | null {
    const a = this.assignments.get(requestId);
    return a && a.status === from ? this.update(a, patch, now) : null;
  }

  private update(a: Assignment, patch: Partial<Assignment>, now: number): Assignment {
    Object.assign(a, patch, { updatedAt: now });
    return { ...a };
  }
}

export interface ProviderSnapshot {
  orders: SpOrder[];
  assignments: Assignment[];
}

/**
 * WeChat's order ids are long digit strings; ours carry a prefix so nobody mistakes one
 * for a number (a function must treat it as an opaque string).
 */
const ORDER_ID_PREFIX = 'sporder';
const orderIdOf = (n: number) => `${ORDER_ID_PREFIX}${String(n).padStart(6, '0')}`;
