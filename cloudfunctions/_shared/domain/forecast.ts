/**
 * How fast quota is used and when it runs out. The average looks back about three
 * months, like the "recent average" figure in WeChat's console; the run-out day comes
 * from playing that rate forward, day by day, against the packs that will be active
 * then (a pack that starts later helps; one that expires takes its rest with it).
 *
 * Rates are whole calls per month; the daily share is kept exact by counting in
 * thirtieths of a call. Pure: no SDK.
 */
import { chinaDay, daysBetween, daysFrom, lastChinaDays } from './china-time';
import { unitPrice, type PricedPack } from './cost';
import { addFen, fenOf, timesFen, ZERO_FEN, type Fen } from './pricing';
import { draw, type DayCount, type LedgerState, type Pack } from './quota-ledger';

const AVERAGE_WINDOW_DAYS = 90;
/** A young account's first days say little; the average divides by at least this many. */
const MIN_AVERAGE_DAYS = 7;
/** How far ahead a run-out day is looked for; beyond it the answer is "not in sight". */
export const FORECAST_HORIZON_DAYS = 3 * 366;
const DAYS_PER_MONTH = 30;

export interface Forecast {
  monthlyAverage: number;
  exhaustsOn: string | null;
}

/**
 * Charges per 30 days over the last AVERAGE_WINDOW_DAYS (today included), counting only
 * from the first day with a charge so a new account is not diluted by empty months.
 */
export function monthlyAverage(days: readonly DayCount[], at: Date): number {
  const window = lastChinaDays(at, AVERAGE_WINDOW_DAYS);
  const first = window[0]!;
  const today = window[window.length - 1]!;
  let total = 0;
  let firstUsed: string | null = null;
  for (const { day, count } of days) {
    if (day < first || day > today || count <= 0) continue;
    total += count;
    if (firstUsed === null || day < firstUsed) firstUsed = day;
  }
  if (firstUsed === null) return 0;
  const spanDays = daysBetween(firstUsed, today) + 1;
  const divisor = Math.max(MIN_AVERAGE_DAYS, spanDays);
  return Math.round((total * DAYS_PER_MONTH) / divisor);
}

interface Projection {
  /** The first day demand could not be met in full; null if every day was. */
  firstShortDay: string | null;
  /** Calls demanded but not covered over the whole period (rounded up). */
  shortfall: number;
}

/**
 * Plays `perMonth` calls a month forward over `days` against what the packs still hold
 * after `state` (today counts in full: the rest of today is spent at the same rate).
 */
export function project(state: LedgerState, perMonth: number, days: readonly string[]): Projection {
  const ordered: Pack[] = state.packs.map((p) => p.pack);
  // In thirtieths of a call, so a rate of 40/month is 40 units a day, exactly.
  const left = state.packs.map((p) => (p.pack.calls - p.used) * DAYS_PER_MONTH);
  let firstShortDay: string | null = null;
  let unmet = 0;
  for (const day of days) {
    const short = draw(ordered, left, day, perMonth);
    if (short > 0) {
      unmet += short;
      firstShortDay ??= day;
    }
  }
  return { firstShortDay, shortfall: Math.ceil(unmet / DAYS_PER_MONTH) };
}

export function forecast(state: LedgerState, history: readonly DayCount[], at: Date): Forecast {
  const average = monthlyAverage(history, at);
  // Out now, whatever comes later: the button fails today.
  if (state.remaining === 0) return { monthlyAverage: average, exhaustsOn: chinaDay(at) };
  if (average === 0) return { monthlyAverage: 0, exhaustsOn: null };
  return { monthlyAverage: average, exhaustsOn: project(state, average, daysFrom(at, FORECAST_HORIZON_DAYS)).firstShortDay };
}

/**
 * What the next 30 days will cost at `perMonth` calls a month: each day's share drawn
 * from the packs in WeChat's order, at each pack's unit price; what they cannot cover at
 * `beyond` a call (the per-call price of the pack to buy). Exact.
 */
export function monthlyCost(state: LedgerState<PricedPack>, perMonth: number, at: Date, beyond: Fen): Fen {
  if (perMonth <= 0) return ZERO_FEN;
  const ordered: Pack[] = state.packs.map((p) => p.pack);
  const left = state.packs.map((p) => (p.pack.calls - p.used) * DAYS_PER_MONTH);
  const start = left.slice();
  let unmet = 0;
  for (const day of daysFrom(at, DAYS_PER_MONTH)) unmet += draw(ordered, left, day, perMonth);
  // In thirtieths of a call: divide once at the end.
  let cost = timesFen(beyond, unmet);
  state.packs.forEach((p, i) => {
    const used = start[i]! - left[i]!;
    if (used > 0) cost = addFen(cost, timesFen(unitPrice(p.pack).perCall, used));
  });
  return fenOf(cost.num, cost.den * BigInt(DAYS_PER_MONTH));
}
