import { breakerInForce, countOn, quotaTrip, rearmReason, spendLimitReached, spendTrip } from './breakers';
import { fenOf } from './pricing';
import { settingsFrom, type Settings } from './settings';

const capture = (over: Partial<Settings['phoneCapture']>) => ({
  enabled: true,
  kind: 'quick' as const,
  monthlyBudgetYuan: null,
  dailyCap: null,
  ...over,
});
const records = [
  { day: '2026-10-31', kind: 'quick' as const, count: 100 },
  { day: '2026-11-01', kind: 'quick' as const, count: 10 },
  { day: '2026-11-21', kind: 'quick' as const, count: 3 },
  { day: '2026-11-21', kind: 'realtime' as const, count: 2 },
];

test("today's count is both kinds' charges of that China day", () => {
  expect(countOn(records, '2026-11-21')).toBe(5);
  expect(countOn(records, '2026-11-20')).toBe(0);
});

const spend = (monthCost: [number, number?], todayCount = 0) => ({ monthCost: fenOf(monthCost[0], monthCost[1] ?? 1), todayCount });

test("the budget trips when the month's true cost reaches it exactly, the cap when today's count reaches it", () => {
  expect(spendLimitReached(capture({ monthlyBudgetYuan: 0.47 }), spend([47]))).toBe('budget-reached');
  expect(spendLimitReached(capture({ monthlyBudgetYuan: 0.48 }), spend([47]))).toBeNull();
  // Exact fractions: 0.9 fen is not a fen; 2.8 fen is past 0.02.
  expect(spendLimitReached(capture({ monthlyBudgetYuan: 0.01 }), spend([9, 10]))).toBeNull();
  expect(spendLimitReached(capture({ monthlyBudgetYuan: 0.02 }), spend([28, 10]))).toBe('budget-reached');
  // Trial calls cost nothing: a budget of 0.01 is not reached.
  expect(spendLimitReached(capture({ monthlyBudgetYuan: 0.01 }), spend([0], 3))).toBeNull();
  expect(spendLimitReached(capture({ dailyCap: 5 }), spend([0], 5))).toBe('daily-cap-reached');
  expect(spendLimitReached(capture({ dailyCap: 5 }), spend([0], 4))).toBeNull();
  expect(spendLimitReached(capture({ monthlyBudgetYuan: 0.01, dailyCap: 1 }), spend([1], 1))).toBe('budget-reached');
});

test('a budget breaker re-arms when the China month turns, not at UTC midnight', () => {
  const tripped = settingsFrom({
    phoneCapture: capture({ monthlyBudgetYuan: 1 }),
    breaker: { tripped: true, reason: 'budget-reached', at: new Date('2026-10-20T00:00:00Z') },
  });
  // 2026-10-31T16:00Z is 1 November 00:00 in China.
  const over = { monthCost: fenOf(500), tripDayCount: 0 };
  expect(rearmReason(tripped, over, new Date('2026-10-31T15:59:59Z'))).toBeNull();
  expect(rearmReason(tripped, over, new Date('2026-10-31T16:00:00Z'))).toBe('a new month (2026-11) started');
  expect(breakerInForce(tripped.breaker, new Date('2026-10-31T16:00:00Z'))).toBe(false);
});

test('a spending breaker re-arms in the same month or day only when its limit was raised or removed', () => {
  const at = new Date('2026-11-21T04:00:00Z');
  const budget = (yuan: number | null, feeExempt = false) =>
    settingsFrom({
      phoneCapture: capture({ monthlyBudgetYuan: yuan }),
      breaker: { tripped: true, reason: 'budget-reached', at },
      feeExempt,
    });
  const month = { monthCost: fenOf(47), tripDayCount: 5 };
  expect(rearmReason(budget(0.47), month, at)).toBeNull();
  expect(rearmReason(budget(0.48), month, at)).toMatch(/raised/);
  expect(rearmReason(budget(null), month, at)).toMatch(/removed/);
  expect(rearmReason(budget(0.47, true), month, at)).toMatch(/fee-exempt/);
  const cap = (n: number | null, tripAt = at) =>
    settingsFrom({ phoneCapture: capture({ dailyCap: n }), breaker: { tripped: true, reason: 'daily-cap-reached', at: tripAt } });
  expect(rearmReason(cap(5), month, at)).toBeNull();
  // The next day does not re-arm a cap breaker by itself.
  expect(rearmReason(cap(5), month, new Date('2026-11-22T04:00:00Z'))).toBeNull();
  expect(rearmReason(cap(6), month, new Date('2026-11-22T04:00:00Z'))).toMatch(/raised/);
  expect(rearmReason(cap(null), month, at)).toMatch(/removed/);
});

test('a quota breaker never re-arms by itself', () => {
  const quota = settingsFrom({ breaker: { tripped: true, reason: 'quota-exhausted', at: new Date('2026-01-01T00:00:00Z') } });
  expect(rearmReason(quota, { monthCost: fenOf(0), tripDayCount: 0 }, new Date('2026-11-21T04:00:00Z'))).toBeNull();
  expect(breakerInForce(quota.breaker, new Date('2026-11-21T04:00:00Z'))).toBe(true);
});

describe('a trip decided with the settings as they are now (issue 24)', () => {
  const now = (over: Partial<Settings['phoneCapture']>, more: Partial<Settings> = {}) => ({
    ...settingsFrom(undefined),
    phoneCapture: capture(over),
    ...more,
  });
  const measured = { monthCost: fenOf(300), todayCount: 5 };

  test('a limit raised, removed or waived since the measure trips nothing', () => {
    expect(spendTrip(now({ dailyCap: 5 }), measured)).toMatchObject({
      reason: 'daily-cap-reached',
      note: expect.stringMatching(/cap of 5$/),
    });
    expect(spendTrip(now({ dailyCap: 6 }), measured)).toBeNull();
    expect(spendTrip(now({ dailyCap: null }), measured)).toBeNull();
    expect(spendTrip(now({ monthlyBudgetYuan: 3 }), measured)).toMatchObject({ reason: 'budget-reached' });
    expect(spendTrip(now({ monthlyBudgetYuan: 3.01 }), measured)).toBeNull();
    expect(spendTrip(now({ monthlyBudgetYuan: 3 }, { feeExempt: true }), measured)).toBeNull();
  });

  test('a figure that was not measured reaches no limit', () => {
    expect(spendTrip(now({ dailyCap: 1, monthlyBudgetYuan: 0.01 }), { monthCost: null, todayCount: null })).toBeNull();
  });

  test('a quota trip only for the kind the button shows now', () => {
    expect(quotaTrip(now({ kind: 'quick' }), 'quick', 'why')).toEqual({ reason: 'quota-exhausted', note: 'why' });
    expect(quotaTrip(now({ kind: 'realtime' }), 'quick', 'why')).toBeNull();
  });
});
