import { chinaDayStart, daysFrom, lastChinaDays } from './china-time';
import { forecast, monthlyAverage, project } from './forecast';
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
  const expiring: Pack = { id: 'x', kind: 'quick', source: 'self', calls: 10_000, startsAt: chinaDayStart('2026-01-01'), expiresAt: chinaDayStart('2026-12-01') };
  const noTrial = applyCharges([{ ...trial, calls: 0 }, expiring], [], at);
  // 10 a day: 10 days (21..30 Nov) then the pack is gone.
  expect(project(noTrial, 300, daysFrom(at, 400)).firstShortDay).toBe('2026-12-01');
  const later: Pack = { id: 'y', kind: 'quick', source: 'self', calls: 300, startsAt: chinaDayStart('2026-12-01'), expiresAt: chinaDayStart('2027-12-01') };
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
