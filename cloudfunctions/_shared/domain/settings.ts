/**
 * The settings document (`settings/global`) and what the mini program may see of it.
 * Pure: no SDK. Defaults apply when the document does not exist yet, so a fresh
 * deployment works before an admin has saved anything.
 */
import { breakerInForce } from './breakers';

export type PhoneKind = 'quick' | 'realtime';
export type BreakerReason = 'quota-exhausted' | 'budget-reached' | 'daily-cap-reached';

export interface Settings {
  _id: 'global';
  version: number;
  updatedAt: Date | null;
  updatedBy: string | null;
  phoneCapture: {
    enabled: boolean;
    kind: PhoneKind;
    monthlyBudgetYuan: number | null;
    dailyCap: number | null;
  };
  breaker: { tripped: boolean; reason: BreakerReason | null; at: Date | null };
  /** 隐藏单价金额且只能以记账方式提交订单: hide unit prices and amounts; orders only as bookkeeping. */
  hidePrices: boolean;
  /** 隐藏收货地址: hide the shipping address. */
  hideShippingAddress: boolean;
  /**
   * The account is one WeChat does not charge (government, non-profit, public
   * institutions in 政务民生 — seed notice, 免费规则): cost is 0, no quota breaker, no
   * pack advice. An admin sets it; it is audited like every setting.
   */
  feeExempt: boolean;
}

export interface PublicSettings {
  /** Phone capture is enabled and no breaker has tripped. */
  phoneCaptureEnabled: boolean;
  phoneKind: PhoneKind;
  hidePrices: boolean;
  hideShippingAddress: boolean;
  version: number;
}

export function defaultSettings(): Settings {
  return {
    _id: 'global',
    version: 0,
    updatedAt: null,
    updatedBy: null,
    phoneCapture: { enabled: true, kind: 'quick', monthlyBudgetYuan: null, dailyCap: null },
    breaker: { tripped: false, reason: null, at: null },
    hidePrices: false,
    hideShippingAddress: false,
    feeExempt: false,
  };
}

/**
 * Reads a stored settings document over the defaults, field by field, so a document
 * written by an older version (missing a newer field) still gives a whole `Settings`.
 */
export function settingsFrom(stored: Partial<Settings> | null | undefined): Settings {
  const base = defaultSettings();
  if (!stored) return base;
  return {
    ...base,
    ...stored,
    _id: 'global',
    phoneCapture: { ...base.phoneCapture, ...stored.phoneCapture },
    breaker: { ...base.breaker, ...stored.breaker },
  };
}

export function publicSettings(settings: Settings, at: Date): PublicSettings {
  return {
    phoneCaptureEnabled: settings.phoneCapture.enabled && !breakerInForce(settings.breaker, at),
    phoneKind: settings.phoneCapture.kind,
    hidePrices: settings.hidePrices,
    hideShippingAddress: settings.hideShippingAddress,
    version: settings.version,
  };
}

export type HiddenBecause = 'already-bound' | 'disabled' | BreakerReason;

export interface PhoneLogin {
  show: boolean;
  kind: PhoneKind;
  hiddenBecause: HiddenBecause | null;
}

/**
 * Whether the paid phone button is shown. A user with a bound phone never sees it
 * again (each tap is charged); then an admin's switch; then a tripped breaker.
 */
export function phoneLoginFor(hasPhone: boolean, settings: Settings, at: Date): PhoneLogin {
  const kind = settings.phoneCapture.kind;
  let hiddenBecause: HiddenBecause | null = null;
  if (hasPhone) hiddenBecause = 'already-bound';
  else if (!settings.phoneCapture.enabled) hiddenBecause = 'disabled';
  else if (breakerInForce(settings.breaker, at)) hiddenBecause = settings.breaker.reason ?? 'quota-exhausted';
  return { show: hiddenBecause === null, kind, hiddenBecause };
}
