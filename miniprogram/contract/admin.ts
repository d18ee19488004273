/** `admin`: the merchant's control panel (cloudfunctions/admin); every route needs an admin. */
import type { BreakerReason, IsoTime, NoInput, PhoneKind } from './common';

export interface Settings {
  _id: 'global';
  version: number;
  updatedAt: IsoTime | null;
  updatedBy: string | null;
  phoneCapture: { enabled: boolean; kind: PhoneKind; monthlyBudgetYuan: number | null; dailyCap: number | null };
  breaker: { tripped: boolean; reason: BreakerReason | null; at: IsoTime | null };
  /** 隐藏单价金额且只能以记账方式提交订单: hide unit prices and amounts; orders only as bookkeeping. */
  hidePrices: boolean;
  /** 隐藏收货地址: hide the shipping address. */
  hideShippingAddress: boolean;
  /** WeChat does not charge this account (government, non-profit, 政务民生): cost 0, no quota breaker, no pack advice. */
  feeExempt: boolean;
}

/** What `settings.update` may change; a breaker can only be re-armed by hand. */
export interface SettingsPatch {
  phoneCapture?: Partial<Settings['phoneCapture']>;
  breaker?: { tripped: false };
  hidePrices?: boolean;
  hideShippingAddress?: boolean;
  feeExempt?: boolean;
}

/**
 * Money as WeChat charges it: `costYuan` what the calls cost (each at its pack's unit
 * price, the trial free), `listValueYuan` the same calls at the list price,
 * `savingYuan` the difference; `estimatedCalls` were priced at the list price for want
 * of a known price.
 */
export interface CostFigures {
  costYuan: string;
  listValueYuan: string;
  savingYuan: string;
  estimatedCalls: number;
}

export interface UsageSummary {
  /** Oldest first; the last one is the current China month. */
  months: Array<{ month: string; quick: number; realtime: number } & CostFigures>;
  /** The last 30 China days, oldest first. */
  days: Array<{ day: string; quick: number; realtime: number }>;
  totals: { quick: number; realtime: number } & CostFigures;
  feeExempt: boolean;
}

export type ExchangeState = 'pending' | 'ok' | 'failed';

export interface ChargeItem {
  at: IsoTime;
  kind: PhoneKind;
  phoneMasked: string | null;
  exchange: ExchangeState;
}

export type PackSource = 'trial' | 'self' | 'provider';
export type PackStatus = 'active' | 'pending' | 'expired' | 'used-up';

export interface QuotaPack {
  id: string;
  source: PackSource;
  calls: number;
  used: number;
  startsAt: IsoTime;
  /** null: never expires (the trial). */
  expiresAt: IsoTime | null;
  status: PackStatus;
  priceYuan: string | null;
  /** Price ÷ calls, e.g. "0.028" (the trial "0.00"). */
  perCallYuan: string;
  /** No price was recorded: the list price stands in. */
  priceEstimated: boolean;
  usedCostYuan: string;
  note: string | null;
}

export interface PackLine {
  calls: number;
  validityDays: number;
  priceYuan: string;
  perCallYuan: string;
  count: number;
}

/** A purchase the advice suggests: one line per pack type with a quantity. */
export interface PurchaseOption {
  calls: number;
  /** The validity of the packs (of the shortest, if they differ). */
  validityDays: number;
  priceYuan: string;
  perCallYuan: string;
  /** Days from today the button keeps working at the recent rate with this bought. */
  coversDays: number;
  packs: PackLine[];
}

export interface Recommendation extends PurchaseOption {
  /** One larger pack that costs little more and lasts longer, or null. */
  alternative: (PurchaseOption & { extraYuan: string }) | null;
}

export type AlertType = 'quota-low' | 'quota-exhausted';

export interface QuotaAlert {
  id: string;
  at: IsoTime;
  kind: PhoneKind;
  type: AlertType;
  message: string;
  remaining: number;
  daysLeft: number | null;
}

/** Cron's correction for a kind and month (counted + every month's corrections = WeChat's used figure). */
export interface QuotaCorrection {
  month: string;
  /** Calls booked so our count meets WeChat's: positive, billed taps with no counted record. */
  count: number;
  wechatUsed: number;
  localCounted: number;
  /** Records whose outcome is unknown: part of why the count differs. */
  unknownRecords: number;
  at: IsoTime;
  /** Chinese, for the merchant: the figures and what stands behind the gap. */
  explanation: string;
}

export interface QuotaStatus {
  kind: PhoneKind;
  feeExempt: boolean;
  remaining: number;
  packs: QuotaPack[];
  forecast: { monthlyAverage: number; exhaustsOn: string | null; monthlyCostYuan: string };
  recommendation: Recommendation | null;
  cost: CostFigures;
  reconciliation: {
    at: IsoTime;
    wechatUsed: number;
    localCharges: number;
    difference: number;
    wechatRemaining: number;
    /** This China month's correction booked by cron; beside the counted figures, not in them. Null before one is booked. */
    correction: QuotaCorrection | null;
  } | null;
  alerts: QuotaAlert[];
  /** Charges no recorded pack covers: a purchased pack is probably missing. */
  uncovered: number;
}

export interface NewPack {
  calls: number;
  validityDays: number;
  kind?: PhoneKind;
  /** A China day "YYYY-MM-DD"; absent: starts now. */
  startsAt?: string;
  priceYuan?: number | null;
  source?: 'self' | 'provider';
  note?: string | null;
  /** Required: the same key twice adds one pack (a retry, a double tap). */
  idempotencyKey: string;
  /**
   * WeChat's id of the package (`pkgId` in the usage API): links the record to it, so a
   * second record of the same package is refused (CONFLICT).
   */
  pkgId?: string;
}

export interface AdminEntry {
  openid: string;
  /** `collection`: added by an admin; `env`: listed in ADMIN_OPENIDS at deploy time. */
  source: 'collection' | 'env';
  addedBy: string | null;
  addedAt: IsoTime | null;
}

/** One line of a month's statement: one China day, one kind, one pack it drew from (or none). */
export interface StatementRow {
  day: string;
  kind: PhoneKind;
  calls: number;
  /** The pack the calls drew from; null when no recorded pack covered them (priced at the list price). */
  pack: { id: string; source: PackSource } | null;
  /** Yuan per call, e.g. "0.028" (the trial "0.00"). */
  unitPriceYuan: string;
  /** calls × unit price to 0.0001 yuan; the totals are summed exactly and rounded once. */
  costYuan: string;
  listValueYuan: string;
  /** Priced at the list price for want of a known price. */
  estimated: boolean;
}

/** A pack that started in the statement's month. */
export interface StatementPack {
  id: string;
  kind: PhoneKind;
  source: PackSource;
  calls: number;
  startsAt: IsoTime;
  expiresAt: IsoTime | null;
  priceYuan: string | null;
}

/** WeChat's own count beside ours (the last reconciliation), with why they differ. */
export interface StatementWechat {
  kind: PhoneKind;
  at: IsoTime;
  wechatUsed: number;
  localCharges: number;
  difference: number;
  explanation: string;
}

export interface MonthStatement {
  month: string;
  /** UTF-8 with a BOM, Chinese headers: what Excel opens as it is. */
  csv: string;
  rows: StatementRow[];
  /** Equal to usage.summary's entry for the month. */
  totals: { quick: number; realtime: number } & CostFigures;
  packs: StatementPack[];
  wechat: StatementWechat[];
  feeExempt: boolean;
}

/** Subscribe-message alerts for the calling admin (docs/admin.md "Alerts"). */
export interface AlertSubscription {
  /** ALERT_TEMPLATE_ID; null: not configured, the feature is off. */
  templateId: string | null;
  /** Messages WeChat lets us send this admin: one per acceptance, one spent per message. */
  credits: number;
  /**
   * What keeps alerts from being sent, for the developer: the last refusal that needs an
   * admin (47003: the template's data does not fit; 40037; -604101), until a send
   * succeeds; or `errcode: null` for ALERT_TEMPLATE_FIELDS that cannot be read.
   */
  problem: { errcode: number | null; message: string; at: IsoTime } | null;
}

export interface AdminRoutes {
  /** The settings document (defaults when absent). */
  'settings.get': { input: NoInput; output: Settings };
  /** Changes settings: optimistic (`version`), validated, audited. */
  'settings.update': { input: { version: number; patch: SettingsPatch }; output: Settings };
  /** Calls and cost by China month, and the last 30 days. */
  'usage.summary': { input: { months?: number }; output: UsageSummary };
  /** Charges newest first, numbers masked, a page at a time. */
  'usage.list': { input: { limit?: number; cursor?: string | null }; output: { items: ChargeItem[]; nextCursor: string | null } };
  /** Packs, what is left, the forecast, purchase advice and WeChat's figures beside ours. */
  'quota.status': { input: { kind?: PhoneKind }; output: QuotaStatus };
  /** Records a pack the merchant bought (the same idempotency key adds one pack). */
  'quota.addPack': { input: NewPack; output: QuotaPack };
  /** Sets what a pack cost (audited). */
  'quota.setPrice': { input: { id: string; priceYuan: number | null }; output: QuotaPack };
  /** A China month's calls and true cost, as rows and CSV. */
  'statement.month': { input: { month: string }; output: MonthStatement };
  /** The caller's alert subscription: template, credits, last problem. */
  'alerts.status': { input: NoInput; output: AlertSubscription };
  /** One credit per alert template the admin accepted in `wx.requestSubscribeMessage`. */
  'alerts.subscribe': { input: { accepted: string[] }; output: AlertSubscription };
  /** Admins from the collection and from ADMIN_OPENIDS. */
  'admins.list': { input: NoInput; output: { admins: AdminEntry[] } };
  /** Makes a user an admin. */
  'admins.add': { input: { openid: string }; output: { admins: AdminEntry[] } };
  /** Removes an admin; the last admin cannot be removed. */
  'admins.remove': { input: { openid: string }; output: { admins: AdminEntry[] } };
  /** A one-time invite (24 h) another user redeems with `auth.acceptAdminInvite`. */
  'admins.invite': { input: NoInput; output: { code: string; expiresAt: IsoTime } };
}
