import { chinaDayStart } from './china-time';
import { applyCharges, type Pack } from './quota-ledger';
import { daysUntil, quotaAlert } from './quota-alerts';

const at = new Date('2026-11-21T04:00:00Z');
const limits = { lowPercent: 10, lowDays: 7 };
const trial: Pack = { id: 'trial', kind: 'quick', source: 'trial', calls: 1000, startsAt: chinaDayStart('2026-01-01'), expiresAt: null };
const used = (n: number) => applyCharges([trial], [{ day: '2026-11-01', count: n }], at);

test('no alert with plenty left and no run-out in sight', () => {
  expect(quotaAlert('quick', used(100), { monthlyAverage: 30, exhaustsOn: '2029-01-01' }, at, limits)).toBeNull();
});

test('under 10% left is low; exactly 10% is not', () => {
  expect(quotaAlert('quick', used(900), { monthlyAverage: 0, exhaustsOn: null }, at, limits)).toBeNull();
  expect(quotaAlert('quick', used(901), { monthlyAverage: 0, exhaustsOn: null }, at, limits)).toMatchObject({
    type: 'quota-low',
    remaining: 99,
    daysLeft: null,
  });
});

test('a forecast running out within 7 days is low, whatever the share', () => {
  expect(quotaAlert('quick', used(100), { monthlyAverage: 9000, exhaustsOn: '2026-11-27' }, at, limits)).toMatchObject({
    type: 'quota-low',
    daysLeft: 6,
  });
  expect(quotaAlert('quick', used(100), { monthlyAverage: 9000, exhaustsOn: '2026-11-28' }, at, limits)).toBeNull();
});

test('nothing left is its own alert', () => {
  expect(quotaAlert('quick', used(1000), { monthlyAverage: 30, exhaustsOn: '2026-11-21' }, at, limits)).toMatchObject({
    type: 'quota-exhausted',
    remaining: 0,
    daysLeft: 0,
  });
});

test("the message names the alert's own component", () => {
  expect(quotaAlert('realtime', used(1000), { monthlyAverage: 30, exhaustsOn: null }, at, limits)?.message).toBe(
    '资源包额度已用完：手机号实时验证组件将失败，请购买资源包',
  );
  expect(quotaAlert('quick', used(950), { monthlyAverage: 0, exhaustsOn: null }, at, limits)?.message).toMatch(
    /^手机号快速验证组件的资源包额度即将用完/,
  );
});

test('days until counts China days', () => {
  expect(daysUntil('2026-11-22', new Date('2026-11-21T15:59:00Z'))).toBe(1);
  expect(daysUntil('2026-11-22', new Date('2026-11-21T16:00:00Z'))).toBe(0);
});
