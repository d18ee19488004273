/**
 * Usage summaries from the daily counters (`usage_daily`), so a summary costs one read
 * per day, not per charge. Months and days are China time. Money is what the calls
 * cost (each at the price of the pack it drew from: see cost.ts), beside what they
 * would cost at the list price; summed exactly and shown as exact yuan strings.
 */
import { chinaMonth, lastChinaDays } from './china-time';
import { costFigures, costOfBoth, type PricedPack } from './cost';
import type { LedgerState } from './quota-ledger';
import type { PhoneKind } from './settings';
import type { UsageSummary } from '../../../miniprogram/contract';

export interface UsageDay {
  day: string;
  kind: PhoneKind;
  count: number;
}

/** The `count` China-time months ending with the month of `at`, oldest first. */
export function lastChinaMonths(at: Date, count: number): string[] {
  const [year, month] = chinaMonth(at).split('-').map(Number) as [number, number];
  const months: string[] = [];
  for (let i = count - 1; i >= 0; i--) {
    const index = year * 12 + (month - 1) - i;
    months.push(`${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`);
  }
  return months;
}

/** `ledgers`: both kinds' ledgers over all of history (what prices each call). */
export function summarizeUsage(
  records: UsageDay[],
  at: Date,
  months: number,
  ledgers: Record<PhoneKind, LedgerState<PricedPack>>,
  feeExempt = false,
): UsageSummary {
  const monthKeys = lastChinaMonths(at, months);
  const dayKeys = lastChinaDays(at, 30);
  const byMonth = new Map(monthKeys.map((m) => [m, { quick: 0, realtime: 0 }]));
  const byDay = new Map(dayKeys.map((d) => [d, { quick: 0, realtime: 0 }]));
  for (const r of records) {
    const m = byMonth.get(r.day.slice(0, 7));
    if (m) m[r.kind] += r.count;
    const d = byDay.get(r.day);
    if (d) d[r.kind] += r.count;
  }
  const monthRows = monthKeys.map((month) => ({
    month,
    ...byMonth.get(month)!,
    ...costFigures(costOfBoth(ledgers, (day) => day.startsWith(month), feeExempt)),
  }));
  const first = monthKeys[0]!;
  // The window's total is summed exactly and rounded once (not the sum of rounded months).
  const total = costOfBoth(ledgers, (day) => day.slice(0, 7) >= first && day.slice(0, 7) <= monthKeys[monthKeys.length - 1]!, feeExempt);
  return {
    months: monthRows,
    days: dayKeys.map((day) => ({ day, ...byDay.get(day)! })),
    totals: {
      quick: monthRows.reduce((s, m) => s + m.quick, 0),
      realtime: monthRows.reduce((s, m) => s + m.realtime, 0),
      ...costFigures(total),
    },
    feeExempt,
  };
}
