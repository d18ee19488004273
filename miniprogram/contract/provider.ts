/** `provider`: a service provider's bulk orders and their assignment (cloudfunctions/provider); admins only. */
import type { ErrorBody } from './errors';
import type { IsoTime, NoInput, PhoneKind } from './common';

/** Figures WeChat did not give (or gave in a form the function cannot read) are null. */
export interface ProviderOrder {
  orderId: string;
  /** "paid", "wechat-<n>" for a number without a word, "unknown" when absent. */
  status: string;
  wechatStatus: number | null;
  createdAt: IsoTime | null;
  calls: number | null;
  used: number | null;
  remaining: number | null;
  spuId: string;
  skuName: string;
  syncedAt: IsoTime;
}

export interface ProviderOrders {
  orders: ProviderOrder[];
  /** Why some orders are the last stored copy instead of WeChat's answer; null when all are fresh. */
  staleBecause: string | null;
  /** Bulk products (spuIds) WeChat did not answer for, with why; their orders are the stored copy, if any. */
  unavailable: Array<{ spuId: string; message: string }>;
}

export interface ProviderSku {
  skuId: string;
  name: string;
  calls: number | null;
  validityDays: number | null;
}

/** `unknown`: WeChat's answer did not tell the outcome; check it in the service platform. */
export type AssignmentStatus = 'pending' | 'done' | 'failed' | 'cancelling' | 'cancelled' | 'unknown';

export interface Assignment {
  assignmentId: string;
  orderId: string;
  skuId: string;
  skuName: string | null;
  receiverAppId: string;
  calls: number | null;
  validityDays: number | null;
  /** Milliseconds since the epoch; null: started when assigned. */
  beginTime: number | null;
  requestId: string;
  receivePkgId: string | null;
  status: AssignmentStatus;
  error: ErrorBody | null;
  /** WeChat's errcode behind `error` (the panel words it in Chinese); null when WeChat gave none. */
  wechatErrcode: number | null;
  createdAt: IsoTime;
  updatedAt: IsoTime;
}

export interface AssignParams {
  orderId: string;
  skuId: string;
  receiverAppId: string;
  idempotencyKey: string;
  /** Milliseconds since the epoch; absent: starts now. */
  beginTime?: number | null;
}

export interface AssignResult {
  assignmentId: string;
  requestId: string;
  status: AssignmentStatus;
}

export interface MerchantUsage {
  appid: string;
  kind: PhoneKind;
  all: number;
  used: number;
  remaining: number;
  packs: Array<{
    pkgId: string;
    source: string;
    wechatSource: number;
    status: number;
    calls: number;
    used: number;
    startsAt: IsoTime | null;
    expiresAt: IsoTime | null;
  }>;
}

/** One component of a merchant as WeChat's usage API last reported it; figures null until it answered. */
export interface FleetKind {
  all: number | null;
  used: number | null;
  remaining: number | null;
  /** Whole days the remaining calls last at the recent rate; null without a rate yet. */
  daysLeft: number | null;
  checkedAt: IsoTime | null;
  /** Why the last reading failed (the figures are then the previous ones). */
  error: string | null;
}

export interface FleetMerchant {
  appid: string;
  /** `added`: by an admin (fleet.add, topups.set); `assigned`: joined with its first assignment. */
  source: 'added' | 'assigned';
  /** The fewest days left over its components. */
  daysLeft: number | null;
  kinds: Record<PhoneKind, FleetKind>;
}

export interface FleetPage {
  merchants: FleetMerchant[];
  total: number;
  nextCursor: string | null;
}

export interface TopupParams {
  appid: string;
  kind: PhoneKind;
  orderId: string;
  skuId: string;
  belowCalls: number;
  maxPerMonth: number;
}

export interface TopupEvent {
  at: IsoTime;
  outcome: 'assigned' | 'done' | 'failed' | 'stopped';
  assignmentId: string | null;
  remaining: number | null;
  note: string;
}

export interface TopupRule extends TopupParams {
  skuName: string;
  skuCalls: number | null;
  /** `stopped`: with `stoppedBecause`; topups.set again re-arms it. */
  state: 'active' | 'stopped';
  /** The server's reason (English, for developers). */
  stoppedBecause: string | null;
  /** Why it stopped, for the panel's words; `stopErrcode` is WeChat's errcode when it refused. */
  stopKind: 'order-exhausted' | 'assign-refused' | 'assign-unknown' | null;
  stopErrcode: number | null;
  /** China day (YYYY-MM-DD) of the last top-up. */
  lastDay: string | null;
  thisMonth: number;
  pendingAssignmentId: string | null;
  /** What the rule did, oldest first (the last 20). */
  history: TopupEvent[];
  updatedAt: IsoTime;
}

export interface ProviderRoutes {
  /** The provider's bulk orders, synced from WeChat. */
  'orders.list': { input: NoInput; output: ProviderOrders };
  /** The SKUs an order can be assigned as. */
  'skus.list': { input: { orderId: string }; output: { skus: ProviderSku[] } };
  /** Assigns part of an order to a merchant mini program (the same idempotency key assigns once). */
  assign: { input: AssignParams; output: AssignResult };
  /** Cancels an assignment: within 7 days, while unused. */
  cancel: { input: { assignmentId: string }; output: Assignment };
  /** Assignments newest first; settles a few pending ones with WeChat. */
  'assignments.list': {
    input: { receiverAppId?: string; limit?: number };
    output: { assignments: Assignment[]; pollError: string | null };
  };
  /** A pending or cancelling one is polled; an unknown one is looked up in the merchant's usage packages. */
  'assignments.recheck': { input: { assignmentId: string }; output: Assignment };
  /** A merchant's quota as WeChat reports it. */
  'merchants.usage': { input: { appid: string; kind?: PhoneKind }; output: MerchantUsage };
  /** Every merchant's quota, fewest days left first. */
  'fleet.list': { input: { limit?: number; cursor?: string; refresh?: boolean }; output: FleetPage };
  /** `authorizerRefreshToken`: stored for the third-party platform's authorizer tokens; never answered. */
  'fleet.add': { input: { appid: string; authorizerRefreshToken?: string }; output: FleetMerchant };
  /** Sets an automatic top-up rule for a merchant and kind. */
  'topups.set': { input: TopupParams; output: TopupRule };
  /** The top-up rules, with what each did. */
  'topups.list': { input: NoInput; output: { rules: TopupRule[] } };
  /** Removes a merchant's top-up rule. */
  'topups.remove': { input: { appid: string; kind: PhoneKind }; output: { removed: true } };
}
