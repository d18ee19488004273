/**
 * The spending breakers, run after each charge and by cron. The daily cap reads this
 * month's `usage_daily`; the budget reads the ledgers of both kinds (all counters and
 * all packs: two reads), because a call costs what the pack it drew from cost — the
 * trial's calls nothing — and a fee-exempt account spends nothing at all.
 */
import { chinaDay, chinaMonth } from '../domain/china-time';
import { countOn, hasSpendLimit, rearmReason, spendTrip, tripDay, type SpendReason } from '../domain/breakers';
import { costOfBoth } from '../domain/cost';
import { ZERO_FEN, type Fen } from '../domain/pricing';
import type { Settings } from '../domain/settings';
import { announceBreakerTrip } from './alert-delivery';
import { rearmBreaker, tripBreaker } from './breaker';
import { loadLedgers } from './quota';
import { usageSince } from '../data/usage-daily';

/** This China month's true cost of both kinds; 0 for a fee-exempt account (no read). */
async function monthCost(settings: Settings, at: Date): Promise<Fen> {
  if (settings.feeExempt) return ZERO_FEN;
  const month = chinaMonth(at);
  const { states } = await loadLedgers(at);
  return costOfBoth(states, (day) => day.startsWith(month)).cost;
}

/**
 * Trips the budget or daily-cap breaker if its limit is reached; returns the reason it
 * tripped for. Measures what `settings` (as the caller read them) limit; when that
 * reaches a limit, the trip's transaction decides again against the settings as they
 * are by then, so a limit raised or removed meanwhile trips nothing. (A limit lowered
 * meanwhile is enforced by the next charge or cron run: no extra read on every charge.)
 */
export async function checkSpend(settings: Settings, at: Date): Promise<SpendReason | null> {
  const capture = settings.phoneCapture;
  if (!hasSpendLimit(capture)) return null;
  const [monthCostSoFar, todayCount] = await Promise.all([
    capture.monthlyBudgetYuan === null ? null : monthCost(settings, at),
    capture.dailyCap === null ? null : usageSince(chinaDay(at)).then((records) => countOn(records, chinaDay(at))),
  ]);
  const measured = { monthCost: monthCostSoFar, todayCount };
  if (!spendTrip(settings, measured)) return null;
  const trip = await tripBreaker((current) => spendTrip(current, measured));
  if (!trip) return null;
  // After the trip's transaction: admins hear of it now, not at the next cron run.
  await announceBreakerTrip(at);
  return trip.reason as SpendReason;
}

/** Re-arms a spending breaker whose month has passed or whose limit was raised; returns why, if it did. */
export async function rearmSpendIfDue(settings: Settings, at: Date): Promise<string | null> {
  const { breaker } = settings;
  if (!breaker.tripped || !breaker.at || (breaker.reason !== 'budget-reached' && breaker.reason !== 'daily-cap-reached')) return null;
  const day = tripDay(breaker)!;
  const spend =
    breaker.reason === 'budget-reached'
      ? { monthCost: await monthCost(settings, at), tripDayCount: 0 }
      : { monthCost: ZERO_FEN, tripDayCount: countOn(await usageSince(day), day) };
  const why = rearmReason(settings, spend, at);
  if (!why) return null;
  return (await rearmBreaker(breaker.reason, why)) ? why : null;
}
