import { chinaDayStart } from './china-time';
import { costFigures, costOfDays, unitPrice, type PricedPack } from './cost';
import { compareFen, fenOf, perCallYuan, roundFen } from './pricing';
import { applyCharges, type DayCount } from './quota-ledger';

const at = chinaDayStart('2026-12-01');
const pack = (id: string, over: Partial<PricedPack>): PricedPack => ({
  id,
  kind: 'quick',
  source: 'self',
  calls: 1000,
  startsAt: chinaDayStart('2026-01-01'),
  expiresAt: chinaDayStart('2027-01-01'),
  priceFen: 3000,
  ...over,
});
const trial = (calls = 1000) => pack('trial', { source: 'trial', calls, expiresAt: null, priceFen: 0 });
const all = () => true;
const figures = (packs: PricedPack[], days: DayCount[], includes: (day: string) => boolean = all, exempt = false) =>
  costFigures(costOfDays(applyCharges(packs, days, at), 'quick', includes, exempt));

test('the trial is free, and its boundary can fall inside a day: that day pays only for the calls past it', () => {
  // 5-call trial, then a 1M pack at 28,000.00 (2.8 fen a call). 8 calls on one day: 5 free, 3 × 2.8 = 8.4 fen.
  const packs = [trial(5), pack('1m', { calls: 1_000_000, priceFen: 2_800_000 })];
  expect(figures(packs, [{ day: '2026-03-01', count: 3 }])).toEqual({
    costYuan: '0.00',
    listValueYuan: '0.09',
    savingYuan: '0.09',
    estimatedCalls: 0,
  });
  expect(figures(packs, [{ day: '2026-03-01', count: 8 }])).toEqual({
    costYuan: '0.08',
    listValueYuan: '0.24',
    savingYuan: '0.16',
    estimatedCalls: 0,
  });
});

test('exact fractions are summed and rounded once: no drift from rounding each call', () => {
  // 2.8 fen a call: 1 call shows 0.03, 5 calls exactly 0.14 (rounding each call would say 0.15).
  const million = [trial(0), pack('1m', { calls: 1_000_000, priceFen: 2_800_000 })];
  expect(figures(million, [{ day: '2026-03-01', count: 1 }]).costYuan).toBe('0.03');
  expect(figures(million, [{ day: '2026-03-01', count: 5 }]).costYuan).toBe('0.14');
  // A third of a fen a call, over three days: 1 + 1 + 1 calls are 1 fen, not 0.
  const thirds = [trial(0), pack('odd', { calls: 3, priceFen: 1 })];
  expect(
    figures(thirds, [
      { day: '2026-03-01', count: 1 },
      { day: '2026-03-02', count: 1 },
      { day: '2026-03-03', count: 1 },
    ]).costYuan,
  ).toBe('0.01');
  // 10M at 270,000.00 is 2.7 fen: 999,999 calls cost 26,999.973 yuan → 26999.97.
  const tenMillion = [trial(0), pack('10m', { calls: 10_000_000, priceFen: 27_000_000 })];
  expect(figures(tenMillion, [{ day: '2026-03-01', count: 999_999 }]).costYuan).toBe('26999.97');
});

test('two packs with different unit prices: each call pays the price of the pack it drew from', () => {
  // Earliest expiry first: 250 calls for 7.50 (3 fen) expiring in June, then 1M for 28,000.00 (2.8 fen).
  const small = pack('small', { calls: 250, priceFen: 750, expiresAt: chinaDayStart('2026-06-01') });
  const big = pack('big', { calls: 1_000_000, priceFen: 2_800_000 });
  const days = [
    { day: '2026-03-01', count: 200 },
    { day: '2026-03-02', count: 100 }, // 50 from the small pack, 50 from the big one
    { day: '2026-07-01', count: 10 }, // the small pack has expired: the big one
  ];
  // 250 × 3 + 60 × 2.8 = 750 + 168 = 918 fen.
  expect(figures([trial(0), small, big], days)).toEqual({ costYuan: '9.18', listValueYuan: '9.30', savingYuan: '0.12', estimatedCalls: 0 });
  // One day alone: 50 × 3 + 50 × 2.8 = 290 fen.
  expect(figures([trial(0), small, big], days, (d) => d === '2026-03-02').costYuan).toBe('2.90');
  // By month: March 200 + 100, July 10.
  expect(figures([trial(0), small, big], days, (d) => d.startsWith('2026-07')).costYuan).toBe('0.28');
});

test('a provider pack costs its recorded price, and nothing when none was recorded', () => {
  const assigned = pack('sp', { source: 'provider', calls: 500, priceFen: null });
  expect(figures([trial(0), assigned], [{ day: '2026-03-01', count: 40 }])).toEqual({
    costYuan: '0.00',
    listValueYuan: '1.20',
    savingYuan: '1.20',
    estimatedCalls: 0,
  });
  const charged = pack('sp', { source: 'provider', calls: 500, priceFen: 1250 }); // 12.50 for 500: 2.5 fen
  expect(figures([trial(0), charged], [{ day: '2026-03-01', count: 40 }]).costYuan).toBe('1.00');
});

test('calls beyond every known pack are priced at the list price and flagged as an estimate', () => {
  const days = [{ day: '2026-03-01', count: 1010 }];
  expect(figures([trial(1000)], days)).toEqual({ costYuan: '0.30', listValueYuan: '30.30', savingYuan: '30.00', estimatedCalls: 10 });
  // A bought pack with no recorded price: list price, also an estimate.
  expect(figures([trial(0), pack('p', { priceFen: null })], [{ day: '2026-03-01', count: 7 }])).toEqual({
    costYuan: '0.21',
    listValueYuan: '0.21',
    savingYuan: '0.00',
    estimatedCalls: 7,
  });
  // Real-time at 4 fen.
  const realtime = applyCharges([{ ...trial(0), kind: 'realtime' as const }], days, at);
  expect(costFigures(costOfDays(realtime, 'realtime', all)).costYuan).toBe('40.40');
});

test('a fee-exempt account pays nothing, whatever the packs say; the list value still shows', () => {
  const packs = [trial(5), pack('p', { calls: 1000, priceFen: 3000 })];
  expect(figures(packs, [{ day: '2026-03-01', count: 1100 }], all, true)).toEqual({
    costYuan: '0.00',
    listValueYuan: '33.00',
    savingYuan: '33.00',
    estimatedCalls: 0,
  });
});

test('unit prices and how they read', () => {
  expect(unitPrice(trial())).toEqual({ perCall: fenOf(0), estimate: false });
  expect(perCallYuan(unitPrice(pack('a', { calls: 1_000_000, priceFen: 2_800_000 })).perCall)).toBe('0.028');
  expect(perCallYuan(unitPrice(pack('b', { calls: 250, priceFen: 750 })).perCall)).toBe('0.03');
  expect(perCallYuan(unitPrice(pack('c', { calls: 10_000_000, priceFen: 27_000_000 })).perCall)).toBe('0.027');
  expect(perCallYuan(fenOf(11, 4))).toBe('0.0275');
  expect(perCallYuan(fenOf(1, 3))).toBe('0.0033');
  expect(roundFen(fenOf(5, 2))).toBe(3); // half a fen rounds up
  expect(roundFen(fenOf(7, 3))).toBe(2);
  expect(compareFen(fenOf(28, 10), fenOf(3))).toBe(-1);
});
