import { defaultSettings, phoneLoginFor, publicSettings, settingsFrom } from './settings';

const NOW = new Date('2026-11-21T04:00:00Z');

test('no stored document means defaults: capture on, quick, nothing hidden', () => {
  const s = settingsFrom(null);
  expect(s).toEqual(defaultSettings());
  expect(publicSettings(s, NOW)).toEqual({
    phoneCaptureEnabled: true,
    phoneKind: 'quick',
    hidePrices: false,
    hideShippingAddress: false,
    version: 0,
  });
});

test('a partial stored document keeps the defaults it lacks', () => {
  const s = settingsFrom({ version: 4, phoneCapture: { kind: 'realtime' } as never });
  expect(s.phoneCapture).toEqual({ enabled: true, kind: 'realtime', monthlyBudgetYuan: null, dailyCap: null });
  expect(s.breaker).toEqual({ tripped: false, reason: null, at: null });
  expect(s.version).toBe(4);
});

test('a tripped breaker turns phone capture off for the mini program', () => {
  const s = settingsFrom({ breaker: { tripped: true, reason: 'budget-reached', at: NOW } });
  expect(publicSettings(s, NOW).phoneCaptureEnabled).toBe(false);
});

test('hiddenBecause: already-bound first, then disabled, then the breaker', () => {
  const off = settingsFrom({
    phoneCapture: { enabled: false, kind: 'quick', monthlyBudgetYuan: null, dailyCap: null },
    breaker: { tripped: true, reason: 'daily-cap-reached', at: null },
  });
  expect(phoneLoginFor(true, off, NOW)).toEqual({ show: false, kind: 'quick', hiddenBecause: 'already-bound' });
  expect(phoneLoginFor(false, off, NOW)).toEqual({ show: false, kind: 'quick', hiddenBecause: 'disabled' });
  const tripped = settingsFrom({ breaker: { tripped: true, reason: 'daily-cap-reached', at: null } });
  expect(phoneLoginFor(false, tripped, NOW)).toEqual({ show: false, kind: 'quick', hiddenBecause: 'daily-cap-reached' });
  expect(phoneLoginFor(false, settingsFrom(null), NOW)).toEqual({ show: true, kind: 'quick', hiddenBecause: null });
});

test('a budget breaker from an earlier China month no longer holds; other breakers do', () => {
  // 2026-10-31 23:30 in China is still October there.
  const lastMonth = new Date('2026-10-31T15:30:00Z');
  const budget = settingsFrom({ breaker: { tripped: true, reason: 'budget-reached', at: lastMonth } });
  expect(publicSettings(budget, NOW).phoneCaptureEnabled).toBe(true);
  expect(phoneLoginFor(false, budget, NOW).hiddenBecause).toBeNull();
  expect(publicSettings(budget, new Date('2026-10-31T15:59:59Z')).phoneCaptureEnabled).toBe(false);
  const cap = settingsFrom({ breaker: { tripped: true, reason: 'daily-cap-reached', at: lastMonth } });
  expect(phoneLoginFor(false, cap, NOW).hiddenBecause).toBe('daily-cap-reached');
});
