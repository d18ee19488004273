/**
 * The domain's shared types, in a leaf module: it imports no domain code, so any rule
 * can use them (breakers.ts and settings.ts no longer import each other's types). What
 * the mini program sees is the contract's (miniprogram/contract); the settings document
 * is the contract's shape with real dates.
 */
import type { BreakerReason, Settings as SettingsOnTheWire } from '../../../miniprogram/contract';

export type { BreakerReason, HiddenBecause, PhoneKind, PhoneLogin, PublicSettings } from '../../../miniprogram/contract';

/** The settings document (`settings/global`). */
export interface Settings extends Omit<SettingsOnTheWire, 'updatedAt' | 'breaker'> {
  updatedAt: Date | null;
  breaker: { tripped: boolean; reason: BreakerReason | null; at: Date | null };
}
