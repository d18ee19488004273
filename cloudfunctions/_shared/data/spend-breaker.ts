/**
 * The spending breakers against the daily counters: one read of this month's
 * `usage_daily` (two documents a day at most), run after each charge and by cron.
 */
import { chinaDay, chinaMonth } from '../domain/china-time';
import { hasSpendLimit, rearmReason, spendFrom, spendLimitReached, type SpendReason } from '../domain/breakers';
import { fenToYuan } from '../domain/pricing';
import type { Settings } from '../domain/settings';
import { rearmBreaker, tripBreaker } from './breaker';
import { usageSince } from './usage';

/** Trips the budget or daily-cap breaker if its limit is reached; returns the reason it tripped for. */
export async function checkSpend(settings: Settings, at: Date): Promise<SpendReason | null> {
  if (!hasSpendLimit(settings.phoneCapture)) return null;
  const month = chinaMonth(at);
  const spend = spendFrom(await usageSince(`${month}-01`), month, chinaDay(at));
  const reason = spendLimitReached(settings.phoneCapture, spend);
  if (!reason) return null;
  const note =
    reason === 'budget-reached'
      ? `this month's cost ${fenToYuan(spend.monthFen)} reached the budget of ${settings.phoneCapture.monthlyBudgetYuan}`
      : `today's ${spend.todayCount} charges reached the daily cap of ${settings.phoneCapture.dailyCap}`;
  return (await tripBreaker(reason, note)) ? reason : null;
}

/** Re-arms a spending breaker whose month has passed or whose limit was raised; returns why, if it did. */
export async function rearmSpendIfDue(settings: Settings, at: Date): Promise<string | null> {
  const { breaker } = settings;
  if (!breaker.tripped || !breaker.at || (breaker.reason !== 'budget-reached' && breaker.reason !== 'daily-cap-reached')) return null;
  const tripDay = chinaDay(new Date(breaker.at));
  const monthStart = `${chinaMonth(at)}-01`;
  const records = await usageSince(tripDay < monthStart ? tripDay : monthStart);
  const why = rearmReason(settings, records, at);
  if (!why) return null;
  return (await rearmBreaker(breaker.reason, why)) ? why : null;
}
