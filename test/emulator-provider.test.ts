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
import type { UsageAnswer, WireUsageAnswer } from '../packages/cloudbase-emulator/src/wechat/usage-ledger';
import { readPush } from '../cloudfunctions/_shared/domain/provider-push';
import { QUICKPHONE_SP_PUSH_TOKEN } from '../scripts/lib/emulator-plugin';
import { waitFor as waitUntil } from './support/wait';

const START = Date.UTC(2026, 2, 1, 8, 0, 0);
const DAY = 86_400_000;
const RECEIVER = 'wx0123456789abcdef';
const OTHER_RECEIVER = 'wx00000000000000bb';
const UNRELATED = 'wx00000000000000ee';
const SP = '/wechat/wxa/charge/service-provider';
const FIXTURES = join(__dirname, 'fixtures', 'functions');

type Answer = { errcode: number; errmsg: string };
// Shapes as the service-market pages document them (doc/oplatform/service_market/charge/api/…).
type Order = {
  orderId: string;
  status: number;
  createTime: number;
  orderPrice: string;
  orderProductInfo: { spSpuId: string; spSkuId: string; skuName: string; skuCnt: number };
  usage: { used: string; all: string };
};
type Sku = { spuId: string; skuId: string; skuName: string; attr: { duration: number; proportion: { quota: { quota: number } } } };
type UsageBody = Answer & Omit<UsageAnswer, 'errcode' | 'errmsg'>;
/** What WeChat's paths answer: counts as strings. */
type WireBody = Answer & Omit<WireUsageAnswer, 'errcode' | 'errmsg'>;
type SpOrdersView = {
  orders: Array<{
    orderId: string;
    calls: number;
    assigned: number;
    assignments: Array<{ requestId: string; receiverAppId: string; skuId: string; calls: number; status: string }>;
  }>;
};
type Recorded = {
  request: { httpMethod: string; path: string; query: Record<string, string>; contentType: string; body: string; isBase64Encoded: boolean };
  OPENID: string;
  SOURCE: string;
  seen: Array<{ requestId: string; status: string }>;
};
type ProviderEvent = Recorded & { event: Record<string, string>; encrypted: boolean; statusInOrder: string | null };
const QUICK_BULK = '10000117';
const REALTIME_BULK = '10000120';
const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';

let now = START;
let t: TestEmulator;
// Read by the emulator at each push, so a test may switch format or safe mode.
const env: Record<string, string> = { CLOUDBASE_EMULATOR_SP_UNRELATED_APPIDS: ` ${UNRELATED} ,wx00000000000000ef` };
beforeAll(async () => {
  t = await startEmulator({ functionsDir: FIXTURES, trialCalls: 1, clock: () => now, env });
});
afterAll(() => t.stop());
beforeEach(async () => {
  now = START;
  delete env.CLOUDBASE_EMULATOR_SP_PUSH_FORMAT;
  delete env.CLOUDBASE_EMULATOR_SP_PUSH_AES_KEY;
  await t.reset();
});

const waitFor = <T>(read: () => Promise<T>, done: (value: T) => boolean, what: string) => waitUntil(read, done, what, 15_000);

async function token(appid = t.emulator.appid, emu: TestEmulator = t): Promise<string> {
  return (await emu.http<{ access_token: string }>('GET', `/wechat/cgi-bin/token?grant_type=client_credential&appid=${appid}&secret=x`))
    .body.access_token;
}

/** A service-provider API call with a fresh provider token: GET when `body` is absent. */
async function sp<T = Answer>(path: string, body?: Record<string, unknown>, emu: TestEmulator = t): Promise<T & Answer> {
  const sep = path.includes('?') ? '&' : '?';
  const url = `${SP}/${path}${sep}access_token=${await token(undefined, emu)}`;
  return (await emu.http<T & Answer>(body === undefined ? 'GET' : 'POST', url, body)).body;
}

const buy = async (body: Record<string, unknown>, emu: TestEmulator = t) =>
  (await emu.http<{ orderId: string }>('POST', '/v1/wechat/sp-orders', body)).body.orderId;
const spOrders = async (emu: TestEmulator = t) => (await emu.http<SpOrdersView>('GET', '/v1/wechat/sp-orders')).body.orders;
const assign = (orderId: string, requestId: string, more: Record<string, unknown> = {}, emu: TestEmulator = t) =>
  sp('package/assign', { orderId, skuId: 'sp-10000-365d', receiverAppId: RECEIVER, requestId, ...more }, emu);
const cancel = (orderId: string, requestId: string) => sp('package/cancel_assign', { orderId, requestId });
const statusOf = async (requestId: string, emu: TestEmulator = t) =>
  (await spOrders(emu)).flatMap((o) => o.assignments).find((a) => a.requestId === requestId)?.status;
const settled = (requestId: string, status: string, emu: TestEmulator = t) =>
  waitFor(
    () => statusOf(requestId, emu),
    (s) => s === status,
    `${requestId} to be ${status}`,
  );
const receiverUsage = async (appid = RECEIVER) => (await t.http<UsageBody>('GET', `/v1/wechat/usage?appid=${appid}`)).body;
const providerPacks = async (appid = RECEIVER) => (await receiverUsage(appid)).detailList.filter((p) => p.source === 3);

/** A recorded push, checked and opened as the provider function would (Token and key as the emulator's). */
function opened(doc: Recorded): ProviderEvent | null {
  const { request } = doc;
  if (request.httpMethod !== 'POST') return null;
  const reading = readPush(
    { method: request.httpMethod, query: request.query, body: request.body },
    { token: QUICKPHONE_SP_PUSH_TOKEN, encodingAesKey: AES_KEY, appid: t.emulator.appid, maxAgeSeconds: 300 },
    now,
  );
  const plain = readPush(
    { method: request.httpMethod, query: request.query, body: request.body },
    { token: QUICKPHONE_SP_PUSH_TOKEN, encodingAesKey: null, appid: null, maxAgeSeconds: 300 },
    now,
  );
  const read = reading.kind === 'event' ? reading : plain.kind === 'event' ? plain : null;
  if (!read) throw new Error(`a push that does not verify: ${JSON.stringify(request)}`);
  const event = read.fields;
  return {
    ...doc,
    event,
    encrypted: read.encrypted,
    statusInOrder: doc.seen.find((a) => a.requestId === event.request_id)?.status ?? null,
  };
}

/**
 * Pushes the fixture function recorded for one requestId, verified and opened. Filtered
 * because a push from an earlier test may land after the reset; each test that reads
 * events uses its own ids.
 */
async function providerEvents(requestId: string, count: number): Promise<ProviderEvent[]> {
  return waitFor(
    async () => {
      const res = await t.http<{ docs: Recorded[] }>('GET', '/v1/db/provider_events');
      return res.status === 200
        ? res.body.docs.map(opened).filter((d): d is ProviderEvent => d !== null && d.event.request_id === requestId)
        : [];
    },
    (docs) => docs.length >= count,
    `${count} events for ${requestId} in provider_events`,
  );
}

describe('bulk orders', () => {
  test('POST /v1/wechat/sp-orders defaults to the quick bulk spuId and 365 days; GET lists them', async () => {
    const a = await buy({ calls: 20_000 });
    const b = await buy({ calls: 500, spuId: REALTIME_BULK, validityDays: 30 });
    expect(a).toEqual(expect.any(String));
    expect(b).not.toBe(a);
    expect(await spOrders()).toEqual([
      { orderId: a, calls: 20_000, assigned: 0, assignments: [] },
      { orderId: b, calls: 500, assigned: 0, assignments: [] },
    ]);
    // charge_sp_get_order: `{ order }` only, createTime in ms, price and usage as strings, a paid order's status 2.
    const answer = await sp<{ order: Order }>(`order/get?orderId=${a}`);
    expect(Object.keys(answer).sort()).toEqual(['errcode', 'errmsg', 'order']);
    expect(answer.order).toEqual({
      orderId: a,
      status: 2,
      createTime: START,
      orderPrice: '60000',
      orderProductInfo: { spSpuId: QUICK_BULK, spSkuId: 'sp-bulk-20000-365d', skuName: '20000次/365天', skuCnt: 1 },
      usage: { used: '0', all: '20000' },
    });
    expect((await sp<{ order: Order }>(`order/get?orderId=${b}`)).order.orderProductInfo.spSpuId).toBe(REALTIME_BULK);
  });

  test.each([
    [{}, /calls/],
    [{ calls: 0 }, /calls/],
    [{ calls: 1.5 }, /calls/],
    [{ calls: 10, validityDays: 0 }, /validityDays/],
    [{ calls: 10, spuId: '123' }, /spuId/],
    [{ calls: 10, spuId: '10000077' }, /spuId/],
    [{ calls: 10, spuId: 10000117 }, /spuId/],
  ])('an order %j is refused', async (body, reason) => {
    const res = await t.http<{ error: { code: string; message: string } }>('POST', '/v1/wechat/sp-orders', body);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(reason) });
  });

  test('order/query_list needs a bulk spuId (charge_sp_query_order_list), pages at most 20, needs a token', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 22; i++) ids.push(await buy({ calls: 1000 + i }));
    const other = await buy({ calls: 7, spuId: REALTIME_BULK });
    const first = await sp<{ total: number; orderList: Order[] }>('order/query_list', { spuId: QUICK_BULK, offset: 0, limit: 20 });
    expect(first).toMatchObject({ errcode: 0, total: 22 });
    expect(first.orderList).toHaveLength(20);
    const rest = await sp<{ total: number; orderList: Order[] }>('order/query_list', { spuId: QUICK_BULK, offset: 20, limit: 20 });
    expect([...first.orderList, ...rest.orderList].map((o) => o.orderId)).toEqual(ids);
    expect(rest.orderList[1]).toMatchObject({ orderId: ids[21], createTime: START, usage: { used: '0', all: '1021' } });
    const realtime = await sp<{ total: number; orderList: Order[] }>('order/query_list', { spuId: REALTIME_BULK, offset: 0, limit: 20 });
    expect(realtime).toMatchObject({ total: 1, orderList: [{ orderId: other }] });
    // No spuId (what the product sent before), a retail spuId, bad paging: 10120002 参数错误.
    for (const body of [
      {},
      { offset: 0, limit: 20 },
      { spuId: '10000077' },
      { spuId: QUICK_BULK, limit: 21 },
      { spuId: QUICK_BULK, limit: 0 },
      { spuId: QUICK_BULK, offset: -1 },
      { spuId: QUICK_BULK, offset: '1' },
      { spuId: '1' },
    ]) {
      expect((await sp('order/query_list', body)).errcode).toBe(10120002);
    }
    expect((await t.http<Answer>('POST', `${SP}/order/query_list`, {})).body.errcode).toBe(41001);
    expect((await t.http<Answer>('GET', `${SP}/order/get?orderId=${ids[0]}&access_token=nope`)).body.errcode).toBe(40001);
  });

  test('order/get and get_convertible_skus of an unknown order are 10121001 (订单ID不合法或订单状态不正确)', async () => {
    expect((await sp('order/get?orderId=sporder424242')).errcode).toBe(10121001);
    expect((await sp('order/get')).errcode).toBe(10121001);
    expect((await sp('package/get_convertible_skus?orderId=nope')).errcode).toBe(10121001);
    expect((await sp('package/get_convertible_skus')).errcode).toBe(10120002);
  });

  test('convertible SKUs (charge_sp_get_convertible_skus): retail spuId, calls in attr.proportion.quota.quota, duration in seconds; by orderId or by spSpuId + spSkuId', async () => {
    const orderId = await buy({ calls: 20_000, validityDays: 90 });
    const { skuList } = await sp<{ skuList: Sku[] }>(`package/get_convertible_skus?orderId=${orderId}`);
    expect(skuList).toEqual(
      [1000, 5000, 10_000].map((count) => ({
        spuId: '10000077',
        skuId: `sp-${count}-90d`,
        skuName: `${count}次/90天`,
        attr: { duration: 90 * 86_400, proportion: { quota: { quota: count } } },
      })),
    );
    expect((await assign(orderId, 'request-0001', { skuId: 'sp-10000-90d' })).errcode).toBe(0);
    expect((await assign(orderId, 'request-0002', { skuId: 'sp-5000-90d' })).errcode).toBe(0);
    expect(
      (await sp<{ skuList: Sku[] }>(`package/get_convertible_skus?orderId=${orderId}`)).skuList.map((s) => s.attr.proportion.quota.quota),
    ).toEqual([1000, 5000]);
    // By the product bought: every SKU it converts into.
    const byProduct = await sp<{ skuList: Sku[] }>(`package/get_convertible_skus?spSpuId=${QUICK_BULK}&spSkuId=sp-bulk-20000-90d`);
    expect(byProduct.skuList.map((s) => s.attr.proportion.quota.quota)).toEqual([1000, 5000, 10_000, 50_000, 100_000, 1_000_000]);
    expect((await sp(`package/get_convertible_skus?spSpuId=${QUICK_BULK}&spSkuId=nope`)).errcode).toBe(10120002);
  });
});

describe('assign', () => {
  test('answers at once; after the delay the assignment is done and the receiver has a source-3 pack', async () => {
    const orderId = await buy({ calls: 20_000 });
    expect(await assign(orderId, 'request-0001')).toEqual({ errcode: 0, errmsg: 'ok' });
    expect(await spOrders()).toEqual([
      {
        orderId,
        calls: 20_000,
        assigned: 10_000,
        assignments: [{ requestId: 'request-0001', receiverAppId: RECEIVER, skuId: 'sp-10000-365d', calls: 10_000, status: 'pending' }],
      },
    ]);
    await settled('request-0001', 'done');

    const packs = await providerPacks();
    expect(packs).toEqual([
      {
        pkgId: expect.any(String),
        status: 1,
        startTime: START / 1000,
        endTime: START / 1000 + 365 * 86_400,
        all: 10_000,
        used: 0,
        spuId: '10000077',
        skuId: 'sp-10000-365d',
        source: 3,
      },
    ]);
    // WeChat's usage API, with the receiver's own token, says the same.
    const viaWechat = (await t.http<WireBody>('GET', `/wechat/wxa/charge/usage/get?access_token=${await token(RECEIVER)}&spuId=10000077`))
      .body;
    const own = await receiverUsage();
    expect(viaWechat).toMatchObject({ all: String(own.all), effectiveUse: String(own.effectiveUse), total: 2 });
    expect(viaWechat).toMatchObject({ all: '10001', total: 2 });
    expect(viaWechat.detailList).toContainEqual(expect.objectContaining({ source: 3, all: '10000', used: '0' }));
    // Another mini program got nothing.
    expect(await providerPacks(OTHER_RECEIVER)).toEqual([]);

    const answer = await sp<{ order: Order }>(`order/get?orderId=${orderId}`);
    expect(answer.order.usage).toEqual({ used: '10000', all: '20000' });
    expect(answer).not.toHaveProperty('assignList');
  });

  test('beginTime (ms) sets the pack start; a real-time order gives a real-time pack', async () => {
    const orderId = await buy({ calls: 1000, spuId: REALTIME_BULK, validityDays: 30 });
    const begin = START + 3 * DAY;
    expect((await assign(orderId, 'request-0001', { skuId: 'sp-1000-30d', beginTime: begin })).errcode).toBe(0);
    await settled('request-0001', 'done');
    const realtime = (await t.http<UsageBody>('GET', `/v1/wechat/usage?appid=${RECEIVER}&kind=realtime`)).body;
    expect(realtime.detailList.filter((p) => p.source === 3)).toEqual([
      expect.objectContaining({ status: 2, startTime: begin / 1000, endTime: begin / 1000 + 30 * 86_400, spuId: '10000086', all: 1000 }),
    ]);
    expect(await providerPacks()).toEqual([]);
    expect((await assign(orderId, 'request-0002', { skuId: 'sp-1000-30d', beginTime: 'tomorrow' })).errcode).toBe(10120002);
  });

  test('the same requestId never assigns twice: 10121011 while pending, 10121009 when done', async () => {
    const orderId = await buy({ calls: 20_000 });
    // Holds the first result back (settled below), so it is pending while asked again.
    await t.http('POST', '/v1/faults', { target: 'provider:assign', delayMs: 60_000 });
    expect((await assign(orderId, 'request-0001')).errcode).toBe(0);
    expect(await assign(orderId, 'request-0001')).toMatchObject({ errcode: 10121011 });
    expect(await assign(orderId, 'request-0001', { skuId: 'sp-1000-365d', receiverAppId: OTHER_RECEIVER })).toMatchObject({
      errcode: 10121011,
    });
    t.emulator.providerResults.settleNow();
    await settled('request-0001', 'done');
    expect(await assign(orderId, 'request-0001')).toMatchObject({ errcode: 10121009 });
    const [order] = await spOrders();
    expect(order).toMatchObject({ assigned: 10_000, assignments: [{ requestId: 'request-0001' }] });
    expect(await providerPacks()).toHaveLength(1);
    expect(await providerPacks(OTHER_RECEIVER)).toEqual([]);
  });

  test('more than the order has left is 10121031 (community: 订单的资源包用量不足) and assigns nothing', async () => {
    const orderId = await buy({ calls: 15_000 });
    expect((await assign(orderId, 'request-0001')).errcode).toBe(0);
    expect(await assign(orderId, 'request-0002')).toMatchObject({ errcode: 10121031 });
    expect(await assign(orderId, 'request-0003', { skuId: 'sp-50000-365d' })).toMatchObject({ errcode: 10121031 });
    expect((await assign(orderId, 'request-0004', { skuId: 'sp-5000-365d' })).errcode).toBe(0);
    expect((await spOrders())[0]).toMatchObject({ assigned: 15_000 });
    expect((await spOrders())[0]!.assignments.map((a) => a.requestId)).toEqual(['request-0001', 'request-0004']);
  });

  test.each([
    ['a receiverAppId not of WeChat form', { receiverAppId: 'wx0123456789ABCDEF' }, 10120002],
    ['a short receiverAppId', { receiverAppId: 'wx123' }, 10120002],
    ['a requestId under 10 characters', { requestId: 'req-1' }, 10120002],
    ['a requestId over 64 characters', { requestId: 'r'.repeat(65) }, 10120002],
    ['a requestId with other characters', { requestId: 'request/0001' }, 10120002],
    ['an unknown skuId (无效资源包)', { skuId: 'sp-2000-365d' }, 10121013],
    ['an unknown orderId', { orderId: 'sporder999999' }, 10121001],
    ['a missing orderId', { orderId: undefined }, 10120002],
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
    expect(event!.event).toMatchObject({ event_type: '5', result: '10121012', request_id: 'failing-0001', receive_pkg_id: '' });
    expect(event!.statusInOrder).toBe('failed');
    expect((await assign(orderId, 'failing-0001')).errcode).toBe(0);
    await settled('failing-0001', 'done');
    expect(await providerPacks()).toHaveLength(1);
  });
});

describe('result events', () => {
  test('assign and cancel results reach the provider function as signed JSON POSTs through HTTP access, after the state changed', async () => {
    const orderId = await buy({ calls: 20_000 });
    await assign(orderId, 'events-0001', { skuId: 'sp-5000-365d' });
    const [assigned] = await providerEvents('events-0001', 1);
    const pkgId = (await providerPacks())[0]!.pkgId;
    expect(assigned).toMatchObject({
      request: {
        httpMethod: 'POST',
        path: '/provider-events',
        contentType: 'application/json',
        isBase64Encoded: false,
        query: { signature: expect.stringMatching(/^[0-9a-f]{40}$/), timestamp: String(START / 1000), nonce: expect.any(String) },
      },
      // charge_sp_assign's fields, and the receiver's pack.
      event: {
        event_type: '5',
        result: '0',
        order_id: orderId,
        assign_appid: t.emulator.appid,
        receive_appid: RECEIVER,
        sp_spu_id: QUICK_BULK,
        sp_sku_id: 'sp-bulk-20000-365d',
        spu_id: '10000077',
        sku_id: 'sp-5000-365d',
        request_id: 'events-0001',
        receive_pkg_id: pkgId,
      },
      encrypted: false,
      OPENID: '',
      statusInOrder: 'done',
    });
    expect(JSON.parse(assigned!.request.body)).toMatchObject({ event_type: 5, result: 0 });
    expect((await cancel(orderId, 'events-0001')).errcode).toBe(0);
    const events = await providerEvents('events-0001', 2);
    expect(events.find((e) => e.event.event_type === '6')).toMatchObject({
      event: { ...assigned!.event, event_type: '6', result: '0' },
      statusInOrder: 'cancelled',
    });
  });

  test('XML and safe mode (AES): the same event as XML, then encrypted as JSON and as XML, each with msg_signature', async () => {
    const orderId = await buy({ calls: 20_000 });
    env.CLOUDBASE_EMULATOR_SP_PUSH_FORMAT = 'xml';
    await assign(orderId, 'xmlpush-001', { skuId: 'sp-1000-365d' });
    const [xml] = await providerEvents('xmlpush-001', 1);
    expect(xml).toMatchObject({
      request: { contentType: 'text/xml' },
      encrypted: false,
      event: { event_type: '5', result: '0', request_id: 'xmlpush-001' },
    });
    expect(xml!.request.body).toMatch(/^<xml><event_type>5<\/event_type><result>0<\/result><order_id><!\[CDATA\[/);

    env.CLOUDBASE_EMULATOR_SP_PUSH_AES_KEY = AES_KEY;
    await assign(orderId, 'aesxml-0001', { skuId: 'sp-1000-365d' });
    const [aesXml] = await providerEvents('aesxml-0001', 1);
    expect(aesXml).toMatchObject({
      request: { query: { encrypt_type: 'aes', msg_signature: expect.stringMatching(/^[0-9a-f]{40}$/) } },
      encrypted: true,
      event: { request_id: 'aesxml-0001' },
    });
    expect(aesXml!.request.body).toMatch(
      /^<xml><ToUserName><!\[CDATA\[wx[0-9a-f]{16}\]\]><\/ToUserName><Encrypt><!\[CDATA\[[A-Za-z0-9+/=]+\]\]><\/Encrypt><\/xml>$/,
    );
    expect(aesXml!.request.body).not.toContain('aesxml-0001');

    env.CLOUDBASE_EMULATOR_SP_PUSH_FORMAT = 'json';
    await assign(orderId, 'aesjson-001', { skuId: 'sp-1000-365d' });
    const [aesJson] = await providerEvents('aesjson-001', 1);
    expect(aesJson).toMatchObject({
      request: { contentType: 'application/json' },
      encrypted: true,
      event: { event_type: '5', request_id: 'aesjson-001' },
    });
    expect(Object.keys(JSON.parse(aesJson!.request.body)).sort()).toEqual(['Encrypt', 'ToUserName']);
  });

  test('a provider:push fault loses the push: the result settles at WeChat, nothing reaches the function', async () => {
    const orderId = await buy({ calls: 20_000 });
    await t.http('POST', '/v1/faults', { target: 'provider:push', errcode: 1 });
    await assign(orderId, 'lostpush-01', { skuId: 'sp-1000-365d' });
    await settled('lostpush-01', 'done');
    await assign(orderId, 'nextpush-01', { skuId: 'sp-1000-365d' });
    await providerEvents('nextpush-01', 1);
    const all = (await t.http<{ docs: Recorded[] }>('GET', '/v1/db/provider_events')).body.docs.map(opened);
    expect(all.filter((e) => e?.event.request_id === 'lostpush-01')).toEqual([]);
  });

  test("saving the push URL: WeChat's signed GET with echostr reaches the function; verified only if it answers echostr", async () => {
    const { body } = await t.http<{ verified: boolean; status: number; answer: string }>('POST', '/v1/wechat/sp-push/verify');
    // The fixture answers something else on purpose.
    expect(body).toEqual({ verified: false, status: 200, answer: 'not-the-echostr' });
    const docs = (await t.http<{ docs: Recorded[] }>('GET', '/v1/db/provider_events')).body.docs.filter(
      (d) => d.request?.httpMethod === 'GET',
    );
    expect(docs.at(-1)!.request.query).toEqual({
      signature: expect.stringMatching(/^[0-9a-f]{40}$/),
      timestamp: String(START / 1000),
      nonce: expect.any(String),
      echostr: expect.stringMatching(/^\d+$/),
    });
  });

  test('HTTP access: /http/<path> reaches the mapped function with the integrated request; unknown paths are 404', async () => {
    const res = await fetch(`${t.url}/http/provider-events?a=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ hello: 'world' }),
    });
    expect([res.status, await res.text()]).toEqual([200, 'success']);
    const docs = (await t.http<{ docs: Recorded[] }>('GET', '/v1/db/provider_events')).body.docs;
    expect(docs.at(-1)).toMatchObject({
      request: {
        httpMethod: 'POST',
        path: '/provider-events',
        query: { a: '1' },
        contentType: 'application/json',
        body: '{"hello":"world"}',
      },
      OPENID: '',
    });
    expect((await fetch(`${t.url}/http/nowhere`)).status).toBe(404);
  });

  test('without a provider function the result still settles, and the emulator logs that it was not delivered', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'quickphone-nofunctions-'));
    const lines: string[] = [];
    const bare = await startEmulator({ functionsDir: empty, spResultDelayMs: 0, onLog: (fn, line) => lines.push(`[${fn}] ${line}`) });
    try {
      const orderId = await buy({ calls: 1000 }, bare);
      expect((await assign(orderId, 'request-0001', { skuId: 'sp-1000-365d' }, bare)).errcode).toBe(0);
      await settled('request-0001', 'done', bare);
      await waitFor(
        async () => lines,
        (l) => l.length > 0,
        'a log line',
      );
      expect(lines[0]).toMatch(
        /^\[emulator\] result event .*"request_id":"request-0001".* not accepted: HTTP 404 .*"provider", which does not exist/,
      );
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
    // Holds the cancel's result back (settled below), so its in-between state can be seen.
    await t.http('POST', '/v1/faults', { target: 'provider:cancel', delayMs: 60_000 });
    expect(await cancel(orderId, 'request-0001')).toEqual({ errcode: 0, errmsg: 'ok' });
    expect(await statusOf('request-0001')).toBe('cancelling');
    expect((await spOrders())[0]!.assigned).toBe(1000);
    t.emulator.providerResults.settleNow();
    await settled('request-0001', 'cancelled');
    expect((await spOrders())[0]!.assigned).toBe(0);
    expect(await providerPacks()).toEqual([]);
    expect(await cancel(orderId, 'request-0001')).toMatchObject({ errcode: 10121010 });
    // The assign resent after the cancel: 分配已取消 too.
    expect(await assign(orderId, 'request-0001')).toMatchObject({ errcode: 10121010 });
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

  test('a pending assignment cannot be cancelled yet (10121011 分配中); an unknown requestId is 10120002, an unknown order 10121001', async () => {
    const orderId = await buy({ calls: 20_000 });
    await t.http('POST', '/v1/faults', { target: 'provider:assign', delayMs: 60_000 });
    await assign(orderId, 'request-0001');
    expect(await cancel(orderId, 'request-0001')).toMatchObject({ errcode: 10121011 });
    expect(await cancel(orderId, 'request-9999')).toMatchObject({ errcode: 10120002 });
    expect(await cancel('sporder999999', 'request-0001')).toMatchObject({ errcode: 10121001 });
    expect((await sp('package/cancel_assign', { orderId })).errcode).toBe(10120002);
  });

  test('a provider:cancel fault fails the cancel: the assignment stays done with its pack', async () => {
    const orderId = await doneAssignment('cancelfail-1');
    await t.http('POST', '/v1/faults', { target: 'provider:cancel', errcode: -1 });
    expect((await cancel(orderId, 'cancelfail-1')).errcode).toBe(0);
    const events = await waitFor(
      () => providerEvents('cancelfail-1', 2),
      (e) => e.some((x) => x.event.event_type === '6'),
      'the cancel event',
    );
    expect(await statusOf('cancelfail-1')).toBe('done');
    expect(events.find((e) => e.event.event_type === '6')!.event.result).toBe('-1');
    expect(await providerPacks()).toHaveLength(1);
  });
});

describe('provider usage, faults, stats, reset', () => {
  test('usage/get lists the provider orders of a spuId like the usage API', async () => {
    const a = await buy({ calls: 20_000 });
    now = START + DAY;
    const b = await buy({ calls: 5000, validityDays: 10 });
    await buy({ calls: 7, spuId: REALTIME_BULK });
    await assign(a, 'request-0001');
    now = START + 11 * DAY;
    const usage = await sp<WireBody>(`usage/get?spuId=${QUICK_BULK}&offset=0&limit=20`);
    expect(usage).toEqual({
      errcode: 0,
      errmsg: 'ok',
      effectiveUse: '10000',
      all: '20000',
      total: 2,
      detailList: [
        {
          pkgId: a,
          status: 1,
          startTime: START / 1000,
          endTime: START / 1000 + 365 * 86_400,
          all: '20000',
          used: '10000',
          spuId: QUICK_BULK,
          skuId: 'sp-bulk-20000-365d',
          source: 3,
        },
        {
          pkgId: b,
          status: 3,
          startTime: (START + DAY) / 1000,
          endTime: (START + 11 * DAY) / 1000,
          all: '5000',
          used: '0',
          spuId: QUICK_BULK,
          skuId: 'sp-bulk-5000-10d',
          source: 3,
        },
      ],
    });
    expect((await sp<WireBody>(`usage/get?spuId=${QUICK_BULK}&offset=1&limit=1`)).detailList.map((p) => p.pkgId)).toEqual([b]);
    expect((await sp('usage/get?spuId=1')).errcode).toBe(40097);
    expect((await sp(`usage/get?spuId=${QUICK_BULK}&limit=21`)).errcode).toBe(40097);
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
    expect(t.emulator.providerResults.pending).toBe(1);
    await t.reset();
    expect(await spOrders()).toEqual([]);
    // Nothing is left to land later: the result under way was forgotten, not merely not yet due.
    expect(t.emulator.providerResults.pending).toBe(0);
    expect(await providerPacks()).toEqual([]);
    expect((await sp('order/get?orderId=' + orderId)).errcode).toBe(10121001);
  });
});

describe('persistence', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'quickphone-provider-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));
  const start = (spResultDelayMs = 0) =>
    startEmulator({ functionsDir: join(dataDir, 'no-functions'), dataDir, spResultDelayMs, collections: [] });

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
      expect(
        (await second.http<UsageBody>('GET', `/v1/wechat/usage?appid=${RECEIVER}`)).body.detailList
          .filter((p) => p.source === 3)
          .map((p) => p.all),
      ).toEqual([1000, 5000]);
      expect(await assign(orderId, 'request-0001', {}, second)).toMatchObject({ errcode: 10121009 });
      expect(await buy({ calls: 1 }, second)).not.toBe(orderId);
    } finally {
      await second.stop();
    }
  });
});
