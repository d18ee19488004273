import { bookedKind, offeredKind, rememberOffer } from './phone-offer';

test('real-time is offered only to a phone that lists it', () => {
  expect(offeredKind('realtime', ['quick', 'realtime'])).toBe('realtime');
  expect(offeredKind('realtime', ['quick'])).toBe('quick');
  expect(offeredKind('realtime', [])).toBe('quick');
});

test('a client that does not say gets the configured kind; quick stays quick', () => {
  expect(offeredKind('realtime', undefined)).toBe('realtime');
  expect(offeredKind('quick', ['realtime'])).toBe('quick');
  expect(offeredKind('quick', undefined)).toBe('quick');
});

const T0 = new Date('2031-03-10T02:00:00Z');
const later = (ms: number) => new Date(T0.getTime() + ms);
const HOUR = 3600_000;

test('each kind offered is remembered; the same kind again is written once a day at most', () => {
  const quick = rememberOffer(null, 'quick', T0)!;
  expect(quick).toEqual({ kind: 'quick', at: T0, kinds: { quick: T0 } });
  expect(rememberOffer(quick, 'quick', later(HOUR))).toBeNull();
  const both = rememberOffer(quick, 'realtime', later(HOUR))!;
  expect(both).toEqual({ kind: 'realtime', at: later(HOUR), kinds: { quick: T0, realtime: later(HOUR) } });
  // Back on the old phone: the latest offer changes, so it is written.
  expect(rememberOffer(both, 'quick', later(2 * HOUR))).toMatchObject({ kind: 'quick', kinds: { realtime: later(HOUR) } });
  expect(rememberOffer(quick, 'quick', later(25 * HOUR))).toMatchObject({ kinds: { quick: later(25 * HOUR) } });
});

test('a claim prices a tap only when its kind was offered to the user recently', () => {
  const both = { kind: 'realtime' as const, at: later(HOUR), kinds: { quick: T0, realtime: later(HOUR) } };
  expect(bookedKind(both, 'quick', later(2 * HOUR))).toBe('quick');
  expect(bookedKind(both, 'realtime', later(2 * HOUR))).toBe('realtime');
  expect(bookedKind(both, null, later(2 * HOUR))).toBe('realtime');
  // Offered quick eight days ago: the claim no longer prices anything.
  expect(bookedKind(both, 'quick', later(8 * 24 * HOUR))).toBe('realtime');
  // A record from before the set: only its kind was offered.
  expect(bookedKind({ kind: 'quick', at: T0 }, 'realtime', later(HOUR))).toBe('quick');
  expect(bookedKind(null, 'realtime', T0)).toBeNull();
});
