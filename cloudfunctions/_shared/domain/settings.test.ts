import { defaultSettings, phoneLoginFor, publicSettings, settingsFrom } from './settings';

test('no stored document means defaults: capture on, quick, nothing hidden', () => {
  const s = settingsFrom(null);
  expect(s).toEqual(defaultSettings());
  expect(publicSettings(s)).toEqual({ phoneCaptureEnabled: true, phoneKind: 'quick', hidePrices: false, hideShippingAddress: false, version: 0 });
});

test('a partial stored document keeps the defaults it lacks', () => {
  const s = settingsFrom({ version: 4, phoneCapture: { kind: 'realtime' } as never });
  expect(s.phoneCapture).toEqual({ enabled: true, kind: 'realtime', monthlyBudgetYuan: null, dailyCap: null });
  expect(s.breaker).toEqual({ tripped: false, reason: null, at: null });
  expect(s.version).toBe(4);
});

test('a tripped breaker turns phone capture off for the mini program', () => {
  const s = settingsFrom({ breaker: { tripped: true, reason: 'budget-reached', at: new Date() } });
  expect(publicSettings(s).phoneCaptureEnabled).toBe(false);
});

test('hiddenBecause: already-bound first, then disabled, then the breaker', () => {
  const off = settingsFrom({ phoneCapture: { enabled: false, kind: 'quick', monthlyBudgetYuan: null, dailyCap: null }, breaker: { tripped: true, reason: 'daily-cap-reached', at: null } });
  expect(phoneLoginFor(true, off)).toEqual({ show: false, kind: 'quick', hiddenBecause: 'already-bound' });
  expect(phoneLoginFor(false, off)).toEqual({ show: false, kind: 'quick', hiddenBecause: 'disabled' });
  const tripped = settingsFrom({ breaker: { tripped: true, reason: 'daily-cap-reached', at: null } });
  expect(phoneLoginFor(false, tripped)).toEqual({ show: false, kind: 'quick', hiddenBecause: 'daily-cap-reached' });
  expect(phoneLoginFor(false, settingsFrom(null))).toEqual({ show: true, kind: 'quick', hiddenBecause: null });
});
