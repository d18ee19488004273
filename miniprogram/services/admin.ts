/** The admin function, as the admin pages use it. */
import {
  CHINA_OFFSET_MS,
  type ExchangeState,
  type NewPack,
  type PackSource,
  type PackStatus,
  type PhoneKind,
  type QuotaAlert,
  type Settings,
  type SettingsPatch,
} from '../contract';
import { callRoute } from './cloud';

export type { NewPack, PurchaseOption, QuotaCorrection, QuotaStatus, Settings, SettingsPatch, UsageSummary } from '../contract';

/** Where the admin entry leads; its label is that page's title (admin/settings/index.json). */
export const ADMIN_ENTRY = { url: '/admin/settings/index', label: '商家设置' };

export const getSettings = () => callRoute('admin', 'settings.get');
export const updateSettings = (version: number, patch: SettingsPatch) => callRoute('admin', 'settings.update', { version, patch });

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
  const shifted = new Date(Date.parse(iso) + CHINA_OFFSET_MS).toISOString();
  return `${shifted.slice(0, 10)} ${shifted.slice(11, 16)}`;
}

// ---- Usage and quota (the admin usage page) ----

/** What `cron.run` answers (the same checks the timer runs). */
export type { CheckReport as CheckResult } from '../contract';

export const getUsageSummary = (months = 12) => callRoute('admin', 'usage.summary', { months });
export const getQuotaStatus = (kind: PhoneKind) => callRoute('admin', 'quota.status', { kind });
export const addQuotaPack = (pack: NewPack) => callRoute('admin', 'quota.addPack', pack);
/** What a pack cost (null: not known); its calls are priced by it. */
export const setPackPrice = (id: string, priceYuan: number | null) => callRoute('admin', 'quota.setPrice', { id, priceYuan });
/** The same checks the timer runs (breakers, alerts, reconciliation), on demand. */
export const runChecks = () => callRoute('cron', 'run');

export const PACK_SOURCES: Record<PackSource, string> = { trial: '试用', self: '自购', provider: '服务商分配' };
export const PACK_STATUSES: Record<PackStatus, string> = { active: '生效中', pending: '未生效', expired: '已过期', 'used-up': '已用完' };
export const KIND_LABELS: Record<PhoneKind, string> = { quick: '快速验证', realtime: '实时验证' };
export const ALERT_TYPES: Record<QuotaAlert['type'], string> = { 'quota-low': '额度不足', 'quota-exhausted': '额度已用完' };

// ---- Admins and the charge list (their own pages) ----

export type { AdminEntry, ChargeItem } from '../contract';

export const listAdmins = () => callRoute('admin', 'admins.list');
export const removeAdmin = (openid: string) => callRoute('admin', 'admins.remove', { openid });
/** A one-time code (24 h) for someone to become an admin; shared as a WeChat card, never an openid typed. */
export const inviteAdmin = () => callRoute('admin', 'admins.invite');
/** Redeems an invite: the caller (not an admin yet) becomes one. */
export const acceptAdminInvite = (code: string) => callRoute('auth', 'acceptAdminInvite', { code });
export const listCharges = (cursor: string | null, limit = 20) => callRoute('admin', 'usage.list', cursor ? { limit, cursor } : { limit });

/** Where an invite card opens, with its code. */
export const JOIN_PAGE = '/admin/join/index';

export const EXCHANGE_LABELS: Record<ExchangeState, string> = { ok: '已验证', failed: '未成功', pending: '处理中' };

/** "o_4f9c…a1b2": enough for admins to tell each other apart, not the whole identifier. */
export function shortOpenid(openid: string): string {
  return openid.length <= 10 ? openid : `${openid.slice(0, 6)}…${openid.slice(-4)}`;
}
