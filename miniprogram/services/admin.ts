/** The admin function, as the admin pages use it. */
import { callRoute } from './cloud';
import type { PhoneKind } from './session';

export interface Settings {
  version: number;
  updatedAt: string | null;
  updatedBy: string | null;
  phoneCapture: { enabled: boolean; kind: PhoneKind; monthlyBudgetYuan: number | null; dailyCap: number | null };
  breaker: { tripped: boolean; reason: 'quota-exhausted' | 'budget-reached' | 'daily-cap-reached' | null; at: string | null };
  hidePrices: boolean;
  hideShippingAddress: boolean;
  /** WeChat does not charge this account (government, non-profit, 政务民生): cost 0, no quota breaker, no pack advice. */
  feeExempt?: boolean;
}

export interface SettingsPatch {
  phoneCapture?: Partial<Settings['phoneCapture']>;
  breaker?: { tripped: false };
  hidePrices?: boolean;
  hideShippingAddress?: boolean;
  feeExempt?: boolean;
}

/** Where the admin entry leads; its label is that page's title (pages/admin-settings/index.json). */
export const ADMIN_ENTRY = { url: '/pages/admin-settings/index', label: '商家设置' };

export const getSettings = () => callRoute<Settings>('admin', 'settings.get');
export const updateSettings = (version: number, patch: SettingsPatch) =>
  callRoute<Settings>('admin', 'settings.update', { version, patch });

/** The merchant's own words for each setting (from the settings screen). */
export const SETTING_LABELS: Record<string, string> = {
  'phoneCapture.enabled': '关闭获取手机号',
  'phoneCapture.kind': '手机号验证方式',
  'phoneCapture.monthlyBudgetYuan': '每月预算',
  'phoneCapture.dailyCap': '每日上限',
  breaker: '熔断状态',
  hidePrices: '隐藏单价金额且只能以记账方式提交订单',
  hideShippingAddress: '隐藏收货地址',
  feeExempt: '免费账号（微信不收费）',
};

export const BREAKER_REASONS: Record<string, string> = {
  'quota-exhausted': '资源包额度已用完',
  'budget-reached': '本月费用已达预算',
  'daily-cap-reached': '今日次数已达上限',
};

/** Which settings differ between two versions, by label (to tell an admin what someone else changed). */
export function changedLabels(before: Settings, after: Settings): string[] {
  const fields: Array<[string, unknown, unknown]> = [
    ['phoneCapture.enabled', before.phoneCapture.enabled, after.phoneCapture.enabled],
    ['phoneCapture.kind', before.phoneCapture.kind, after.phoneCapture.kind],
    ['phoneCapture.monthlyBudgetYuan', before.phoneCapture.monthlyBudgetYuan, after.phoneCapture.monthlyBudgetYuan],
    ['phoneCapture.dailyCap', before.phoneCapture.dailyCap, after.phoneCapture.dailyCap],
    ['breaker', before.breaker.tripped, after.breaker.tripped],
    ['hidePrices', before.hidePrices, after.hidePrices],
    ['hideShippingAddress', before.hideShippingAddress, after.hideShippingAddress],
    ['feeExempt', before.feeExempt ?? false, after.feeExempt ?? false],
  ];
  return fields.filter(([, a, b]) => a !== b).map(([field]) => SETTING_LABELS[field] ?? field);
}

/** "2026-05-01T02:03:00Z" → "2026-05-01 10:03" (China time, as the merchant reads it). */
export function chinaTimeText(iso: string | null): string {
  if (!iso) return '';
  const shifted = new Date(Date.parse(iso) + 8 * 3600 * 1000).toISOString();
  return `${shifted.slice(0, 10)} ${shifted.slice(11, 16)}`;
}

// ---- Usage and quota (the admin usage page) ----

/**
 * Money as WeChat charges it: `costYuan` what the calls cost (each at its pack's unit
 * price, the trial free), `listValueYuan` the same calls at 0.03 / 0.04, `savingYuan`
 * the difference; `estimatedCalls` were priced at the list price for want of a known price.
 */
export interface CostFigures {
  costYuan: string;
  listValueYuan?: string;
  savingYuan?: string;
  estimatedCalls?: number;
}

export interface UsageSummary {
  /** Oldest first; the last one is the current China month. */
  months: Array<{ month: string; quick: number; realtime: number } & CostFigures>;
  /** The last 30 China days, oldest first. */
  days: Array<{ day: string; quick: number; realtime: number }>;
  totals: { quick: number; realtime: number } & CostFigures;
  feeExempt?: boolean;
}

export type PackSource = 'trial' | 'self' | 'provider';
export type PackStatus = 'active' | 'pending' | 'expired' | 'used-up';

export interface QuotaPack {
  id: string;
  source: PackSource;
  calls: number;
  used: number;
  startsAt: string;
  /** null: never expires (the trial). */
  expiresAt: string | null;
  status: PackStatus;
  priceYuan: string | null;
  /** Price ÷ calls, e.g. "0.028" (the trial "0.00"). */
  perCallYuan?: string;
  /** No price was recorded: the list price stands in. */
  priceEstimated?: boolean;
  usedCostYuan?: string;
  note: string | null;
}

/** A purchase the advice suggests: one line per pack type with a quantity. */
export interface PurchaseOption {
  calls: number;
  validityDays: number;
  priceYuan: string;
  perCallYuan?: string;
  /** Days from today the button keeps working at the recent rate with this bought. */
  coversDays?: number;
  packs: Array<{ calls: number; validityDays: number; priceYuan: string; perCallYuan?: string; count: number }>;
}

export interface QuotaAlert {
  id: string;
  at: string;
  kind: PhoneKind;
  type: 'quota-low' | 'quota-exhausted';
  message: string;
  remaining: number;
  daysLeft: number | null;
}

export interface QuotaStatus {
  kind: PhoneKind;
  remaining: number;
  packs: QuotaPack[];
  forecast: { monthlyAverage: number; exhaustsOn: string | null; monthlyCostYuan?: string };
  recommendation: (PurchaseOption & { alternative?: (PurchaseOption & { extraYuan: string }) | null }) | null;
  cost?: CostFigures;
  feeExempt?: boolean;
  reconciliation: { at: string; wechatUsed: number; localCharges: number; difference: number; wechatRemaining: number } | null;
  alerts: QuotaAlert[];
  /** Charges no recorded pack covers: a purchased pack is probably missing. Not in DESIGN.md's table; the route sends it. */
  uncovered?: number;
}

export interface NewPack {
  calls: number;
  validityDays: number;
  kind: PhoneKind;
  /** A China day "YYYY-MM-DD"; absent: starts now. */
  startsAt?: string;
  priceYuan?: number;
  source?: 'self' | 'provider';
  note?: string;
}

/** What `cron.run` answers; only the reconciliation's skip reason is shown, the rest is the cron's business. */
export interface CheckResult {
  breakers: unknown;
  alerts: unknown;
  reconciliation: { status?: 'ok' | 'skipped' | 'failed'; reason?: string } | null;
}

export const getUsageSummary = (months = 12) => callRoute<UsageSummary>('admin', 'usage.summary', { months });
export const getQuotaStatus = (kind: PhoneKind) => callRoute<QuotaStatus>('admin', 'quota.status', { kind });
export const addQuotaPack = (pack: NewPack) => callRoute<QuotaPack>('admin', 'quota.addPack', { ...pack });
/** What a pack cost (null: not known); its calls are priced by it. */
export const setPackPrice = (id: string, priceYuan: number | null) => callRoute<QuotaPack>('admin', 'quota.setPrice', { id, priceYuan });
/** The same checks the timer runs (breakers, alerts, reconciliation), on demand. */
export const runChecks = () => callRoute<CheckResult>('cron', 'run');

export const PACK_SOURCES: Record<PackSource, string> = { trial: '试用', self: '自购', provider: '服务商分配' };
export const PACK_STATUSES: Record<PackStatus, string> = { active: '生效中', pending: '未生效', expired: '已过期', 'used-up': '已用完' };
export const KIND_LABELS: Record<PhoneKind, string> = { quick: '快速验证', realtime: '实时验证' };
export const ALERT_TYPES: Record<QuotaAlert['type'], string> = { 'quota-low': '额度不足', 'quota-exhausted': '额度已用完' };
