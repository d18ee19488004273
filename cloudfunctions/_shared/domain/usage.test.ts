import { chinaDayStart } from './china-time';
import type { PricedPack } from './cost';
import { applyCharges } from './quota-ledger';
import type { PhoneKind } from './settings';
import { lastChinaMonths, summarizeUsage, type UsageDay } from './usage';

const at = new Date('2026-03-01T01:00:00Z'); // 2026-03-01 09:00 in China

const trial = (kind: PhoneKind, calls: number): PricedPack => ({
  id: `trial-${kind}`,
  kind,
  source: 'trial',
  calls,
  startsAt: chinaDayStart('2020-01-01'),
  expiresAt: null,
  priceFen: 0,
});
/** Both kinds' ledgers: a trial of `trialCalls` and `packs`. */
const ledgers = (records: UsageDay[], trialCalls = 0, packs: PricedPack[] = []) => {
  const of = (kind: PhoneKind) =>
    applyCharges(
      [trial(kind, trialCalls), ...packs.filter((p) => p.kind === kind)],
      records.filter((r) => r.kind === kind),
      at,
    );
  return { quick: of('quick'), realtime: of('realtime') };
};
const summarize = (records: UsageDay[], months: number, trialCalls = 0, packs: PricedPack[] = [], exempt = false) =>
  summarizeUsage(records, at, months, ledgers(records, trialCalls, packs), exempt);

test('months are China months, across a year boundary', () => {
  expect(lastChinaMonths(new Date('2026-01-31T17:00:00Z'), 3)).toEqual(['2025-12', '2026-01', '2026-02']);
  expect(lastChinaMonths(at, 1)).toEqual(['2026-03']);
});

test('counts land in their month and day; beyond every pack, cost is the list price, flagged as an estimate', () => {
  const s = summarize(
    [
      { day: '2026-03-01', kind: 'quick', count: 3 },
      { day: '2026-03-01', kind: 'realtime', count: 2 },
      { day: '2026-02-28', kind: 'quick', count: 1 },
      { day: '2025-01-01', kind: 'quick', count: 99 }, // outside both windows
    ] as UsageDay[],
    2,
  );
  expect(s.months).toEqual([
    { month: '2026-02', quick: 1, realtime: 0, costYuan: '0.03', listValueYuan: '0.03', savingYuan: '0.00', estimatedCalls: 1 },
    { month: '2026-03', quick: 3, realtime: 2, costYuan: '0.17', listValueYuan: '0.17', savingYuan: '0.00', estimatedCalls: 5 },
  ]);
  expect(s.totals).toEqual({ quick: 4, realtime: 2, costYuan: '0.20', listValueYuan: '0.20', savingYuan: '0.00', estimatedCalls: 6 });
  expect(s.feeExempt).toBe(false);
  expect(s.days).toHaveLength(30);
  expect(s.days.at(-1)).toEqual({ day: '2026-03-01', quick: 3, realtime: 2 });
  expect(s.days.at(-2)).toEqual({ day: '2026-02-28', quick: 1, realtime: 0 });
});

test('large volumes stay exact', () => {
  const s = summarize(
    [
      { day: '2026-03-01', kind: 'quick', count: 10_000_000 },
      { day: '2026-03-01', kind: 'realtime', count: 3 },
    ],
    1,
  );
  expect(s.totals.costYuan).toBe('300000.12');
});

test("the trial is free; after it each call costs its pack's price; months and the total are each rounded once", () => {
  // 1,000-call trial used up in January; a 1M pack at 28,000.00 (2.8 fen a call) from then on.
  const million: PricedPack = {
    id: 'm',
    kind: 'quick',
    source: 'self',
    calls: 1_000_000,
    startsAt: chinaDayStart('2026-01-01'),
    expiresAt: chinaDayStart('2027-01-01'),
    priceFen: 2_800_000,
  };
  const records: UsageDay[] = [
    { day: '2026-01-10', kind: 'quick', count: 1000 },
    { day: '2026-02-10', kind: 'quick', count: 1 }, // 2.8 fen → 0.03
    { day: '2026-03-01', kind: 'quick', count: 1 }, // 2.8 fen → 0.03
  ];
  const s = summarize(records, 3, 1000, [million]);
  expect(s.months).toEqual([
    { month: '2026-01', quick: 1000, realtime: 0, costYuan: '0.00', listValueYuan: '30.00', savingYuan: '30.00', estimatedCalls: 0 },
    { month: '2026-02', quick: 1, realtime: 0, costYuan: '0.03', listValueYuan: '0.03', savingYuan: '0.00', estimatedCalls: 0 },
    { month: '2026-03', quick: 1, realtime: 0, costYuan: '0.03', listValueYuan: '0.03', savingYuan: '0.00', estimatedCalls: 0 },
  ]);
  // 5.6 fen, rounded once: 0.06.
  expect(s.totals).toMatchObject({ quick: 1002, costYuan: '0.06', listValueYuan: '30.06', savingYuan: '30.00' });
});

test('a fee-exempt account: every cost 0, the list value beside it', () => {
  const s = summarize([{ day: '2026-03-01', kind: 'quick', count: 2000 }], 1, 1000, [], true);
  expect(s.totals).toEqual({ quick: 2000, realtime: 0, costYuan: '0.00', listValueYuan: '60.00', savingYuan: '60.00', estimatedCalls: 0 });
  expect(s.feeExempt).toBe(true);
});
