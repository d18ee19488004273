/**
 * The settings document (`settings/global`) and what the mini program may see of it.
 * Pure: no SDK. Defaults apply when the document does not exist yet, so a fresh
 * deployment works before an admin has saved anything.
 */
import { breakerInForce } from './breakers';
import type { HiddenBecause, PhoneLogin, PublicSettings, Settings } from './types';

// The types live in a leaf module (no imports of domain code), so breakers.ts can use them without a circle.
export type { BreakerReason, HiddenBecause, PhoneKind, PhoneLogin, PublicSettings, Settings } from './types';

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
