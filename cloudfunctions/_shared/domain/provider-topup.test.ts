import { topupDecision, type TopupRule } from './provider-topup';

const rule: TopupRule = {
  appid: 'wxa1b2c3d4e5f60718',
  kind: 'quick',
  orderId: 'order-1',
  skuId: 'sku-10000',
  belowCalls: 500,
  maxPerMonth: 2,
  state: 'active',
  stoppedBecause: null,
  stopKind: null,
  stopErrcode: null,
  lastDay: null,
  month: null,
  monthCount: 0,
  pendingAssignmentId: null,
};
const today = { day: '2026-03-02', month: '2026-03' };
const low = { remaining: 100, orderRemaining: 1_000_000, skuCalls: 10_000 };

test('below the threshold: assign, under a key of the merchant, kind and day', () => {
  expect(topupDecision(rule, today, low)).toEqual({ act: 'assign', idempotencyKey: 'topup:wxa1b2c3d4e5f60718:quick:2026-03-02' });
});

test('not at or above the threshold, not when the remaining quota is unknown', () => {
  expect(topupDecision(rule, today, { ...low, remaining: 500 })).toMatchObject({ act: 'wait' });
  expect(topupDecision(rule, today, { ...low, remaining: null })).toMatchObject({ act: 'wait', why: expect.stringContaining('unknown') });
});

test('once a day, maxPerMonth a month, never while the last one is unsettled or the rule is stopped', () => {
  expect(topupDecision({ ...rule, lastDay: today.day, month: today.month, monthCount: 1 }, today, low)).toMatchObject({
    act: 'wait',
    why: expect.stringContaining('today'),
  });
  expect(topupDecision({ ...rule, lastDay: '2026-03-01', month: today.month, monthCount: 2 }, today, low)).toMatchObject({
    act: 'wait',
    why: expect.stringContaining('this month'),
  });
  // A new month starts the count again.
  expect(topupDecision({ ...rule, lastDay: '2026-02-28', month: '2026-02', monthCount: 2 }, today, low)).toMatchObject({ act: 'assign' });
  expect(topupDecision({ ...rule, pendingAssignmentId: 'a1' }, today, low)).toMatchObject({ act: 'wait' });
  expect(topupDecision({ ...rule, state: 'stopped' }, today, low)).toMatchObject({ act: 'wait' });
});

test('an order without enough left for the SKU stops the rule with a reason', () => {
  expect(topupDecision(rule, today, { ...low, orderRemaining: 5000 })).toMatchObject({
    act: 'stop',
    reason: expect.stringContaining('5000'),
  });
});
