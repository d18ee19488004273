import { Faults } from '../faults';
import { ProviderOrders, type Assignment } from './provider-orders';
import { ProviderResults, type ResultEvent } from './provider-results';

const T0 = Date.UTC(2026, 0, 1);
const RECEIVER = 'wx0123456789abcdef';

function setUp() {
  const orders = new ProviderOrders();
  const faults = new Faults();
  const order = orders.addOrder({ calls: 10_000 }, T0);
  const events: ResultEvent[] = [];
  const packs = new Map<string, Assignment>();
  let used = 0;
  let changes = 0;
  const results = new ProviderResults({
    orders,
    faults,
    clock: () => T0,
    delayMs: 0,
    providerAppid: 'wx00000000000000aa',
    deliver: (a) => {
      const pkgId = String(packs.size + 1);
      packs.set(pkgId, a);
      return pkgId;
    },
    withdraw: (a) => packs.delete(a.pkgId!),
    packUsed: () => used,
    push: async (event) => {
      events.push(event);
    },
    changed: () => {
      changes += 1;
    },
  });
  const assign = (requestId: string) => {
    const outcome = orders.assign(
      { orderId: order.orderId, skuId: 'sp-1000-365d', receiverAppId: RECEIVER, requestId, beginTime: null },
      T0,
      () => true,
    );
    if (!outcome.ok) throw new Error(outcome.errmsg);
    results.schedule(requestId, 'assign');
  };
  const cancel = (requestId: string) => {
    if (!orders.cancel(order.orderId, requestId, T0, () => used).ok) throw new Error('cancel refused');
    results.schedule(requestId, 'cancel');
  };
  return { orders, faults, order, events, packs, results, assign, cancel, setUsed: (n: number) => (used = n), changes: () => changes };
}

const tick = (ms = 5) => new Promise((resolve) => setTimeout(resolve, ms));

test('an assignment settles later: the pack is delivered, then the event is pushed', async () => {
  const s = setUp();
  s.assign('request-0001');
  expect(s.orders.assignment('request-0001')!.status).toBe(1);
  await tick();
  expect(s.orders.assignment('request-0001')).toMatchObject({ status: 2, pkgId: '1' });
  expect(s.packs.size).toBe(1);
  expect(s.events).toEqual([
    {
      event_type: 5,
      result: 0,
      order_id: s.order.orderId,
      assign_appid: 'wx00000000000000aa',
      receive_appid: RECEIVER,
      sp_spu_id: '10000117',
      sp_sku_id: 'sp-bulk-10000-365d',
      spu_id: '10000077',
      sku_id: 'sp-1000-365d',
      request_id: 'request-0001',
      receive_pkg_id: '1',
    },
  ]);
  expect(s.changes()).toBe(1);
});

test('a charge that lands between accepting a cancel and settling it fails the cancel (10121014)', async () => {
  const s = setUp();
  s.assign('request-0001');
  await tick();
  s.cancel('request-0001');
  s.setUsed(1);
  await tick();
  expect(s.orders.assignment('request-0001')!.status).toBe(2);
  expect(s.packs.size).toBe(1);
  expect(s.events[1]).toMatchObject({ event_type: 6, result: 10121014 });
});

test('a cancel that goes through withdraws the pack', async () => {
  const s = setUp();
  s.assign('request-0001');
  await tick();
  s.cancel('request-0001');
  await tick();
  expect(s.orders.assignment('request-0001')!.status).toBe(5);
  expect(s.packs.size).toBe(0);
  expect(s.events.map((e) => [e.event_type, e.result])).toEqual([
    [5, 0],
    [6, 0],
  ]);
});

test('provider:<change> faults fail or delay the next result; stop forgets what is under way', async () => {
  const s = setUp();
  s.faults.add({ target: 'provider:assign', errcode: 10121012 });
  s.assign('request-0001');
  await tick();
  expect(s.orders.assignment('request-0001')!.status).toBe(3);
  expect(s.events).toEqual([expect.objectContaining({ event_type: 5, result: 10121012 })]);
  expect(s.packs.size).toBe(0);

  s.faults.add({ target: 'provider:assign', delayMs: 10_000 });
  s.assign('request-0002');
  await tick();
  expect(s.orders.assignment('request-0002')!.status).toBe(1);
  s.results.stop();
  s.results.resume();
  await tick();
  // After resume (a restart) the pending assignment settles with the normal delay.
  expect(s.orders.assignment('request-0002')!.status).toBe(2);
});

test('a latch on provider:<change> holds the result until the test releases it (counted as still to come)', async () => {
  const s = setUp();
  const held = s.faults.hold('provider:assign');
  s.assign('request-0001');
  await tick();
  expect(s.orders.assignment('request-0001')!.status).toBe(1);
  expect(s.results.pending).toBe(1);
  expect(s.events).toEqual([]);
  held.release();
  await tick();
  expect(s.orders.assignment('request-0001')!.status).toBe(2);
  expect(s.results.pending).toBe(0);
  expect(s.events).toEqual([expect.objectContaining({ event_type: 5, result: 0 })]);
});

test("a latch on provider:push holds the result's push, not the result", async () => {
  const s = setUp();
  const held = s.faults.hold('provider:push');
  s.assign('request-0001');
  await tick();
  expect(s.orders.assignment('request-0001')!.status).toBe(2);
  expect(s.events).toEqual([]);
  held.release();
  await tick();
  expect(s.events).toEqual([expect.objectContaining({ event_type: 5, result: 0 })]);
});
