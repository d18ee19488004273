/**
 * The orders function end to end: orders are stored and priced on the server, the
 * merchant's hidePrices switch (隐藏单价金额且只能以记账方式提交订单) allows only
 * bookkeeping and never lets a price out, hideShippingAddress refuses an address, every
 * refusal is typed and writes nothing, and a user sees only their own orders.
 */
import { startEmulator, type TestEmulator } from './support/emulator';
import { callData, callRouteUnchecked, routesOf } from './support/envelope';

const BOSS = 'o_boss_orders';
const ALICE = 'o_alice_orders';
const BOB = 'o_bob_orders';
let t: TestEmulator;
beforeAll(async () => {
  t = await startEmulator({ env: { ADMIN_OPENIDS: BOSS } });
});
afterAll(() => t.stop());
beforeEach(() => t.reset());

const orders = routesOf(() => t, 'orders', ALICE).call;
const setFlags = async (flags: { hidePrices?: boolean; hideShippingAddress?: boolean }) => {
  const { version } = await callData(t, 'admin', 'settings.get', {}, BOSS);
  await callData(t, 'admin', 'settings.update', { version, patch: flags }, BOSS);
};
const LINES = [
  { productId: 'sample-a', qty: 2 },
  { productId: 'sample-b', qty: 1 },
];
const hasPrice = (value: unknown) => /Fen|price|amount|total/i.test(JSON.stringify(value));

test('an order is stored, priced on the server (a price sent by the client is ignored), and listed', async () => {
  // A price the client sends is outside the contract: sent anyway, as a tampered client would.
  const res = await callRouteUnchecked(
    t,
    'orders',
    'submit',
    { mode: 'order', lines: [{ productId: 'sample-a', qty: 2, unitPriceFen: 1 }, LINES[1]], address: ' 深圳市南山区 ' },
    ALICE,
  );
  expect(res).toMatchObject({
    ok: true,
    data: {
      mode: 'order',
      status: 'submitted',
      address: '深圳市南山区',
      totalFen: 2899,
      lines: [
        { productId: 'sample-a', name: '示例商品 A', qty: 2, unitPriceFen: 1250, amountFen: 2500 },
        { productId: 'sample-b', name: '示例商品 B', qty: 1, unitPriceFen: 399, amountFen: 399 },
      ],
    },
  });
  const stored = await t.docs<Record<string, unknown>>('orders');
  expect(stored).toMatchObject([{ _openid: ALICE, mode: 'order', totalFen: 2899, address: '深圳市南山区', pricesHidden: false }]);
  const list = await orders('list', {});
  expect(list).toMatchObject({ ok: true, data: { orders: [{ orderId: res.ok && res.data.orderId, totalFen: 2899 }] } });
});

test('hidePrices: only bookkeeping (记账) is accepted, and no answer carries a price', async () => {
  await setFlags({ hidePrices: true });
  const refused = await orders('submit', { mode: 'order', lines: LINES, address: '深圳市南山区' });
  expect(refused).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  expect((refused as { error: { message: string } }).error.message).toMatch(/^mode:/);
  expect(await t.docs('orders')).toEqual([]);

  const booked = await orders('submit', { mode: 'bookkeeping', lines: LINES, address: '深圳市南山区' });
  expect(booked).toMatchObject({
    ok: true,
    data: {
      mode: 'bookkeeping',
      lines: [
        { name: '示例商品 A', qty: 2 },
        { name: '示例商品 B', qty: 1 },
      ],
    },
  });
  expect(hasPrice((booked as { data: unknown }).data)).toBe(false);
  // Not stored either (issue 23): the database holds no price nobody may see.
  const stored = JSON.stringify(await t.docs('orders'));
  expect(stored).not.toMatch(/unitPriceFen|amountFen|"totalFen":\d|1250|399|2899/);

  const list = await orders('list', {});
  expect(list).toMatchObject({ ok: true, data: { orders: [{ mode: 'bookkeeping' }] } });
  expect(hasPrice((list as { data: unknown }).data)).toBe(false);

  const products = await orders('products.list', {});
  expect(products).toMatchObject({
    ok: true,
    data: { hidePrices: true, products: [{ productId: 'sample-a', name: '示例商品 A' }, { productId: 'sample-b' }] },
  });
  expect(hasPrice((products as { data: { products: unknown } }).data.products)).toBe(false);
});

test('an order booked while prices were hidden keeps them hidden after the switch is turned off', async () => {
  await setFlags({ hidePrices: true });
  await orders('submit', { mode: 'bookkeeping', lines: LINES });
  await setFlags({ hidePrices: false });
  const list = await orders('list', {});
  expect(hasPrice((list as { data: unknown }).data)).toBe(false);
  // The catalogue shows prices again for new orders.
  expect(await orders('products.list', {})).toMatchObject({
    ok: true,
    data: { products: [{ unitPriceFen: 1250 }, { unitPriceFen: 399 }] },
  });
});

test('prices turned off after an order: the earlier order is listed without prices too', async () => {
  await orders('submit', { mode: 'order', lines: LINES, address: '深圳市南山区' });
  await setFlags({ hidePrices: true });
  const list = await orders('list', {});
  expect((list as { data: { orders: unknown[] } }).data.orders).toHaveLength(1);
  expect(hasPrice((list as { data: unknown }).data)).toBe(false);
});

test('hideShippingAddress: an address is refused (typed, nothing written); without one the order is stored', async () => {
  await setFlags({ hideShippingAddress: true });
  const refused = await orders('submit', { mode: 'order', lines: LINES, address: '深圳市南山区' });
  expect(refused).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  expect((refused as { error: { message: string } }).error.message).toMatch(/^address:/);
  expect(await t.docs('orders')).toEqual([]);
  expect(await orders('submit', { mode: 'order', lines: LINES, address: null })).toMatchObject({
    ok: true,
    data: { address: null, totalFen: 2899 },
  });
  expect(await t.docs('orders')).toMatchObject([{ address: null }]);
});

test('an order to be shipped needs an address while addresses are collected; bookkeeping does not', async () => {
  expect(await orders('submit', { mode: 'order', lines: LINES })).toMatchObject({
    ok: false,
    error: { code: 'INVALID_ARGUMENT', message: expect.stringMatching(/^address:/) },
  });
  expect(await orders('submit', { mode: 'bookkeeping', lines: LINES })).toMatchObject({ ok: true, data: { address: null } });
});

test.each([
  [{ mode: 'cash', lines: LINES }, 'mode'],
  [{ mode: 'bookkeeping', lines: [] }, 'lines'],
  [{ mode: 'bookkeeping', lines: [{ productId: 'nope', qty: 1 }] }, 'lines.0.productId'],
  [{ mode: 'bookkeeping', lines: [{ productId: 'sample-a', qty: 0 }] }, 'lines.0.qty'],
  [{ mode: 'bookkeeping', lines: [{ productId: 'sample-a', qty: 1.5 }] }, 'lines.0.qty'],
  [{ mode: 'bookkeeping', lines: [LINES[0], LINES[0]] }, 'lines.1.productId'],
  [{ mode: 'bookkeeping', lines: LINES, address: 'x'.repeat(201) }, 'address'],
  [{ mode: 'bookkeeping', lines: LINES, requestId: 'short' }, 'requestId'],
])('bad input %j is INVALID_ARGUMENT naming %s, nothing written', async (params, field) => {
  const res = await callRouteUnchecked(t, 'orders', 'submit', params, ALICE);
  expect(res).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
  expect(!res.ok && res.error.message.startsWith(`${field}:`)).toBe(true);
  expect(await t.docs('orders')).toEqual([]);
});

test('the same requestId twice (a lost answer, a double tap) stores one order', async () => {
  const requestId = 'req_0123456789';
  const [a, b] = await Promise.all([
    orders('submit', { mode: 'bookkeeping', lines: LINES, requestId }),
    orders('submit', { mode: 'bookkeeping', lines: LINES, requestId }),
  ]);
  expect(a.ok && b.ok && a.data.orderId === b.data.orderId).toBe(true);
  expect(await t.docs('orders')).toHaveLength(1);
  // Another user with the same requestId gets their own order.
  await orders('submit', { mode: 'bookkeeping', lines: LINES, requestId }, BOB);
  expect(await t.docs('orders')).toHaveLength(2);
});

test('each user lists only their own orders; no caller, no orders', async () => {
  await orders('submit', { mode: 'bookkeeping', lines: LINES }, ALICE);
  await orders('submit', { mode: 'bookkeeping', lines: [LINES[1]!] }, BOB);
  const bob = await orders('list', {}, BOB);
  expect(bob).toMatchObject({ ok: true, data: { orders: [{ lines: [{ productId: 'sample-b' }] }] } });
  expect(bob.ok && bob.data.orders).toHaveLength(1);
  expect(await orders('list', {}, null)).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
  expect(await orders('submit', { mode: 'bookkeeping', lines: LINES }, null)).toMatchObject({
    ok: false,
    error: { code: 'UNAUTHENTICATED' },
  });
});
