import { chinaDayStart, daysFrom, lastChinaDays } from './china-time';
import { forecast, monthlyAverage, monthlyCost, project } from './forecast';
import { fenOf } from './pricing';
import { applyCharges, type Pack } from './quota-ledger';

const at = new Date('2026-11-21T04:00:00Z'); // 12:00 in China
const trial: Pack = { id: 'trial', kind: 'quick', source: 'trial', calls: 1000, startsAt: chinaDayStart('2026-01-01'), expiresAt: null };
const everyDay = (days: string[], count: number) => days.map((day) => ({ day, count }));

test('the average is charges per 30 days over the last 90, counting from the first day used', () => {
  expect(monthlyAverage(everyDay(lastChinaDays(at, 90), 2), at)).toBe(60);
  // Older history is outside the window.
  expect(monthlyAverage([...everyDay(lastChinaDays(at, 90), 1), { day: '2026-01-05', count: 5000 }], at)).toBe(30);
  // A young account: 10 days of 4 a day is 120 a month, not diluted by 80 empty days.
  expect(monthlyAverage(everyDay(lastChinaDays(at, 10), 4), at)).toBe(120);
  // The first days say little: at least 7 days divide.
  expect(monthlyAverage([{ day: '2026-11-21', count: 7 }], at)).toBe(30);
  expect(monthlyAverage([], at)).toBe(0);
});

test('daysFrom starts on the China day of the instant, across a month end', () => {
  expect(daysFrom(new Date('2026-11-29T16:30:00Z'), 3)).toEqual(['2026-11-30', '2026-12-01', '2026-12-02']);
});

test('runs out on the day the rate exceeds what is left: 900 left at 300 a month (10 a day) lasts 90 days', () => {
  const state = applyCharges([trial], [{ day: '2026-11-01', count: 100 }], at);
  const f = forecast(state, everyDay(lastChinaDays(at, 90), 10), at);
  expect(f.monthlyAverage).toBe(300);
  // Days 0..89 use 900 calls (today included), so day 90 is short.
  expect(f.exhaustsOn).toBe(daysFrom(at, 91)[90]);
});

test('a fractional daily rate is exact: 40 a month leaves 1000 for exactly 750 days', () => {
  const state = applyCharges([trial], [], at);
  const { firstShortDay } = project(state, 40, daysFrom(at, 800));
  expect(firstShortDay).toBe(daysFrom(at, 751)[750]);
});

test('a pack that expires takes its rest with it; a pack that starts later extends the run', () => {
  const expiring: Pack = {
    id: 'x',
    kind: 'quick',
    source: 'self',
    calls: 10_000,
    startsAt: chinaDayStart('2026-01-01'),
    expiresAt: chinaDayStart('2026-12-01'),
  };
  const noTrial = applyCharges([{ ...trial, calls: 0 }, expiring], [], at);
  // 10 a day: 10 days (21..30 Nov) then the pack is gone.
  expect(project(noTrial, 300, daysFrom(at, 400)).firstShortDay).toBe('2026-12-01');
  const later: Pack = {
    id: 'y',
    kind: 'quick',
    source: 'self',
    calls: 300,
    startsAt: chinaDayStart('2026-12-01'),
    expiresAt: chinaDayStart('2027-12-01'),
  };
  const extended = applyCharges([{ ...trial, calls: 0 }, expiring, later], [], at);
  expect(project(extended, 300, daysFrom(at, 400)).firstShortDay).toBe('2026-12-31');
});

test('nothing left today means exhausted today; no use means no run-out day', () => {
  const spent = applyCharges([trial], [{ day: '2026-11-01', count: 1000 }], at);
  expect(forecast(spent, [], at).exhaustsOn).toBe('2026-11-21');
  expect(forecast(applyCharges([trial], [], at), [], at)).toEqual({ monthlyAverage: 0, exhaustsOn: null });
});

test('shortfall counts the calls demanded beyond cover over the period, rounded up', () => {
  const state = applyCharges([{ ...trial, calls: 100 }], [], at);
  // 30 days at 40/month = 40 calls; 100 left → no shortfall. 120 days = 160 → 60 short.
  expect(project(state, 40, daysFrom(at, 30)).shortfall).toBe(0);
  expect(project(state, 40, daysFrom(at, 120)).shortfall).toBe(60);
});

describe("the next 30 days' cost at the recent rate", () => {
  const priced = (p: Pack, priceFen: number) => ({ ...p, priceFen });
  const pack = (id: string, calls: number, priceFen: number) =>
    priced(
      { id, kind: 'quick', source: 'self', calls, startsAt: chinaDayStart('2026-01-01'), expiresAt: chinaDayStart('2028-01-01') },
      priceFen,
    );
  const yuan = (f: { num: bigint; den: bigint }) => Number(f.num) / Number(f.den) / 100;

  test("what the trial still covers is free; the rest at the packs' unit prices, then at the price of what to buy", () => {
    // 300 left in the trial, then 1M at 2.8 fen; 900 a month: 300 free + 600 × 2.8 = 1,680 fen.
    const state = applyCharges([{ ...trial, priceFen: 0 }, pack('m', 1_000_000, 2_800_000)], [{ day: '2026-11-01', count: 700 }], at);
    expect(yuan(monthlyCost(state, 900, at, fenOf(3)))).toBeCloseTo(16.8, 10);
    // Nothing but 300 trial calls: the other 600 at 2.7 fen (what the advice would buy).
    const bare = applyCharges([{ ...trial, priceFen: 0 }], [{ day: '2026-11-01', count: 700 }], at);
    expect(yuan(monthlyCost(bare, 900, at, fenOf(27, 10)))).toBeCloseTo(16.2, 10);
    expect(monthlyCost(bare, 0, at, fenOf(3))).toEqual(fenOf(0));
  });

  test('a rate that is not a whole number a day stays exact', () => {
    // 40 a month at 3 fen (1000 for 30.00): 120 fen exactly.
    const state = applyCharges([{ ...trial, calls: 0, priceFen: 0 }, pack('k', 1000, 3000)], [], at);
    expect(monthlyCost(state, 40, at, fenOf(3))).toEqual(fenOf(120));
  });
});
