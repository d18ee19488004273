import { breakerInForce, rearmReason, spendFrom, spendLimitReached } from './breakers';
import { settingsFrom, type Settings } from './settings';

const capture = (over: Partial<Settings['phoneCapture']>) => ({ enabled: true, kind: 'quick' as const, monthlyBudgetYuan: null, dailyCap: null, ...over });
const records = [
  { day: '2026-10-31', kind: 'quick' as const, count: 100 },
  { day: '2026-11-01', kind: 'quick' as const, count: 10 },
  { day: '2026-11-21', kind: 'quick' as const, count: 3 },
  { day: '2026-11-21', kind: 'realtime' as const, count: 2 },
];

test('spend: this China month\'s cost in fen and today\'s count of both kinds', () => {
  expect(spendFrom(records, '2026-11', '2026-11-21')).toEqual({ monthFen: 13 * 3 + 2 * 4, todayCount: 5 });
});

test('the budget trips when the month\'s cost reaches it exactly, the cap when today\'s count reaches it', () => {
  expect(spendLimitReached(capture({ monthlyBudgetYuan: 0.47 }), { monthFen: 47, todayCount: 0 })).toBe('budget-reached');
  expect(spendLimitReached(capture({ monthlyBudgetYuan: 0.48 }), { monthFen: 47, todayCount: 0 })).toBeNull();
  expect(spendLimitReached(capture({ dailyCap: 5 }), { monthFen: 0, todayCount: 5 })).toBe('daily-cap-reached');
  expect(spendLimitReached(capture({ dailyCap: 5 }), { monthFen: 0, todayCount: 4 })).toBeNull();
  expect(spendLimitReached(capture({ monthlyBudgetYuan: 0.01, dailyCap: 1 }), { monthFen: 1, todayCount: 1 })).toBe('budget-reached');
});

test('a budget breaker re-arms when the China month turns, not at UTC midnight', () => {
  const tripped = settingsFrom({ phoneCapture: capture({ monthlyBudgetYuan: 1 }), breaker: { tripped: true, reason: 'budget-reached', at: new Date('2026-10-20T00:00:00Z') } });
  // 2026-10-31T16:00Z is 1 November 00:00 in China.
  expect(rearmReason(tripped, records, new Date('2026-10-31T15:59:59Z'))).toBeNull();
  expect(rearmReason(tripped, records, new Date('2026-10-31T16:00:00Z'))).toBe('a new month (2026-11) started');
  expect(breakerInForce(tripped.breaker, new Date('2026-10-31T16:00:00Z'))).toBe(false);
});

test('a spending breaker re-arms in the same month or day only when its limit was raised or removed', () => {
  const at = new Date('2026-11-21T04:00:00Z');
  const budget = (yuan: number | null) => settingsFrom({ phoneCapture: capture({ monthlyBudgetYuan: yuan }), breaker: { tripped: true, reason: 'budget-reached', at } });
  expect(rearmReason(budget(0.47), records, at)).toBeNull();
  expect(rearmReason(budget(0.48), records, at)).toMatch(/raised/);
  expect(rearmReason(budget(null), records, at)).toMatch(/removed/);
  const cap = (n: number | null, tripAt = at) => settingsFrom({ phoneCapture: capture({ dailyCap: n }), breaker: { tripped: true, reason: 'daily-cap-reached', at: tripAt } });
  expect(rearmReason(cap(5), records, at)).toBeNull();
  // The next day does not re-arm a cap breaker by itself.
  expect(rearmReason(cap(5), records, new Date('2026-11-22T04:00:00Z'))).toBeNull();
  expect(rearmReason(cap(6), records, new Date('2026-11-22T04:00:00Z'))).toMatch(/raised/);
  expect(rearmReason(cap(null), records, at)).toMatch(/removed/);
});

test('a quota breaker never re-arms by itself', () => {
  const quota = settingsFrom({ breaker: { tripped: true, reason: 'quota-exhausted', at: new Date('2026-01-01T00:00:00Z') } });
  expect(rearmReason(quota, records, new Date('2026-11-21T04:00:00Z'))).toBeNull();
  expect(breakerInForce(quota.breaker, new Date('2026-11-21T04:00:00Z'))).toBe(true);
});
