/**
 * When spending stops and starts again (docs/quota.md "Breakers"). The budget breaker trips
 * when this China month's true cost (the price of the packs its calls drew from: trial
 * calls are free) reaches the monthly budget and lapses when a new month
 * starts; the daily-cap breaker trips when today's charges reach the cap and stays
 * until an admin re-enables it or raises the cap; the quota breaker stays until an
 * admin re-enables it. Pure: no SDK; money in exact fen.
 */
import { chinaDay, chinaMonth } from './china-time';
import { compareFen, fenOf, fenToYuan, roundFen, yuanToFen, ZERO_FEN, type Fen } from './pricing';
import type { BreakerReason, PhoneKind, Settings } from './types';
import type { UsageDay } from './usage';

export type SpendReason = Extract<BreakerReason, 'budget-reached' | 'daily-cap-reached'>;

interface Spend {
  /** This China month's true cost so far (docs/quota.md "Cost"), exactly: trial calls add nothing. */
  monthCost: Fen;
  /** Today's charges, both kinds. */
  todayCount: number;
}

/** Charges of both kinds on China day `day`, from the daily counters. */
export function countOn(records: readonly UsageDay[], day: string): number {
  return records.reduce((sum, r) => (r.day === day ? sum + r.count : sum), 0);
}

const reaches = (cost: Fen, budgetYuan: number) => compareFen(cost, fenOf(yuanToFen(budgetYuan))) >= 0;

/** The spending limit reached, if any. Money first: it is what the budget protects. */
export function spendLimitReached(capture: Settings['phoneCapture'], spend: Spend): SpendReason | null {
  if (capture.monthlyBudgetYuan !== null && reaches(spend.monthCost, capture.monthlyBudgetYuan)) return 'budget-reached';
  if (capture.dailyCap !== null && spend.todayCount >= capture.dailyCap) return 'daily-cap-reached';
  return null;
}

/** A trip to write: the reason and the audit note that explains it. */
export interface Trip {
  reason: BreakerReason;
  note: string;
}

/**
 * The spending trip `current` settings call for, given what was measured (a figure not
 * measured — null — reaches no limit). Decided inside the trip's transaction with the
 * settings as they are then: a charge in flight measured with the settings it started
 * with, and the admin may have raised or removed a limit, or made the account
 * fee-exempt, since (issue 24).
 */
export function spendTrip(current: Settings, measured: { monthCost: Fen | null; todayCount: number | null }): Trip | null {
  const capture = current.phoneCapture;
  // A fee-exempt account spends nothing, whatever its packs cost.
  const monthCost = current.feeExempt ? ZERO_FEN : measured.monthCost;
  const spend = { monthCost: monthCost ?? ZERO_FEN, todayCount: measured.todayCount ?? 0 };
  const limits = {
    ...capture,
    monthlyBudgetYuan: monthCost === null ? null : capture.monthlyBudgetYuan,
    dailyCap: measured.todayCount === null ? null : capture.dailyCap,
  };
  const reason = spendLimitReached(limits, spend);
  if (!reason) return null;
  const note =
    reason === 'budget-reached'
      ? `this month's cost ${fenToYuan(roundFen(spend.monthCost))} reached the budget of ${capture.monthlyBudgetYuan}`
      : `today's ${spend.todayCount} charges reached the daily cap of ${capture.dailyCap}`;
  return { reason, note };
}

/**
 * The quota trip `current` settings call for when `kind` has no quota left: only while
 * the button shows that kind (the admin may have switched it meanwhile). Whether the
 * evidence holds for a fee-exempt account is the caller's to judge.
 */
export function quotaTrip(current: Settings, kind: PhoneKind, evidence: string): Trip | null {
  if (current.phoneCapture.kind !== kind) return null;
  return { reason: 'quota-exhausted', note: evidence };
}

/** Whether the settings set any spending limit (else the charge path skips the check). */
export const hasSpendLimit = (capture: Settings['phoneCapture']) => capture.monthlyBudgetYuan !== null || capture.dailyCap !== null;

/**
 * Whether a tripped breaker still holds at `at`. A budget breaker from an earlier China
 * month has lapsed even before `cron` records the re-arm, so the button comes back
 * when the month turns.
 */
export function breakerInForce(breaker: Settings['breaker'], at: Date): boolean {
  if (!breaker.tripped) return false;
  if (breaker.reason === 'budget-reached' && breaker.at && chinaMonth(new Date(breaker.at)) < chinaMonth(at)) return false;
  return true;
}

/**
 * Why a tripped spending breaker should re-arm now, or null to leave it.
 * `monthCost` is this month's true cost; `tripDayCount` the charges of the day the
 * breaker tripped (for the daily cap).
 */
export function rearmReason(settings: Settings, spend: { monthCost: Fen; tripDayCount: number }, at: Date): string | null {
  const { breaker, phoneCapture } = settings;
  if (!breaker.tripped || !breaker.at) return null;
  const tripAt = new Date(breaker.at);
  if (breaker.reason === 'budget-reached') {
    if (chinaMonth(tripAt) < chinaMonth(at)) return `a new month (${chinaMonth(at)}) started`;
    if (phoneCapture.monthlyBudgetYuan === null) return 'the monthly budget was removed';
    if (settings.feeExempt) return 'the account is fee-exempt: WeChat charges it nothing';
    if (!reaches(spend.monthCost, phoneCapture.monthlyBudgetYuan)) return "the monthly budget was raised above this month's cost";
  }
  if (breaker.reason === 'daily-cap-reached') {
    if (phoneCapture.dailyCap === null) return 'the daily cap was removed';
    if (spend.tripDayCount < phoneCapture.dailyCap) return 'the daily cap was raised above the count that tripped it';
  }
  return null;
}

/** The trip day of a tripped breaker, for `rearmReason`'s count. */
export const tripDay = (breaker: Settings['breaker']) => (breaker.at ? chinaDay(new Date(breaker.at)) : null);
