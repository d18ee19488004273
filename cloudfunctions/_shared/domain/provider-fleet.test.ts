import { addSample, dailyRate, daysLeft, fleetOrder } from './provider-fleet';

const day = (n: number, hours = 0) => new Date(Date.UTC(2026, 2, 1 + n, hours));

test('the rate is calls a day between the first and last readings at least a day apart', () => {
  expect(dailyRate([{ at: day(0), used: 100 }])).toBeNull();
  expect(
    dailyRate([
      { at: day(0), used: 100 },
      { at: day(0, 6), used: 200 },
    ]),
  ).toBeNull();
  expect(
    dailyRate([
      { at: day(0), used: 100 },
      { at: day(4), used: 500 },
    ]),
  ).toBe(100);
  // used went down (a pack cancelled or expired): no rate rather than a negative one.
  expect(
    dailyRate([
      { at: day(0), used: 500 },
      { at: day(4), used: 100 },
    ]),
  ).toBeNull();
});

test('days left at the recent rate; none without a rate; zero when nothing is left', () => {
  const samples = [
    { at: day(0), used: 0 },
    { at: day(2), used: 200 },
  ];
  expect(daysLeft({ remaining: 950, samples })).toBe(9);
  expect(daysLeft({ remaining: 950, samples: samples.slice(0, 1) })).toBeNull();
  expect(daysLeft({ remaining: null, samples })).toBeNull();
  expect(daysLeft({ remaining: 0, samples: [] })).toBe(0);
});

test('samples: the latest of each half day, within 30 days', () => {
  let samples = addSample([], { at: day(0), used: 1 });
  samples = addSample(samples, { at: day(0, 1), used: 2 });
  expect(samples).toEqual([{ at: day(0, 1), used: 2 }]);
  samples = addSample(samples, { at: day(1, 2), used: 3 });
  samples = addSample(samples, { at: day(40), used: 9 });
  expect(samples).toEqual([{ at: day(40), used: 9 }]);
});

test('the fleet is sorted by days left, unknown last', () => {
  const rows = [
    { appid: 'b', daysLeft: null },
    { appid: 'a', daysLeft: 30 },
    { appid: 'c', daysLeft: 2 },
  ];
  expect(rows.sort(fleetOrder).map((r) => r.appid)).toEqual(['c', 'a', 'b']);
});
