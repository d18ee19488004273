/**
 * The service-provider side of the emulator: bulk orders (`/v1/wechat/sp-orders`),
 * WeChat's service-provider APIs under /wechat/wxa/charge/service-provider/ with their
 * rules and error codes, asynchronous results that deliver a source-3 pack into the
 * receiver's usage ledger and reach the function named `provider`, faults, stats,
 * reset and persistence. The wire contract is docs/provider.md.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type TestEmulator } from './support/emulator';

const START = Date.UTC(2026, 2, 1, 8, 0, 0);
const DAY = 86_400_000;
const RECEIVER = 'wx0123456789abcdef';
const OTHER_RECEIVER = 'wx00000000000000bb';
const UNRELATED = 'wx00000000000000ee';
const SP = '/wechat/wxa/charge/service-provider';
const FIXTURES = join(__dirname, 'fixtures', 'functions');

type Answer = { errcode: number; errmsg: string };
type Order = { orderId: string; status: number; createTime: number; orderPrice: number; orderProductInfo: { spSpuId: string; spSkuId: string; skuName: string; skuCnt: number }; usage: { used: number; all: number } };
type AssignItem = { requestId: string; receiverAppId: string; skuId: string; count: number; status: number };
type Sku = { spuId: string; skuId: string; skuName: string; attr: { duration: number; count: number } };
type UsageBody = Answer & { effectiveUse: number; all: number; total: number; detailList: Array<{ pkgId: string; status: number; startTime: number; endTime: number; all: number; used: number; spuId: string; skuId: string; source: number }> };
type SpOrdersView = { orders: Array<{ orderId: string; calls: number; assigned: number; assignments: Array<{ requestId: string; receiverAppId: string; skuId: string; calls: number; status: string }> }> };
type ProviderEvent = { event: Record<string, unknown>; OPENID: string; SOURCE: string; statusInOrder: number | null };

let now = START;
let t: TestEmulator;
beforeAll(async () => {
  t = await startEmulator({ functionsDir: FIXTURES, trialCalls: 1, clock: () => now, env: { QUICKPHONE_SP_UNRELATED_APPIDS: ` ${UNRELATED} ,wx00000000000000ef` } });
});
afterAll(() => t.stop());
beforeEach(async () => {
  now = START;
  await t.reset();
});

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function token(appid = t.emulator.appid, emu: TestEmulator = t): Promise<string> {
  return (await emu.http<{ access_token: string }>('GET', `/wechat/cgi-bin/token?grant_type=client_credential&appid=${appid}&secret=x`)).body.access_token;
}

/** A service-provider API call with a fresh provider token: GET when `body` is absent. */
async function sp<T = Answer>(path: string, body?: Record<string, unknown>, emu: TestEmulator = t): Promise<T & Answer> {
  const sep = path.includes('?') ? '&' : '?';
  const url = `${SP}/${path}${sep}access_token=${await token(undefined, emu)}`;
  return (await emu.http<T & Answer>(body === undefined ? 'GET' : 'POST', url, body)).body;
}

const buy = async (body: Record<string, unknown>, emu: TestEmulator = t) => (await emu.http<{ orderId: string }>('POST', '/v1/wechat/sp-orders', body)).body.orderId;
const spOrders = async (emu: TestEmulator = t) => (await emu.http<SpOrdersView>('GET', '/v1/wechat/sp-orders')).body.orders;
const assign = (orderId: string, requestId: string, more: Record<string, unknown> = {}, emu: TestEmulator = t) =>
  sp('package/assign', { orderId, skuId: 'sp-10000-365d', receiverAppId: RECEIVER, requestId, ...more }, emu);
const cancel = (orderId: string, requestId: string) => sp('package/cancel_assign', { orderId, requestId });
const statusOf = async (requestId: string, emu: TestEmulator = t) =>
  (await spOrders(emu)).flatMap((o) => o.assignments).find((a) => a.requestId === requestId)?.status;
const settled = (requestId: string, status: string, emu: TestEmulator = t) => waitFor(() => statusOf(requestId, emu), (s) => s === status, `${requestId} to be ${status}`);
const receiverUsage = async (appid = RECEIVER) => (await t.http<UsageBody>('GET', `/v1/wechat/usage?appid=${appid}`)).body;
const providerPacks = async (appid = RECEIVER) => (await receiverUsage(appid)).detailList.filter((p) => p.source === 3);

/**
 * Events the fixture function recorded for one requestId. Filtered because a push from
 * an earlier test may land after the reset; each test that reads events uses its own ids.
 */
async function providerEvents(requestId: string, count: number): Promise<ProviderEvent[]> {
  return waitFor(
    async () => {
      const res = await t.http<{ docs: ProviderEvent[] }>('GET', '/v1/db/provider_events');
      return res.status === 200 ? res.body.docs.filter((d) => d.event.request_id === requestId) : [];
    },
    (docs) => docs.length >= count,
    `${count} events for ${requestId} in provider_events`,
  );
}

describe('bulk orders', () => {
  test('POST /v1/wechat/sp-orders defaults to the quick spuId and 365 days; GET lists them', async () => {
    const a = await buy({ calls: 20_000 });
    const b = await buy({ calls: 500, spuId: '10000078', validityDays: 30 });
    expect(a).toEqual(expect.any(String));
    expect(b).not.toBe(a);
    expect(await spOrders()).toEqual([
      { orderId: a, calls: 20_000, assigned: 0, assignments: [] },
      { orderId: b, calls: 500, assigned: 0, assignments: [] },
    ]);
    const { order } = await sp<{ order: Order }>(`order/get?orderId=${a}`);
    expect(order).toEqual({
      orderId: a,
      status: 1,
      createTime: START / 1000,
      orderPrice: 60_000,
      orderProductInfo: { spSpuId: '10000077', spSkuId: 'sp-bulk-20000-365d', skuName: '20000次/365天', skuCnt: 1 },
      usage: { used: 0, all: 20_000 },
      assignList: [],
    });
    expect((await sp<{ order: Order }>(`order/get?orderId=${b}`)).order.orderProductInfo.spSpuId).toBe('10000078');
  });

  test.each([
    [{}, /calls/],
    [{ calls: 0 }, /calls/],
    [{ calls: 1.5 }, /calls/],
    [{ calls: 10, validityDays: 0 }, /validityDays/],
    [{ calls: 10, spuId: '123' }, /spuId/],
    [{ calls: 10, spuId: 10000077 }, /spuId/],
  ])('an order %j is refused', async (body, reason) => {
    const res = await t.http<{ error: { code: string; message: string } }>('POST', '/v1/wechat/sp-orders', body);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(reason) });
  });

  test('order/query_list pages at most 20, filters by spuId, needs a token', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 22; i++) ids.push(await buy({ calls: 1000 + i }));
    const other = await buy({ calls: 7, spuId: '10000078' });
    const first = await sp<{ total: number; orderList: Order[] }>('order/query_list', { offset: 0, limit: 20 });
    expect(first).toMatchObject({ errcode: 0, total: 23 });
    expect(first.orderList).toHaveLength(20);
    const rest = await sp<{ total: number; orderList: Order[] }>('order/query_list', { offset: 20, limit: 20 });
    expect([...first.orderList, ...rest.orderList].map((o) => o.orderId)).toEqual([...ids, other]);
    const quick = await sp<{ total: number; orderList: Order[] }>('order/query_list', { spuId: '10000077', offset: 21, limit: 5 });
    expect(quick).toMatchObject({ total: 22, orderList: [{ orderId: ids[21], usage: { used: 0, all: 1021 } }] });
    for (const body of [{ limit: 21 }, { limit: 0 }, { offset: -1 }, { offset: '1' }, { spuId: '1' }]) expect((await sp('order/query_list', body)).errcode).toBe(40097);
    expect((await t.http<Answer>('POST', `${SP}/order/query_list`, {})).body.errcode).toBe(41001);
    expect((await t.http<Answer>('GET', `${SP}/order/get?orderId=${ids[0]}&access_token=nope`)).body.errcode).toBe(40001);
  });

  test('order/get and get_convertible_skus of an unknown order are 40097', async () => {
    expect((await sp('order/get?orderId=sporder424242')).errcode).toBe(40097);
    expect((await sp('order/get')).errcode).toBe(40097);
    expect((await sp('package/get_convertible_skus?orderId=nope')).errcode).toBe(40097);
  });

  test('convertible SKUs: the ladder up to what is left, duration = validity in seconds', async () => {
    const orderId = await buy({ calls: 20_000, validityDays: 90 });
    const { skuList } = await sp<{ skuList: Sku[] }>(`package/get_convertible_skus?orderId=${orderId}`);
    expect(skuList).toEqual([1000, 5000, 10_000].map((count) => ({ spuId: '10000077', skuId: `sp-${count}-90d`, skuName: `${count}次/90天`, attr: { duration: 90 * 86_400, count } })));
    expect((await assign(orderId, 'request-0001', { skuId: 'sp-10000-90d' })).errcode).toBe(0);
    expect((await assign(orderId, 'request-0002', { skuId: 'sp-5000-90d' })).errcode).toBe(0);
    expect((await sp<{ skuList: Sku[] }>(`package/get_convertible_skus?orderId=${orderId}`)).skuList.map((s) => s.attr.count)).toEqual([1000, 5000]);
  });
});

describe('assign', () => {
  test('answers at once; after the delay the assignment is done and the receiver has a source-3 pack', async () => {
    const orderId = await buy({ calls: 20_000 });
    expect(await assign(orderId, 'request-0001')).toEqual({ errcode: 0, errmsg: 'ok' });
    expect(await spOrders()).toEqual([{ orderId, calls: 20_000, assigned: 10_000, assignments: [{ requestId: 'request-0001', receiverAppId: RECEIVER, skuId: 'sp-10000-365d', calls: 10_000, status: 'pending' }] }]);
    await settled('request-0001', 'done');

    const packs = await providerPacks();
    expect(packs).toEqual([{ pkgId: expect.any(String), status: 1, startTime: START / 1000, endTime: START / 1000 + 365 * 86_400, all: 10_000, used: 0, spuId: '10000077', skuId: 'sp-10000-365d', source: 3 }]);
    // WeChat's usage API, with the receiver's own token, says the same.
    const viaWechat = (await t.http<UsageBody>('GET', `/wechat/wxa/charge/usage/get?access_token=${await token(RECEIVER)}&spuId=10000077`)).body;
    expect(viaWechat).toEqual(await receiverUsage());
    expect(viaWechat).toMatchObject({ all: 10_001, total: 2 });
    // Another mini program got nothing.
    expect(await providerPacks(OTHER_RECEIVER)).toEqual([]);

    const { order, assignList } = await sp<{ order: Order; assignList: AssignItem[] }>(`order/get?orderId=${orderId}`);
    expect(order.usage).toEqual({ used: 10_000, all: 20_000 });
    expect(assignList).toEqual([{ requestId: 'request-0001', receiverAppId: RECEIVER, skuId: 'sp-10000-365d', count: 10_000, status: 2 }]);
  });

  test('beginTime (ms) sets the pack start; a real-time order gives a real-time pack', async () => {
    const orderId = await buy({ calls: 1000, spuId: '10000078', validityDays: 30 });
    const begin = START + 3 * DAY;
    expect((await assign(orderId, 'request-0001', { skuId: 'sp-1000-30d', beginTime: begin })).errcode).toBe(0);
    await settled('request-0001', 'done');
    const realtime = (await t.http<UsageBody>('GET', `/v1/wechat/usage?appid=${RECEIVER}&kind=realtime`)).body;
    expect(realtime.detailList.filter((p) => p.source === 3)).toEqual([expect.objectContaining({ status: 2, startTime: begin / 1000, endTime: begin / 1000 + 30 * 86_400, spuId: '10000078', all: 1000 })]);
    expect(await providerPacks()).toEqual([]);
    expect((await assign(orderId, 'request-0002', { skuId: 'sp-1000-30d', beginTime: 'tomorrow' })).errcode).toBe(40097);
  });

  test('the same requestId never assigns twice: 10121011 while pending, 10121009 when done', async () => {
    const orderId = await buy({ calls: 20_000 });
    // Keeps the first result back long enough to ask again while it is pending.
    await t.http('POST', '/v1/faults', { target: 'provider:assign', delayMs: 500 });
    expect((await assign(orderId, 'request-0001')).errcode).toBe(0);
    expect(await assign(orderId, 'request-0001')).toMatchObject({ errcode: 10121011 });
    expect(await assign(orderId, 'request-0001', { skuId: 'sp-1000-365d', receiverAppId: OTHER_RECEIVER })).toMatchObject({ errcode: 10121011 });
    await settled('request-0001', 'done');
    expect(await assign(orderId, 'request-0001')).toMatchObject({ errcode: 10121009 });
    const [order] = await spOrders();
    expect(order).toMatchObject({ assigned: 10_000, assignments: [{ requestId: 'request-0001' }] });
    expect(await providerPacks()).toHaveLength(1);
    expect(await providerPacks(OTHER_RECEIVER)).toEqual([]);
  });

  test('more than the order has left is 10121006 and assigns nothing', async () => {
    const orderId = await buy({ calls: 15_000 });
    expect((await assign(orderId, 'request-0001')).errcode).toBe(0);
    expect(await assign(orderId, 'request-0002')).toMatchObject({ errcode: 10121006 });
    expect(await assign(orderId, 'request-0003', { skuId: 'sp-50000-365d' })).toMatchObject({ errcode: 10121006 });
    expect((await assign(orderId, 'request-0004', { skuId: 'sp-5000-365d' })).errcode).toBe(0);
    expect((await spOrders())[0]).toMatchObject({ assigned: 15_000 });
    expect((await spOrders())[0]!.assignments.map((a) => a.requestId)).toEqual(['request-0001', 'request-0004']);
  });

  test.each([
    ['a receiverAppId not of WeChat form', { receiverAppId: 'wx0123456789ABCDEF' }, 40097],
    ['a short receiverAppId', { receiverAppId: 'wx123' }, 40097],
    ['a requestId under 10 characters', { requestId: 'req-1' }, 40097],
    ['a requestId over 64 characters', { requestId: 'r'.repeat(65) }, 40097],
    ['a requestId with other characters', { requestId: 'request/0001' }, 40097],
    ['an unknown skuId', { skuId: 'sp-2000-365d' }, 40097],
    ['an unknown orderId', { orderId: 'sporder999999' }, 40097],
    ['a missing orderId', { orderId: undefined }, 40097],
    ['an unrelated mini program', { receiverAppId: UNRELATED }, 10045],
    ['the other unrelated one', { receiverAppId: 'wx00000000000000ef' }, 10045],
  ])('%s is refused (%j → %d)', async (_what, more, errcode) => {
    const orderId = await buy({ calls: 20_000 });
    expect((await assign(orderId, 'request-0001', more)).errcode).toBe(errcode);
    expect((await spOrders())[0]).toMatchObject({ assigned: 0, assignments: [] });
  });

  test('an expired order is 10121012', async () => {
    const orderId = await buy({ calls: 20_000, validityDays: 30 });
    now = START + 30 * DAY;
    expect((await assign(orderId, 'request-0001', { skuId: 'sp-1000-30d' })).errcode).toBe(10121012);
    expect((await sp<{ skuList: Sku[] }>(`package/get_convertible_skus?orderId=${orderId}`)).skuList).toEqual([]);
  });

  test('a provider:assign fault fails the result: status failed, no pack, calls back, and the requestId may try again', async () => {
    const orderId = await buy({ calls: 10_000 });
    await t.http('POST', '/v1/faults', { target: 'provider:assign', errcode: 10121012 });
    expect((await assign(orderId, 'failing-0001')).errcode).toBe(0);
    await settled('failing-0001', 'failed');
    expect((await spOrders())[0]).toMatchObject({ assigned: 0 });
    expect(await providerPacks()).toEqual([]);
    const [event] = await providerEvents('failing-0001', 1);
    expect(event!.event).toMatchObject({ event_type: 5, result: 10121012, request_id: 'failing-0001' });
    expect(event!.statusInOrder).toBe(3);
    expect((await assign(orderId, 'failing-0001')).errcode).toBe(0);
    await settled('failing-0001', 'done');
    expect(await providerPacks()).toHaveLength(1);
  });
});

describe('result events', () => {
  test('assign and cancel results reach the provider function as server pushes, after the state changed', async () => {
    const orderId = await buy({ calls: 20_000 });
    await assign(orderId, 'events-0001', { skuId: 'sp-5000-365d' });
    const [assigned] = await providerEvents('events-0001', 1);
    expect(assigned).toEqual({
      _id: expect.any(String),
      event: { event_type: 5, result: 0, order_id: orderId, assign_appid: t.emulator.appid, receive_appid: RECEIVER, sp_sku_id: 'sp-bulk-20000-365d', sku_id: 'sp-5000-365d', request_id: 'events-0001' },
      OPENID: '',
      SOURCE: 'wx_server',
      statusInOrder: 2,
    });
    expect((await cancel(orderId, 'events-0001')).errcode).toBe(0);
    const events = await providerEvents('events-0001', 2);
    expect(events.find((e) => e.event.event_type === 6)).toMatchObject({ event: { ...assigned!.event, event_type: 6, result: 0 }, statusInOrder: 5 });
  });

  test('without a provider function the result still settles, and the emulator logs that it was not delivered', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'quickphone-nofunctions-'));
    const lines: string[] = [];
    const bare = await startEmulator({ functionsDir: empty, spResultDelayMs: 0, onLog: (fn, line) => lines.push(`[${fn}] ${line}`) });
    try {
      const orderId = await buy({ calls: 1000 }, bare);
      expect((await assign(orderId, 'request-0001', { skuId: 'sp-1000-365d' }, bare)).errcode).toBe(0);
      await settled('request-0001', 'done', bare);
      await waitFor(async () => lines, (l) => l.length > 0, 'a log line');
      expect(lines[0]).toMatch(/^\[emulator\] no function named "provider": result event .*"request_id":"request-0001"/);
    } finally {
      await bare.stop();
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('cancel_assign', () => {
  async function doneAssignment(requestId = 'request-0001', skuId = 'sp-1000-365d') {
    const orderId = await buy({ calls: 20_000 });
    expect((await assign(orderId, requestId, { skuId })).errcode).toBe(0);
    await settled(requestId, 'done');
    return orderId;
  }

  test('an unused pack within 7 days: cancelling at once, then cancelled; the pack goes and the calls come back', async () => {
    const orderId = await doneAssignment();
    now = START + 7 * DAY;
    expect(await cancel(orderId, 'request-0001')).toEqual({ errcode: 0, errmsg: 'ok' });
    expect(await statusOf('request-0001')).toBe('cancelling');
    expect((await spOrders())[0]!.assigned).toBe(1000);
    await settled('request-0001', 'cancelled');
    expect((await spOrders())[0]!.assigned).toBe(0);
    expect(await providerPacks()).toEqual([]);
    expect((await sp<{ assignList: AssignItem[] }>(`order/get?orderId=${orderId}`)).assignList[0]!.status).toBe(5);
    expect(await cancel(orderId, 'request-0001')).toMatchObject({ errcode: 10121013 });
  });

  test('a pack a charge drew on cannot be cancelled (10121014)', async () => {
    const orderId = await doneAssignment();
    // The trial (1 call here) goes first; the second charge draws on the assigned pack.
    await t.mintCode({ phoneNumber: '13800138000', appid: RECEIVER });
    expect(await cancel(orderId, 'request-0001')).toMatchObject({ errcode: 0 });
    await settled('request-0001', 'cancelled');

    const second = await doneAssignment('request-0002');
    await t.mintCode({ phoneNumber: '13800138000', appid: RECEIVER });
    expect((await providerPacks())[0]).toMatchObject({ used: 1 });
    expect(await cancel(second, 'request-0002')).toMatchObject({ errcode: 10121014 });
    expect(await statusOf('request-0002')).toBe('done');
  });

  test('after 7 days it cannot be cancelled (10121014)', async () => {
    const orderId = await doneAssignment();
    now = START + 7 * DAY + 1;
    expect(await cancel(orderId, 'request-0001')).toMatchObject({ errcode: 10121014 });
    expect(await providerPacks()).toHaveLength(1);
  });

  test('a pending assignment cannot be cancelled; an unknown requestId is 40097', async () => {
    const orderId = await buy({ calls: 20_000 });
    await t.http('POST', '/v1/faults', { target: 'provider:assign', delayMs: 500 });
    await assign(orderId, 'request-0001');
    expect(await cancel(orderId, 'request-0001')).toMatchObject({ errcode: 10121014 });
    expect(await cancel(orderId, 'request-9999')).toMatchObject({ errcode: 40097 });
    expect(await cancel('sporder999999', 'request-0001')).toMatchObject({ errcode: 40097 });
    expect((await sp('package/cancel_assign', { orderId })).errcode).toBe(40097);
  });

  test('a provider:cancel fault fails the cancel: the assignment stays done with its pack', async () => {
    const orderId = await doneAssignment('cancelfail-1');
    await t.http('POST', '/v1/faults', { target: 'provider:cancel', errcode: -1 });
    expect((await cancel(orderId, 'cancelfail-1')).errcode).toBe(0);
    const events = await waitFor(() => providerEvents('cancelfail-1', 2), (e) => e.some((x) => x.event.event_type === 6), 'the cancel event');
    expect(await statusOf('cancelfail-1')).toBe('done');
    expect(events.find((e) => e.event.event_type === 6)!.event.result).toBe(-1);
    expect(await providerPacks()).toHaveLength(1);
  });
});

describe('provider usage, faults, stats, reset', () => {
  test('usage/get lists the provider orders of a spuId like the usage API', async () => {
    const a = await buy({ calls: 20_000 });
    now = START + DAY;
    const b = await buy({ calls: 5000, validityDays: 10 });
    await buy({ calls: 7, spuId: '10000078' });
    await assign(a, 'request-0001');
    now = START + 11 * DAY;
    const usage = await sp<UsageBody>('usage/get?spuId=10000077&offset=0&limit=20');
    expect(usage).toEqual({
      errcode: 0,
      errmsg: 'ok',
      effectiveUse: 10_000,
      all: 20_000,
      total: 2,
      detailList: [
        { pkgId: a, status: 1, startTime: START / 1000, endTime: START / 1000 + 365 * 86_400, all: 20_000, used: 10_000, spuId: '10000077', skuId: 'sp-bulk-20000-365d', source: 3 },
        { pkgId: b, status: 3, startTime: (START + DAY) / 1000, endTime: (START + 11 * DAY) / 1000, all: 5000, used: 0, spuId: '10000077', skuId: 'sp-bulk-5000-10d', source: 3 },
      ],
    });
    expect((await sp<UsageBody>('usage/get?spuId=10000077&offset=1&limit=1')).detailList.map((p) => p.pkgId)).toEqual([b]);
    expect((await sp('usage/get?spuId=1')).errcode).toBe(40097);
    expect((await sp('usage/get?spuId=10000077&limit=21')).errcode).toBe(40097);
  });

  test('wechat:<path> faults apply to these APIs and every call is counted', async () => {
    const orderId = await buy({ calls: 20_000 });
    await t.http('POST', '/v1/faults', { target: `wechat:${SP.slice('/wechat'.length)}/package/assign`, errcode: -1 });
    expect(await assign(orderId, 'request-0001')).toEqual({ errcode: -1, errmsg: 'emulated fault' });
    expect((await spOrders())[0]!.assignments).toEqual([]);
    await sp(`order/get?orderId=${orderId}`);
    const { body } = await t.http<{ actions: Record<string, number> }>('GET', '/v1/stats');
    expect(body.actions['wechat:/wxa/charge/service-provider/package/assign']).toBe(1);
    // The provider fixture also reads order/get when a push from an earlier test lands late.
    expect(body.actions['wechat:/wxa/charge/service-provider/order/get']).toBeGreaterThanOrEqual(1);
  });

  test('reset forgets orders, assignments and results under way', async () => {
    const orderId = await buy({ calls: 20_000 });
    await t.http('POST', '/v1/faults', { target: 'provider:assign', delayMs: 200 });
    await assign(orderId, 'request-0001');
    await t.reset();
    expect(await spOrders()).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await providerPacks()).toEqual([]);
    expect((await sp('order/get?orderId=' + orderId)).errcode).toBe(40097);
  });
});

describe('persistence', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'quickphone-provider-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));
  const start = (spResultDelayMs = 0) => startEmulator({ functionsDir: join(dataDir, 'no-functions'), dataDir, spResultDelayMs, collections: [] });

  test('orders and assignments survive a restart; one still pending settles after it', async () => {
    mkdirSync(join(dataDir, 'no-functions'));
    const first = await start();
    const orderId = await buy({ calls: 20_000 }, first);
    await assign(orderId, 'request-0001', { skuId: 'sp-1000-365d' }, first);
    await settled('request-0001', 'done', first);
    await first.http('POST', '/v1/faults', { target: 'provider:assign', delayMs: 60_000 });
    await assign(orderId, 'request-0002', { skuId: 'sp-5000-365d' }, first);
    await first.stop();

    const second = await start();
    try {
      expect((await spOrders(second))[0]).toMatchObject({ orderId, assigned: 6000 });
      await settled('request-0002', 'done', second);
      expect((await second.http<UsageBody>('GET', `/v1/wechat/usage?appid=${RECEIVER}`)).body.detailList.filter((p) => p.source === 3).map((p) => p.all)).toEqual([1000, 5000]);
      expect(await assign(orderId, 'request-0001', {}, second)).toMatchObject({ errcode: 10121009 });
      expect(await buy({ calls: 1 }, second)).not.toBe(orderId);
    } finally {
      await second.stop();
    }
  });
});
