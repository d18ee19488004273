import {
  CANCEL_WINDOW_MS,
  ERR_ALREADY_ASSIGNED,
  ERR_ASSIGNMENT_CANCELLED,
  ERR_BAD_ORDER,
  ERR_INVALID_PACKAGE,
  ERR_CANNOT_CANCEL,
  ERR_IN_PROGRESS,
  ERR_INVALID_ARGS,
  ERR_NO_RELATIONSHIP,
  ERR_NOT_ENOUGH_LEFT,
  ERR_ORDER_EXPIRED,
  ladderOf,
  ProviderOrders,
  type AssignRequest,
} from './provider-orders';

const T0 = Date.UTC(2026, 0, 1);
const DAY = 86_400_000;
const RECEIVER = 'wx0123456789abcdef';
const related = () => true;

function withOrder(calls = 20_000, validityDays = 365) {
  const orders = new ProviderOrders();
  const order = orders.addOrder({ calls, validityDays }, T0);
  const request = (requestId: string, count = 10_000, more: Partial<AssignRequest> = {}): AssignRequest => ({
    orderId: order.orderId,
    skuId: `sp-${count}-${validityDays}d`,
    receiverAppId: RECEIVER,
    requestId,
    beginTime: null,
    ...more,
  });
  return { orders, order, request };
}

test('orders get string ids, the quick bulk spuId 10000117 and 365 days by default', () => {
  const orders = new ProviderOrders();
  const a = orders.addOrder({ calls: 5000 }, T0);
  const b = orders.addOrder({ calls: 10, spuId: '10000120', validityDays: 30 }, T0 + 1);
  expect(a).toEqual({ orderId: 'sporder000001', spuId: '10000117', calls: 5000, validityDays: 365, createdAt: T0 });
  expect(b.orderId).toBe('sporder000002');
  expect(orders.list().map((o) => o.orderId)).toEqual([a.orderId, b.orderId]);
  expect(orders.list('10000120')).toEqual([b]);
  expect(() => orders.addOrder({ calls: 1, spuId: '1' }, T0)).toThrow(/spuId/);
});

test('the SKU ladder: duration is the order validity in seconds; only what fits is convertible', () => {
  const { orders, order, request } = withOrder(20_000, 30);
  expect(ladderOf(order)[2]).toEqual({
    spuId: '10000077',
    skuId: 'sp-10000-30d',
    skuName: '10000次/30天',
    attr: { duration: 30 * 86_400, proportion: { quota: { quota: 10_000 } } },
  });
  expect(orders.convertibleSkus(order, T0).map((s) => s.attr.proportion.quota.quota)).toEqual([1000, 5000, 10_000]);
  expect(orders.assign(request('request-0001', 10_000), T0, related).ok).toBe(true);
  expect(orders.assign(request('request-0002', 5000), T0, related).ok).toBe(true);
  expect(orders.convertibleSkus(order, T0).map((s) => s.attr.proportion.quota.quota)).toEqual([1000, 5000]);
  // An expired order converts nothing.
  expect(orders.convertibleSkus(order, T0 + 30 * DAY)).toEqual([]);
});

test('used counts pending, done and cancelling assignments; failed and cancelled give their calls back', () => {
  const { orders, order, request } = withOrder();
  for (const id of ['pending-0001', 'done-000001', 'failed-0001', 'cancel-0001', 'cancelled-1'])
    orders.assign(request(id, 1000), T0, related);
  orders.settleAssigned('done-000001', '7', T0);
  orders.settleAssignFailed('failed-0001', T0);
  orders.settleAssigned('cancel-0001', '8', T0);
  orders.settleAssigned('cancelled-1', '9', T0);
  expect(orders.cancel(order.orderId, 'cancel-0001', T0, () => 0).ok).toBe(true);
  orders.cancel(order.orderId, 'cancelled-1', T0, () => 0);
  orders.settleCancelled('cancelled-1', T0 + 1);
  expect(orders.assignmentsOf(order.orderId).map((a) => [a.requestId, a.status])).toEqual([
    ['pending-0001', 1],
    ['done-000001', 2],
    ['failed-0001', 3],
    ['cancel-0001', 4],
    ['cancelled-1', 5],
  ]);
  expect(orders.used(order.orderId)).toBe(3000);
  expect(orders.remaining(order)).toBe(17_000);
  expect(orders.assignment('cancelled-1')).toMatchObject({ pkgId: '9', createdAt: T0, updatedAt: T0 + 1 });
});

test.each([
  [{ receiverAppId: 'wx0123456789ABCDEF' }, ERR_INVALID_ARGS],
  [{ receiverAppId: 'wx0123' }, ERR_INVALID_ARGS],
  [{ requestId: 'short' }, ERR_INVALID_ARGS],
  [{ requestId: 'x'.repeat(65) }, ERR_INVALID_ARGS],
  [{ requestId: 'has space 1' }, ERR_INVALID_ARGS],
  [{ orderId: 'sporder999999' }, ERR_BAD_ORDER],
  [{ skuId: 'sp-10000-30d' }, ERR_INVALID_PACKAGE],
  [{ skuId: 'sp-20000-365d' }, ERR_INVALID_PACKAGE],
])('assign %j is refused with %d', (more, errcode) => {
  const { orders, request } = withOrder();
  expect(orders.assign(request('request-0001', 10_000, more), T0, related)).toMatchObject({ ok: false, errcode });
  expect(orders.assignmentsOf()).toEqual([]);
});

test('requestIds of 10 and 64 characters of [A-Za-z0-9_-] are fine', () => {
  const { orders, request } = withOrder();
  expect(orders.assign(request('aZ0_-aZ0_-', 1000), T0, related).ok).toBe(true);
  expect(orders.assign(request('a'.repeat(64), 1000), T0, related).ok).toBe(true);
});

test('not enough left, no relationship, expired order', () => {
  const { orders, request } = withOrder(20_000, 10);
  expect(orders.assign(request('request-0001', 50_000), T0, related)).toMatchObject({ ok: false, errcode: ERR_NOT_ENOUGH_LEFT });
  expect(orders.assign(request('request-0001', 1000), T0, () => false)).toMatchObject({ ok: false, errcode: ERR_NO_RELATIONSHIP });
  expect(orders.assign(request('request-0001', 1000), T0 + 10 * DAY, related)).toMatchObject({ ok: false, errcode: ERR_ORDER_EXPIRED });
  expect(orders.assign(request('request-0001', 1000), T0 + 10 * DAY - 1, related).ok).toBe(true);
});

test('the same requestId never assigns twice: 10121011 while pending, 10121009 after', () => {
  const { orders, order, request } = withOrder();
  expect(orders.assign(request('request-0001', 1000), T0, related).ok).toBe(true);
  // Whatever else the second request says.
  expect(orders.assign(request('request-0001', 5000), T0, related)).toMatchObject({ ok: false, errcode: ERR_IN_PROGRESS });
  orders.settleAssigned('request-0001', '2', T0);
  expect(orders.assign(request('request-0001', 1000), T0, related)).toMatchObject({ ok: false, errcode: ERR_ALREADY_ASSIGNED });
  orders.cancel(order.orderId, 'request-0001', T0, () => 0);
  orders.settleCancelled('request-0001', T0);
  expect(orders.assign(request('request-0001', 1000), T0, related)).toMatchObject({ ok: false, errcode: ERR_ASSIGNMENT_CANCELLED });
  expect(orders.assignmentsOf()).toHaveLength(1);
});

test('a failed assignment may be retried with the same requestId, still one assignment', () => {
  const { orders, request } = withOrder();
  orders.assign(request('request-0001', 1000), T0, related);
  orders.settleAssignFailed('request-0001', T0);
  expect(orders.assign(request('request-0001', 5000), T0 + 1, related)).toMatchObject({
    ok: true,
    assignment: { status: 1, count: 5000, createdAt: T0 + 1 },
  });
  expect(orders.assignmentsOf()).toHaveLength(1);
});

test('cancel rules: only done, unused, within 7 days; once', () => {
  const { orders, order, request } = withOrder();
  const cancel = (id: string, at = T0, used = 0) => orders.cancel(order.orderId, id, at, () => used);
  orders.assign(request('request-0001', 1000), T0, related);
  expect(cancel('request-0001')).toMatchObject({ ok: false, errcode: ERR_IN_PROGRESS });
  orders.settleAssigned('request-0001', '2', T0);
  expect(cancel('request-0001', T0, 1)).toMatchObject({ ok: false, errcode: ERR_CANNOT_CANCEL });
  expect(cancel('request-0001', T0 + CANCEL_WINDOW_MS + 1)).toMatchObject({ ok: false, errcode: ERR_CANNOT_CANCEL });
  expect(orders.cancel('sporder000002', 'request-0001', T0, () => 0)).toMatchObject({ ok: false, errcode: ERR_BAD_ORDER });
  expect(cancel('request-9999')).toMatchObject({ ok: false, errcode: ERR_INVALID_ARGS });
  expect(cancel('request-0001', T0 + CANCEL_WINDOW_MS)).toMatchObject({ ok: true, assignment: { status: 4 } });
  expect(cancel('request-0001')).toMatchObject({ ok: false, errcode: ERR_IN_PROGRESS });
  // A failed cancel leaves the assignment done, and it may be cancelled again.
  expect(orders.settleCancelFailed('request-0001', T0)).toMatchObject({ status: 2 });
  expect(cancel('request-0001').ok).toBe(true);
  orders.settleCancelled('request-0001', T0);
  expect(cancel('request-0001')).toMatchObject({ ok: false, errcode: ERR_ASSIGNMENT_CANCELLED });
  // An assign resent after its cancel: 分配已取消.
  expect(orders.assign(request('request-0001', 1000), T0, related)).toMatchObject({ ok: false, errcode: ERR_ASSIGNMENT_CANCELLED });
});

test('settling only moves from the expected status', () => {
  const { orders, request } = withOrder();
  orders.assign(request('request-0001', 1000), T0, related);
  expect(orders.settleCancelled('request-0001', T0)).toBeNull();
  expect(orders.settleAssigned('request-0001', '2', T0)).toMatchObject({ status: 2, pkgId: '2' });
  expect(orders.settleAssigned('request-0001', '3', T0)).toBeNull();
  expect(orders.settleAssigned('unknown-0001', '3', T0)).toBeNull();
});

test('snapshot and load keep everything; ids keep counting; clear empties', () => {
  const { orders, request } = withOrder();
  orders.assign(request('request-0001', 1000), T0, related);
  const copy = new ProviderOrders();
  copy.load(orders.snapshot());
  expect(copy.snapshot()).toEqual(orders.snapshot());
  expect(copy.addOrder({ calls: 1 }, T0).orderId).toBe('sporder000002');
  copy.clear();
  expect(copy.snapshot()).toEqual({ orders: [], assignments: [] });
  expect(copy.addOrder({ calls: 1 }, T0).orderId).toBe('sporder000001');
});
