import { offeredKind } from './phone-offer';

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
