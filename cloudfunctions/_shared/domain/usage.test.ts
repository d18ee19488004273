import { lastChinaMonths, summarizeUsage, summaryStartDay } from './usage';

const at = new Date('2026-03-01T01:00:00Z'); // 2026-03-01 09:00 in China

test('months are China months, across a year boundary', () => {
  expect(lastChinaMonths(new Date('2026-01-31T17:00:00Z'), 3)).toEqual(['2025-12', '2026-01', '2026-02']);
  expect(lastChinaMonths(at, 1)).toEqual(['2026-03']);
});

test('the summary reads back to the earlier of the month window and the 30-day window', () => {
  expect(summaryStartDay(at, 12)).toBe('2025-04-01');
  expect(summaryStartDay(at, 1)).toBe('2026-01-31');
});

test('counts land in their month and day; cost is exact', () => {
  const s = summarizeUsage(
    [
      { day: '2026-03-01', kind: 'quick', count: 3 },
      { day: '2026-03-01', kind: 'realtime', count: 2 },
      { day: '2026-02-28', kind: 'quick', count: 1 },
      { day: '2025-01-01', kind: 'quick', count: 99 }, // outside both windows
    ],
    at,
    2,
  );
  expect(s.months).toEqual([
    { month: '2026-02', quick: 1, realtime: 0, costYuan: '0.03' },
    { month: '2026-03', quick: 3, realtime: 2, costYuan: '0.17' },
  ]);
  expect(s.totals).toEqual({ quick: 4, realtime: 2, costYuan: '0.20' });
  expect(s.days).toHaveLength(30);
  expect(s.days.at(-1)).toEqual({ day: '2026-03-01', quick: 3, realtime: 2 });
  expect(s.days.at(-2)).toEqual({ day: '2026-02-28', quick: 1, realtime: 0 });
});

test('large volumes stay exact', () => {
  const s = summarizeUsage([{ day: '2026-03-01', kind: 'quick', count: 10_000_000 }, { day: '2026-03-01', kind: 'realtime', count: 3 }], at, 1);
  expect(s.totals.costYuan).toBe('300000.12');
});
