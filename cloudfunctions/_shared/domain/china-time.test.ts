import { chinaDay, chinaDayStart, chinaMonth, lastChinaDays } from './china-time';

test('a UTC evening is already the next day in China', () => {
  expect(chinaDay(new Date('2026-03-31T15:59:59.999Z'))).toBe('2026-03-31');
  expect(chinaDay(new Date('2026-03-31T16:00:00.000Z'))).toBe('2026-04-01');
});

test('months turn over at China midnight, including the year', () => {
  expect(chinaMonth(new Date('2026-12-31T15:59:59Z'))).toBe('2026-12');
  expect(chinaMonth(new Date('2026-12-31T16:00:00Z'))).toBe('2027-01');
});

test('a China day starts at 16:00 UTC the day before', () => {
  expect(chinaDayStart('2026-04-01').toISOString()).toBe('2026-03-31T16:00:00.000Z');
});

test('the last N days end today, oldest first, across a month end', () => {
  expect(lastChinaDays(new Date('2026-03-01T02:00:00Z'), 3)).toEqual(['2026-02-27', '2026-02-28', '2026-03-01']);
});
