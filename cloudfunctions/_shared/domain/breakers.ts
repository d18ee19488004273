/**
 * When spending stops and starts again (DESIGN.md "Charges"). The budget breaker trips
 * when this China month's cost reaches the monthly budget and lapses when a new month
 * starts; the daily-cap breaker trips when today's charges reach the cap and stays
 * until an admin re-enables it or raises the cap; the quota breaker stays until an
 * admin re-enables it. Pure: no SDK; money in fen.
 */
import { chinaDay, chinaMonth } from './china-time';
import { PRICE_FEN, yuanToFen } from './pricing';
import type { BreakerReason, Settings } from './settings';
import type { UsageDay } from './usage';

export type SpendReason = Extract<BreakerReason, 'budget-reached' | 'daily-cap-reached'>;

export interface Spend {
  /** This China month's cost so far, in fen. */
  monthFen: number;
  /** Today's charges, both kinds. */
  todayCount: number;
}

/** Cost and count from daily counters: `month` and `day` pick which ones count. */
export function spendFrom(records: readonly UsageDay[], month: string, day: string): Spend {
  let monthFen = 0;
  let todayCount = 0;
  for (const r of records) {
    if (r.day.startsWith(month)) monthFen += r.count * PRICE_FEN[r.kind];
    if (r.day === day) todayCount += r.count;
  }
  return { monthFen, todayCount };
}

/** The spending limit reached, if any. Money first: it is what the budget protects. */
export function spendLimitReached(capture: Settings['phoneCapture'], spend: Spend): SpendReason | null {
  if (capture.monthlyBudgetYuan !== null && spend.monthFen >= yuanToFen(capture.monthlyBudgetYuan)) return 'budget-reached';
  if (capture.dailyCap !== null && spend.todayCount >= capture.dailyCap) return 'daily-cap-reached';
  return null;
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
 * Why a tripped spending breaker should re-arm now, or null to leave it. `records`
 * must cover the trip's day and the current month.
 */
export function rearmReason(settings: Settings, records: readonly UsageDay[], at: Date): string | null {
  const { breaker, phoneCapture } = settings;
  if (!breaker.tripped || !breaker.at) return null;
  const tripAt = new Date(breaker.at);
  if (breaker.reason === 'budget-reached') {
    if (chinaMonth(tripAt) < chinaMonth(at)) return `a new month (${chinaMonth(at)}) started`;
    const { monthFen } = spendFrom(records, chinaMonth(at), chinaDay(at));
    if (phoneCapture.monthlyBudgetYuan === null) return 'the monthly budget was removed';
    if (monthFen < yuanToFen(phoneCapture.monthlyBudgetYuan)) return 'the monthly budget was raised above this month\'s cost';
  }
  if (breaker.reason === 'daily-cap-reached') {
    const tripDay = chinaDay(tripAt);
    const { todayCount } = spendFrom(records, chinaMonth(tripAt), tripDay);
    if (phoneCapture.dailyCap === null) return 'the daily cap was removed';
    if (todayCount < phoneCapture.dailyCap) return 'the daily cap was raised above the count that tripped it';
  }
  return null;
}
