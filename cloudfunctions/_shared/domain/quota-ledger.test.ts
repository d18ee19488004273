import { applyCharges, dayParts, deductionOrder, fitParts, servesDay, splitsWithin, type Pack } from './quota-ledger';
import { chinaDayStart } from './china-time';

const day = (d: string) => chinaDayStart(d);
const pack = (id: string, over: Partial<Pack>): Pack => ({
  id,
  kind: 'quick',
  source: 'self',
  calls: 100,
  startsAt: day('2026-01-01'),
  expiresAt: null,
  ...over,
});
const trial = pack('trial', { source: 'trial', calls: 1000 });

test('the trial is drawn first, then packs by earliest expiry, whatever order they were recorded in', () => {
  const late = pack('late', { expiresAt: day('2027-06-01') });
  const early = pack('early', { expiresAt: day('2026-12-01') });
  expect(deductionOrder([late, early, trial]).map((p) => p.id)).toEqual(['trial', 'early', 'late']);
  const state = applyCharges([late, early, trial], [{ day: '2026-03-01', count: 1150 }], day('2026-03-02'));
  expect(state.packs.map((p) => [p.pack.id, p.used, p.status])).toEqual([
    ['trial', 1000, 'used-up'],
    ['early', 100, 'used-up'],
    ['late', 50, 'active'],
  ]);
  expect(state.remaining).toBe(50);
  expect(state.uncovered).toBe(0);
});

test('a pack serves the China days it overlaps: from its start day, not on the day it expires at midnight', () => {
  const p = pack('p', { startsAt: new Date('2026-03-10T04:00:00Z'), expiresAt: day('2026-03-20') });
  expect(servesDay(p, '2026-03-09')).toBe(false);
  expect(servesDay(p, '2026-03-10')).toBe(true); // starts at noon China time that day
  expect(servesDay(p, '2026-03-19')).toBe(true);
  expect(servesDay(p, '2026-03-20')).toBe(false); // expired at 00:00 China time
  // Expiring at 00:00:01 it still serves the first second of the day.
  expect(servesDay({ ...p, expiresAt: new Date(day('2026-03-20').getTime() + 1000) }, '2026-03-20')).toBe(true);
});

test('charges before a pack starts or after it expires do not touch it; what nothing covers is reported', () => {
  const p = pack('p', { startsAt: day('2026-03-10'), expiresAt: day('2026-03-20') });
  const state = applyCharges(
    [p],
    [
      { day: '2026-03-09', count: 5 },
      { day: '2026-03-10', count: 7 },
      { day: '2026-03-20', count: 3 },
    ],
    day('2026-03-15'),
  );
  expect(state.packs[0]).toMatchObject({ used: 7, status: 'active' });
  expect(state.uncovered).toBe(8);
  expect(state.remaining).toBe(93);
});

test('status: pending before its start, expired at its expiry, used-up when full; only active packs count as remaining', () => {
  const future = pack('future', { startsAt: day('2026-04-01'), expiresAt: day('2027-04-01') });
  const gone = pack('gone', { startsAt: day('2025-01-01'), expiresAt: day('2026-03-01') });
  const at = day('2026-03-01'); // the instant `gone` expires
  const state = applyCharges([trial, future, gone], [{ day: '2026-02-01', count: 1010 }], at);
  const byId = Object.fromEntries(state.packs.map((p) => [p.pack.id, p]));
  expect(byId.trial).toMatchObject({ used: 1000, status: 'used-up' });
  expect(byId.gone).toMatchObject({ used: 10, status: 'expired' });
  expect(byId.future).toMatchObject({ used: 0, status: 'pending' });
  expect(state.remaining).toBe(0);
});

test('days are applied in date order even when given out of order', () => {
  const early = pack('early', { startsAt: day('2026-01-01'), expiresAt: day('2026-02-01') });
  const after = pack('after', { startsAt: day('2026-01-01'), expiresAt: day('2026-12-01') });
  const state = applyCharges(
    [early, after],
    [
      { day: '2026-03-01', count: 30 },
      { day: '2026-01-15', count: 120 },
    ],
    day('2026-03-02'),
  );
  expect(state.packs.map((p) => [p.pack.id, p.used])).toEqual([
    ['early', 100],
    ['after', 50],
  ]);
});

describe('expiry is an instant (issue 24)', () => {
  // 2026-03-10 China: `a` expires at 12:00, `b` runs all year. WeChat draws `a` first until noon, then `b`.
  const noon = new Date('2026-03-10T04:00:00Z');
  const a = pack('a', { startsAt: day('2026-03-01'), expiresAt: noon });
  const b = pack('b', { startsAt: day('2026-03-01'), expiresAt: day('2027-03-01') });

  test('the day splits where a pack starts or expires inside it, and only there', () => {
    expect(splitsWithin([a, b], '2026-03-10')).toEqual([noon]);
    expect(splitsWithin([a, b], '2026-03-09')).toEqual([]);
    expect(dayParts('2026-03-10', [noon])).toEqual([
      { from: day('2026-03-10'), to: noon },
      { from: noon, to: day('2026-03-11') },
    ]);
  });

  test("charges after a pack's expiry that same day come out of the next pack", () => {
    const parts = fitParts(dayParts('2026-03-10', [noon]), [2, 3], 5);
    const state = applyCharges([a, b], [{ day: '2026-03-10', count: 5, parts }], new Date('2026-03-10T06:00:00Z'));
    expect(state.packs.map((p) => [p.pack.id, p.used, p.status])).toEqual([
      ['a', 2, 'expired'],
      ['b', 3, 'active'],
    ]);
    expect(state.remaining).toBe(97);
    // Without the parts (the day drawn whole) `a` would take all five: the bug.
    expect(applyCharges([a, b], [{ day: '2026-03-10', count: 5 }], noon).packs[0]!.used).toBe(5);
  });

  test("the day's counter rules the parts' total; records not yet counted go to the last part", () => {
    const parts = dayParts('2026-03-10', [noon]);
    expect(fitParts(parts, [2, 1], 5).map((p) => p.count)).toEqual([2, 3]);
    expect(fitParts(parts, [7, 1], 5).map((p) => p.count)).toEqual([5, 0]);
  });
});
