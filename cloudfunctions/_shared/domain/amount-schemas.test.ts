import * as v from 'valibot';
import { pageLimit, startDate, yuanAmount } from './amount-schemas';

const ok = (schema: v.GenericSchema, input: unknown) => v.safeParse(schema, input).success;

test.each([0.01, 0.29, 1, 30, 99.99, 100_000_000])('%p yuan is an amount', (n) => expect(ok(yuanAmount, n)).toBe(true));
test.each([1e-9, 4e-9, 0.004, 0.001, 0, -1, 0.015, 1.005, NaN, Infinity, 1e9])('%p yuan is refused', (n) =>
  expect(ok(yuanAmount, n)).toBe(false),
);

test.each([
  '2026-02-28',
  '2028-02-29',
  '2023-01-01',
  '2100-12-31',
  '2026-12-01T08:00:00Z',
  '2026-12-01T08:00:00.123+08:00',
  '2026-12-01T08:00Z',
])('%s is a start date', (s) => expect(ok(startDate, s)).toBe(true));
test.each([
  '2026-02-30',
  '2027-02-29',
  '2026-13-01',
  '2026-00-10',
  '2026-04-31',
  '2101-01-01',
  '2022-12-31',
  '2026-02-30T00:00:00Z',
  '2026-12-01T24:00:00Z',
  '2026-12-01T08:61:00Z',
  '2026-12-01T08:00:00+25:00',
  '20261201',
  'tomorrow',
])('%s is refused', (s) => expect(ok(startDate, s)).toBe(false));

test("a day is that China day's start", () => {
  expect(v.parse(startDate, '2026-12-01').toISOString()).toBe('2026-11-30T16:00:00.000Z');
});

describe('pageLimit', () => {
  const limit = pageLimit(100, 20);
  test('absent: the default page size', () => expect(v.parse(limit, undefined)).toBe(20));
  test('1 to max is taken as is', () => expect([1, 100].map((n) => v.parse(limit, n))).toEqual([1, 100]));
  test.each([0, 101, 2.5, '10', -1])('%p is refused, saying the range', (bad) => {
    expect(() => v.parse(limit, bad)).toThrow(/must be (1 to 100|a whole number|a number)/);
  });
});
