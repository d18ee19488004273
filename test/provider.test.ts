/**
 * The provider function end to end against the emulator's WeChat service-provider
 * fakes (shaped as the service-market pages document them): orders of both bulk
 * products synced from WeChat, SKUs, assign with an idempotency key (twice, and five
 * at once, assign once), results settled by signed pushes through HTTP access (a
 * forged or unsigned one changes nothing), polling for a push that never came, the
 * merchant's usage showing the assigned pack, cancel only when WeChat allows it, and
 * clear errors that assign nothing. Safe mode (AES) and XML pushes: provider-push.test.ts.
 */
import { startEmulator, type TestEmulator } from './support/emulator';
import { QUICKPHONE_SP_PUSH_TOKEN } from '../scripts/lib/emulator-plugin';
import { signedPush } from '../packages/cloudbase-emulator/src/wechat/provider-push';
import { callRoute, callRouteUnchecked, routesOf } from './support/envelope';
import { waitFor } from './support/wait';

interface AssignmentDoc {
  _id: string;
  requestId: string;
  status: string;
  submitted: boolean;
  receivePkgId: string | null;
  error: { code: string; message: string; errcode: number | null } | null;
  history: Array<{ from: string; to: string; via: string }>;
}
interface SpOrders {
  orders: Array<{
    orderId: string;
    calls: number;
    assigned: number;
    assignments: Array<{ requestId: string; receiverAppId: string; skuId: string; calls: number; status: string }>;
  }>;
}
interface Usage {
  all: number;
  effectiveUse: number;
  detailList: Array<{ pkgId: string; all: number; used: number; source: number }>;
}

const BOSS = 'o_provider_boss';
const PROVIDER_APPID = 'wx5eed1e0c0ffee001'; // the emulator's appid
const MERCHANT = 'wxa1b2c3d4e5f60718';
const OTHER_MERCHANT = 'wx00000000000000bb'; // no token source configured for it
const UNRELATED = 'wx00000000000000ee'; // the emulator answers 10045 for it
const DAY = 86_400_000;
const SP_STATS = 'wechat:/wxa/charge/service-provider';
const sent = (api: string) => t.emulator.stats.actionCounts()[`${SP_STATS}/${api}`] ?? 0;

let offset = 0;
let t: TestEmulator;
const startProviderEmulator = (env: Record<string, string> = {}) =>
  startEmulator({
    // One trial call per appid, so a merchant's second charge draws on an assigned pack.
    trialCalls: 1,
    clock: () => Date.now() + offset,
    env: {
      ADMIN_OPENIDS: BOSS,
      PROVIDER_APPID,
      PROVIDER_APPSECRET: 'provider-secret',
      PROVIDER_MERCHANT_SECRETS: JSON.stringify({ [MERCHANT]: 'merchant-secret' }),
      // The Token set with the push URL (the emulator's default).
      PROVIDER_PUSH_TOKEN: QUICKPHONE_SP_PUSH_TOKEN,
      // Poll at once and give up after 3 checks, so tests need not wait.
      PROVIDER_POLL_AFTER_SECONDS: '0',
      PROVIDER_POLL_MAX_ATTEMPTS: '3',
      CLOUDBASE_EMULATOR_SP_UNRELATED_APPIDS: UNRELATED,
      ...env,
    },
  });
// WeChat's answers wait 15 s here (PROVIDER_CALL_TIMEOUT_MS; 4 s deployed): a test that
// holds a WeChat call at a latch, or a busy machine, must never turn it into a timeout and
// a resend (counted sends, e.g. one cancel_assign, then differ). Timeouts and resends are
// tested on purpose with 1 s, in their own block below.
beforeAll(async () => {
  t = await startProviderEmulator({ PROVIDER_CALL_TIMEOUT_MS: '15000' });
});
afterAll(() => t.stop());
beforeEach(async () => {
  offset = 0;
  await t.reset();
});

const { call: provider, data: ok } = routesOf(() => t, 'provider', BOSS);
async function seedOrder(calls: number, spuId = '10000117'): Promise<string> {
  const { status, body } = await t.http<{ orderId: string }>('POST', '/v1/wechat/sp-orders', { calls, spuId });
  if (status !== 200) throw new Error(`seed failed: ${JSON.stringify(body)}`);
  return body.orderId;
}
const spOrders = async () => (await t.http<SpOrders>('GET', '/v1/wechat/sp-orders')).body.orders;
const wechatAssignments = async () => (await spOrders()).flatMap((o) => o.assignments);
const records = () => t.docs<AssignmentDoc>('provider_assignments');
const record = async (id: string) => (await records()).find((r) => r._id === id);
const merchantUsage = async (appid = MERCHANT) => (await t.http<Usage>('GET', `/v1/wechat/usage?appid=${appid}`)).body;

async function skuOf(orderId: string, calls: number): Promise<string> {
  const { skus } = await ok('skus.list', { orderId });
  const sku = skus.find((s) => s.calls === calls);
  if (!sku) throw new Error(`no SKU of ${calls} calls in ${JSON.stringify(skus)}`);
  return sku.skuId;
}

/**
 * Every container of `provider` (the emulator runs up to 4, and gives a call to an idle one
 * first) asks WeChat once, so each holds a token WeChat knows. A container whose cached
 * token WeChat rejects fetches a new one and sends the call again: right, but one more
 * counted send where a test counts them.
 */
async function refreshTokens() {
  await Promise.all(Array.from({ length: 4 }, () => ok('orders.list', {})));
}

/** An order of `calls` with one done assignment of 10,000 to MERCHANT. */
async function assignedPack(calls = 1_000_000, key = 'key-done') {
  const orderId = await seedOrder(calls);
  const skuId = await skuOf(orderId, 10_000);
  const answer = await ok('assign', { orderId, skuId, receiverAppId: MERCHANT, idempotencyKey: key });
  await waitFor(
    () => record(answer.assignmentId),
    (r) => r?.status === 'done',
    'the assignment to be done',
  );
  return { orderId, skuId, ...answer };
}

test('only admins: UNAUTHENTICATED without an OPENID, FORBIDDEN for anyone else, NOT_FOUND for an unknown route', async () => {
  expect(await provider('orders.list', {}, null)).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
  expect(await provider('orders.list', {}, 'o_someone')).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  expect(await provider('assign', { orderId: 'x', skuId: 'y', receiverAppId: MERCHANT, idempotencyKey: 'k' }, 'o_someone')).toMatchObject({
    ok: false,
    error: { code: 'FORBIDDEN' },
  });
  expect(await t.call('provider', { $url: 'nope' }, BOSS)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  expect(await records()).toEqual([]);
});

test("orders.list lists the orders of both bulk products (query_list needs a spuId) with correct dates; skus.list gives each SKU's calls", async () => {
  const orderId = await seedOrder(1_000_000);
  const realtimeId = await seedOrder(50_000, '10000120');
  const { orders } = await ok('orders.list', {});
  expect(orders).toHaveLength(2);
  expect(orders).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ orderId, status: 'paid', spuId: '10000117', calls: 1_000_000, used: 0, remaining: 1_000_000 }),
      expect.objectContaining({ orderId: realtimeId, status: 'paid', spuId: '10000120', calls: 50_000, used: 0, remaining: 50_000 }),
    ]),
  );
  // createTime is in ms: today, not the year 55000.
  for (const o of orders) expect(Math.abs(Date.parse(o.createdAt!) - Date.now())).toBeLessThan(60_000);
  expect(await t.docs('provider_orders')).toEqual(
    expect.arrayContaining([expect.objectContaining({ _id: orderId, calls: 1_000_000, used: 0, wechatStatus: 2 })]),
  );
  // One query per bulk product: never without a spuId.
  expect(sent('order/query_list')).toBe(2);
  // The first WeChat call of the file: an ordinary access_token from /cgi-bin/token
  // (the default; PROVIDER_TOKEN_PATH may name the stable-token API).
  expect(t.emulator.stats.actionCounts()['wechat:/cgi-bin/token']).toBeGreaterThanOrEqual(1);
  expect(t.emulator.stats.actionCounts()['wechat:/cgi-bin/stable_token'] ?? 0).toBe(0);

  const { skus } = await ok('skus.list', { orderId });
  expect(skus).toContainEqual({ skuId: expect.any(String), name: expect.any(String), calls: 10_000, validityDays: 365 });
  expect(skus.map((x) => x.calls)).toEqual([1000, 5000, 10_000, 50_000, 100_000, 1_000_000]);
  expect((await ok('skus.list', { orderId: realtimeId })).skus.map((x) => x.calls)).toEqual([1000, 5000, 10_000, 50_000]);
  expect(await provider('skus.list', { orderId: 'no-such-order' })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
  expect(await callRouteUnchecked(t, 'provider', 'skus.list', { orderId: { $ne: null } }, BOSS)).toMatchObject({
    ok: false,
    error: { code: 'INVALID_ARGUMENT', message: expect.stringContaining('orderId') },
  });
});

test('one bulk product WeChat refuses does not fail orders.list: the others are listed, the refused one named (its stored copy shown, marked stale)', async () => {
  const realtimeId = await seedOrder(50_000, '10000120');
  // The first product asked (10000117, never bought here) is refused: nothing stored for it yet.
  await t.http('POST', '/v1/faults', { target: `${SP_STATS}/order/query_list`, errcode: 10120002, times: 1 });
  const partial = await ok('orders.list', {});
  expect(partial.orders.map((o) => o.orderId)).toEqual([realtimeId]);
  expect(partial.unavailable).toEqual([{ spuId: '10000117', message: expect.stringContaining('10120002') }]);
  expect(partial.staleBecause).toBeNull();

  const quickId = await seedOrder(1_000_000);
  expect((await ok('orders.list', {})).unavailable).toEqual([]);
  await t.http('POST', '/v1/faults', { target: `${SP_STATS}/order/query_list`, errcode: 10120002, times: 1 });
  const stale = await ok('orders.list', {});
  expect(stale.orders.map((o) => o.orderId).sort()).toEqual([quickId, realtimeId].sort());
  expect(stale.unavailable).toEqual([{ spuId: '10000117', message: expect.any(String) }]);
  expect(stale.staleBecause).toContain('10000117');
});

test('assign: 10,000 calls to a merchant; the result event, confirmed with WeChat, marks it done; the merchant sees a source-3 pack', async () => {
  const orderId = await seedOrder(1_000_000);
  const skuId = await skuOf(orderId, 10_000);
  const answer = await ok('assign', { orderId, skuId, receiverAppId: MERCHANT, idempotencyKey: 'shop-42-march' });
  expect(answer).toEqual({
    assignmentId: expect.stringMatching(/^[0-9a-f]{24}$/),
    requestId: expect.stringMatching(/^[A-Za-z0-9_-]{10,64}$/),
    status: expect.stringMatching(/^(pending|done)$/),
  });

  // Settled by the signed push (not by polling: assignments.list is not called until it is done).
  const done = await waitFor(
    () => record(answer.assignmentId),
    (r) => r?.status === 'done',
    'the event to settle it',
  );
  expect(done!.history).toEqual([expect.objectContaining({ from: 'pending', to: 'done', via: 'event 5' })]);
  const providerPack = (await merchantUsage()).detailList.find((p) => p.source === 3)!;
  expect(done!.receivePkgId).toBe(providerPack.pkgId);
  expect(await wechatAssignments()).toEqual([
    { requestId: answer.requestId, receiverAppId: MERCHANT, skuId, calls: 10_000, status: 'done' },
  ]);

  const { assignments } = await ok('assignments.list', { receiverAppId: MERCHANT });
  expect(assignments).toEqual([
    expect.objectContaining({
      assignmentId: answer.assignmentId,
      orderId,
      skuId,
      receiverAppId: MERCHANT,
      calls: 10_000,
      requestId: answer.requestId,
      receivePkgId: providerPack.pkgId,
      status: 'done',
      error: null,
    }),
  ]);
  expect((await ok('assignments.list', { receiverAppId: OTHER_MERCHANT })).assignments).toEqual([]);

  const usage = await merchantUsage();
  expect(usage.detailList).toContainEqual(expect.objectContaining({ source: 3, all: 10_000, used: 0 }));
  const { orders } = await ok('orders.list', {});
  expect(orders.find((o) => o.orderId === orderId)).toMatchObject({ used: 10_000, remaining: 990_000 });

  // The route reads the merchant's usage with the merchant's own token.
  const viaRoute = await ok('merchants.usage', { appid: MERCHANT });
  expect(viaRoute).toMatchObject({ appid: MERCHANT, all: 10_001, remaining: 10_001 });
  expect(viaRoute.packs).toContainEqual(expect.objectContaining({ source: 'provider', calls: 10_000, used: 0 }));
  // The trial as WeChat sends it (pkgId "", endTime 4294967295): no end, not an expiry in 2106.
  expect(viaRoute.packs).toContainEqual(expect.objectContaining({ source: 'trial', calls: 1, expiresAt: null }));
});

test('the same key twice assigns once; the same key with other parameters is a CONFLICT', async () => {
  const orderId = await seedOrder(1_000_000);
  const skuId = await skuOf(orderId, 10_000);
  const params = { orderId, skuId, receiverAppId: MERCHANT, idempotencyKey: 'twice' };
  const first = await ok('assign', params);
  const second = await ok('assign', params);
  expect(second.assignmentId).toBe(first.assignmentId);
  expect(second.requestId).toBe(first.requestId);
  await waitFor(
    () => record(first.assignmentId),
    (r) => r?.status === 'done',
    'done',
  );
  expect(await ok('assign', params)).toEqual({ ...first, status: 'done' });

  const other = await provider('assign', { ...params, skuId: await skuOf(orderId, 5000) });
  expect(other).toMatchObject({ ok: false, error: { code: 'CONFLICT', message: expect.stringContaining('skuId') } });
  expect(await wechatAssignments()).toHaveLength(1);
  expect(await records()).toHaveLength(1);
  expect((await spOrders())[0]!.assigned).toBe(10_000);
});

test('five concurrent requests with one key assign once', async () => {
  const orderId = await seedOrder(1_000_000);
  const skuId = await skuOf(orderId, 10_000);
  const params = { orderId, skuId, receiverAppId: MERCHANT, idempotencyKey: 'burst' };
  const answers = await Promise.all(Array.from({ length: 5 }, () => ok('assign', params)));
  expect(new Set(answers.map((a) => a.assignmentId)).size).toBe(1);
  expect(new Set(answers.map((a) => a.requestId)).size).toBe(1);
  await waitFor(
    () => record(answers[0]!.assignmentId),
    (r) => r?.status === 'done',
    'done',
  );
  expect(await wechatAssignments()).toEqual([expect.objectContaining({ requestId: answers[0]!.requestId, calls: 10_000, status: 'done' })]);
  expect((await spOrders())[0]!.assigned).toBe(10_000);
  expect((await merchantUsage()).detailList.filter((p) => p.source === 3)).toHaveLength(1);
  expect(t.emulator.stats.actionCounts()['wechat:/wxa/charge/service-provider/package/assign']).toBe(1);
});

test('WeChat busy twice: UPSTREAM_UNAVAILABLE, nothing assigned; the same key again sends it, with the same requestId', async () => {
  const orderId = await seedOrder(1_000_000);
  const skuId = await skuOf(orderId, 10_000);
  const params = { orderId, skuId, receiverAppId: MERCHANT, idempotencyKey: 'busy' };
  await t.http('POST', '/v1/faults', { target: 'wechat:/wxa/charge/service-provider/package/assign', errcode: -1, times: 2 });
  const busy = await provider('assign', params);
  expect(busy).toMatchObject({
    ok: false,
    error: { code: 'UPSTREAM_UNAVAILABLE', message: expect.stringContaining('same idempotencyKey') },
  });
  expect(await records()).toEqual([expect.objectContaining({ status: 'pending', submitted: false })]);
  expect(await wechatAssignments()).toEqual([]);

  const retried = await ok('assign', params);
  expect(retried.requestId).toBe((await records())[0]!.requestId);
  await waitFor(
    () => record(retried.assignmentId),
    (r) => r?.status === 'done',
    'done',
  );
  expect(await wechatAssignments()).toEqual([expect.objectContaining({ requestId: retried.requestId, status: 'done' })]);
});

describe('with a 1 s WeChat timeout', () => {
  let main: TestEmulator;
  beforeAll(async () => {
    main = t;
    t = await startProviderEmulator({ PROVIDER_CALL_TIMEOUT_MS: '1000' });
  });
  afterAll(async () => {
    await t.stop();
    t = main;
  });

  test('an assign WeChat answers too late is retried with the same requestId and assigns once', async () => {
    const orderId = await seedOrder(1_000_000);
    const skuId = await skuOf(orderId, 10_000);
    // WeChat holds the first attempt past the client's timeout (1 s here): it times out, the retry lands.
    const late = t.emulator.faults.hold('wechat:/wxa/charge/service-provider/package/assign');
    const answer = await ok('assign', { orderId, skuId, receiverAppId: MERCHANT, idempotencyKey: 'late' });
    await waitFor(
      () => record(answer.assignmentId),
      (r) => r?.status === 'done',
      'done',
    );
    // The late first attempt is answered too (a duplicate of the same requestId), and changes nothing.
    late.release();
    await waitFor(
      async () => t.emulator.wechatCallsUnderway,
      (n) => n === 0,
      'the late first attempt to be answered',
    );
    expect(t.emulator.stats.actionCounts()['wechat:/wxa/charge/service-provider/package/assign']).toBe(2);
    expect(await wechatAssignments()).toEqual([expect.objectContaining({ requestId: answer.requestId, calls: 10_000, status: 'done' })]);
    expect((await spOrders())[0]!.assigned).toBe(10_000);
  });

  test('a cancel_assign WeChat answers too late is sent again with the same requestId (by design: WeChat de-duplicates it) and cancels once', async () => {
    const pack = await assignedPack();
    const late = t.emulator.faults.hold('wechat:/wxa/charge/service-provider/package/cancel_assign');
    expect(await ok('cancel', { assignmentId: pack.assignmentId })).toMatchObject({
      status: expect.stringMatching(/^(cancelling|cancelled)$/),
    });
    expect(sent('package/cancel_assign')).toBe(2);
    late.release();
    await waitFor(
      async () => t.emulator.wechatCallsUnderway,
      (n) => n === 0,
      'the late first attempt to be answered',
    );
    await waitFor(
      () => record(pack.assignmentId),
      (r) => r?.status === 'cancelled',
      'the cancel to land',
    );
    expect(await wechatAssignments()).toEqual([expect.objectContaining({ requestId: pack.requestId, status: 'cancelled' })]);
    expect((await merchantUsage()).detailList.filter((p) => p.source === 3)).toEqual([]);
  });
});

test("a forged or unsigned push changes nothing: direct calls find no way in, pushes without the Token's signature are refused", async () => {
  const orderId = await seedOrder(1_000_000);
  const skuId = await skuOf(orderId, 10_000);
  // WeChat takes its time with this one (held back until settled below).
  await t.http('POST', '/v1/faults', { target: 'provider:assign', delayMs: 60_000 });
  const answer = await ok('assign', { orderId, skuId, receiverAppId: MERCHANT, idempotencyKey: 'slow' });
  const forged = {
    event_type: 5,
    result: 0,
    order_id: orderId,
    assign_appid: PROVIDER_APPID,
    receive_appid: MERCHANT,
    sp_spu_id: '10000117',
    sp_sku_id: 'x',
    spu_id: '10000077',
    sku_id: skuId,
    request_id: answer.requestId,
    receive_pkg_id: '1',
  };

  // The old way in, a direct call shaped as the event (no $url): it finds no route, whoever calls.
  expect(await t.call('provider', forged, 'o_someone')).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  expect(await t.call('provider', forged, BOSS)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  expect(await t.call('provider', forged, null)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });

  // Over HTTP access: unsigned, signed with another Token, a stale timestamp, a valid signature on another body.
  const post = (query: Record<string, string>, body: string) =>
    fetch(`${t.url}/http/provider-events?${new URLSearchParams(query)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
  const config = { encodingAesKey: null, format: 'json' as const, appid: PROVIDER_APPID };
  expect((await post({}, JSON.stringify(forged))).status).toBe(403);
  const wrongToken = signedPush(forged, { ...config, token: 'guessed' }, Date.now());
  expect((await post(wrongToken.query, wrongToken.body)).status).toBe(403);
  const stale = signedPush(forged, { ...config, token: QUICKPHONE_SP_PUSH_TOKEN }, Date.now() - 3_600_000);
  expect((await post(stale.query, stale.body)).status).toBe(403);
  const signed = signedPush(forged, { ...config, token: QUICKPHONE_SP_PUSH_TOKEN }, Date.now());
  expect((await post({ ...signed.query, nonce: '1' }, signed.body)).status).toBe(403);
  // Direct invocation with the HTTP shape but an OPENID goes to the router.
  expect(await t.call('provider', { httpMethod: 'POST', queryStringParameters: signed.query, body: signed.body }, BOSS)).toMatchObject({
    ok: false,
    error: { code: 'NOT_FOUND' },
  });
  expect((await record(answer.assignmentId))!).toMatchObject({ status: 'pending', history: [] });

  // The real push comes later and settles it; a duplicate of it changes nothing.
  t.emulator.providerResults.settleNow();
  await waitFor(
    () => record(answer.assignmentId),
    (r) => r?.status === 'done',
    'the real push',
  );
  const replay = signedPush({ ...forged, result: 10121012 }, { ...config, token: QUICKPHONE_SP_PUSH_TOKEN }, Date.now());
  expect((await post(replay.query, replay.body)).status).toBe(200);
  expect((await record(answer.assignmentId))!).toMatchObject({ status: 'done' });
  expect((await record(answer.assignmentId))!.history).toHaveLength(1);
  // The URL check: signed GET answered with echostr.
  expect(await (await t.http<{ verified: boolean }>('POST', '/v1/wechat/sp-push/verify')).body).toMatchObject({ verified: true });
});

test('a lost push: assignments.list asks WeChat again with the same requestId (10121009 → done); a lost cancel push likewise (10121010 → cancelled)', async () => {
  const orderId = await seedOrder(1_000_000);
  const skuId = await skuOf(orderId, 10_000);
  await t.http('POST', '/v1/faults', { target: 'provider:push', errcode: 1, times: 2 });
  const answer = await ok('assign', { orderId, skuId, receiverAppId: MERCHANT, idempotencyKey: 'lost-event' });
  await waitFor(wechatAssignments, (list) => list[0]?.status === 'done', 'WeChat to settle it');
  expect((await record(answer.assignmentId))!.status).toBe('pending');

  const { assignments } = await ok('assignments.list', {});
  expect(assignments).toEqual([expect.objectContaining({ assignmentId: answer.assignmentId, status: 'done' })]);
  expect((await record(answer.assignmentId))!.history).toEqual([
    expect.objectContaining({ to: 'done', via: 'poll: WeChat answered 10121009' }),
  ]);
  expect(sent('package/assign')).toBe(2);
  expect(sent('order/get')).toBe(1); // assign's own read; confirmation needs none

  expect(await ok('cancel', { assignmentId: answer.assignmentId })).toMatchObject({ status: 'cancelling' });
  await waitFor(wechatAssignments, (list) => list[0]?.status === 'cancelled', 'WeChat to cancel it');
  expect((await ok('assignments.list', {})).assignments[0]).toMatchObject({ status: 'cancelled' });
  expect((await record(answer.assignmentId))!.history.at(-1)).toMatchObject({
    from: 'cancelling',
    to: 'cancelled',
    via: 'poll: WeChat answered 10121010',
  });
});

test('a first send WeChat refuses (48001, or a code nobody documents) is failed with its reason: nothing assigned, the same key answers the same', async () => {
  const orderId = await seedOrder(1_000_000);
  const skuId = await skuOf(orderId, 10_000);
  for (const [errcode, key] of [
    [48001, 'api-unauthorized'],
    [12345, 'odd-code'],
  ] as const) {
    await t.http('POST', '/v1/faults', { target: `${SP_STATS}/package/assign`, errcode });
    const params = { orderId, skuId, receiverAppId: MERCHANT, idempotencyKey: key };
    const refused = await provider('assign', params);
    expect(refused).toMatchObject({
      ok: false,
      error: { code: 'UPSTREAM_UNAVAILABLE', message: expect.stringContaining(String(errcode)) },
    });
    const listed = (await ok('assignments.list', {})).assignments[0];
    expect(listed).toMatchObject({ status: 'failed', wechatErrcode: errcode });
    // Answered again from the record, never sent again.
    expect(await provider('assign', params)).toMatchObject({ ok: false, error: { message: expect.stringContaining(String(errcode)) } });
    expect(await provider('cancel', { assignmentId: listed!.assignmentId })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
  }
  expect((await records()).map((r) => r.status)).toEqual(['failed', 'failed']);
  expect(sent('package/assign')).toBe(2);
  expect(await wechatAssignments()).toEqual([]);
  expect((await merchantUsage()).detailList.filter((p) => p.source === 3)).toEqual([]);
});

test("an unknown assignment (a refused resend) is re-checked against the merchant's packages, or cancelled", async () => {
  const orderId = await seedOrder(1_000_000);
  const skuId = await skuOf(orderId, 10_000);
  /** An assignment WeChat made whose push was lost, and whose resend WeChat answered 10121031: unknown. */
  async function unknownAssignment(key: string) {
    await t.http('POST', '/v1/faults', { target: 'provider:push', errcode: 1 });
    const lost = await ok('assign', { orderId, skuId, receiverAppId: MERCHANT, idempotencyKey: key });
    await waitFor(
      wechatAssignments,
      (list) => list.some((a) => a.requestId === lost.requestId && a.status === 'done'),
      'WeChat to settle it',
    );
    await t.http('POST', '/v1/faults', { target: `${SP_STATS}/package/assign`, errcode: 10121031 });
    await ok('assignments.list', {});
    expect(await record(lost.assignmentId)).toMatchObject({ status: 'unknown', error: { errcode: 10121031 } });
    return lost;
  }
  const found = await unknownAssignment('resend-31');
  const assignSends = sent('package/assign');
  const rechecked = await ok('assignments.recheck', { assignmentId: found.assignmentId });
  const pack = (await merchantUsage()).detailList.find((p) => p.source === 3)!;
  expect(rechecked).toMatchObject({ status: 'done', receivePkgId: pack.pkgId, error: null });
  expect((await record(found.assignmentId))!.history.at(-1)).toMatchObject({
    from: 'unknown',
    to: 'done',
    via: expect.stringContaining('usage'),
  });
  expect(sent('package/assign')).toBe(assignSends); // looked up, not resent

  // Cancelling an unknown one asks WeChat: it accepts, so it existed; the push settles it cancelled.
  const cancelMe = await unknownAssignment('resend-31-b');
  expect(await ok('cancel', { assignmentId: cancelMe.assignmentId })).toMatchObject({
    status: expect.stringMatching(/^(cancelling|cancelled)$/),
  });
  await waitFor(
    () => record(cancelMe.assignmentId),
    (r) => r?.status === 'cancelled',
    'the cancel to be confirmed',
  );
  expect(await provider('assignments.recheck', { assignmentId: 'ffffffffffffffffffffffff' })).toMatchObject({
    ok: false,
    error: { code: 'NOT_FOUND' },
  });
});

test('an assignment with no final word after PROVIDER_POLL_MAX_ATTEMPTS checks is unknown and no longer resent; a failed result names its code', async () => {
  const orderId = await seedOrder(1_000_000);
  const skuId = await skuOf(orderId, 10_000);
  // WeChat never gives a final word (its result is held back): after PROVIDER_POLL_MAX_ATTEMPTS checks, unknown.
  await t.http('POST', '/v1/faults', { target: 'provider:assign', delayMs: 60_000 });
  const stuck = await ok('assign', { orderId, skuId, receiverAppId: MERCHANT, idempotencyKey: 'stuck' });
  for (let i = 0; i < 4; i++) await ok('assignments.list', {});
  expect(await record(stuck.assignmentId)).toMatchObject({ status: 'unknown', error: { message: expect.stringContaining('3 checks') } });
  const resends = sent('package/assign');
  await ok('assignments.list', {});
  expect(sent('package/assign')).toBe(resends);

  // A failed result with a code we do not know: failed, naming it.
  await t.http('POST', '/v1/faults', { target: 'provider:assign', errcode: 99999 });
  const failing = await ok('assign', { orderId, skuId, receiverAppId: MERCHANT, idempotencyKey: 'result-99999' });
  const failed = await waitFor(
    () => record(failing.assignmentId),
    (r) => r?.status === 'failed',
    'the failed result',
  );
  expect(failed!.error).toMatchObject({ errcode: 99999, message: expect.stringContaining('99999') });
  expect(await provider('assign', { orderId, skuId, receiverAppId: MERCHANT, idempotencyKey: 'result-99999' })).toMatchObject({
    ok: false,
    error: { message: expect.stringContaining('99999') },
  });
});

test('cancel: cancelling until WeChat confirms cancelled, and the pack leaves the merchant', async () => {
  const pack = await assignedPack();
  const cancelled = await ok('cancel', { assignmentId: pack.assignmentId });
  expect(cancelled).toMatchObject({ assignmentId: pack.assignmentId, status: expect.stringMatching(/^(cancelling|cancelled)$/) });
  const doc = await waitFor(
    () => record(pack.assignmentId),
    (r) => r?.status === 'cancelled',
    'the cancel to be confirmed',
  );
  expect(doc!.history.map((h) => `${h.to} (${h.via})`)).toEqual(['done (event 5)', 'cancelling (cancel requested)', 'cancelled (event 6)']);
  expect(await wechatAssignments()).toEqual([expect.objectContaining({ status: 'cancelled' })]);
  expect((await merchantUsage()).detailList.filter((p) => p.source === 3)).toEqual([]);
  // Again: nothing more to do.
  expect(await ok('cancel', { assignmentId: pack.assignmentId })).toMatchObject({ status: 'cancelled' });
});

test('cancel only when WeChat allows it: not once the pack is used, not after 7 days, not for an unknown id', async () => {
  const pack = await assignedPack();
  // The merchant's one trial call, then one from the assigned pack.
  for (const phone of ['13900000001', '13900000002']) await t.mintCode({ phoneNumber: phone, appid: MERCHANT, openid: `o_${phone}` });
  const used = await provider('cancel', { assignmentId: pack.assignmentId });
  expect(used).toMatchObject({ ok: false, error: { code: 'CONFLICT', message: expect.stringContaining('used') } });
  expect((await record(pack.assignmentId))!.status).toBe('done');

  const fresh = await assignedPack(1_000_000, 'key-old');
  offset = 8 * DAY;
  expect(await provider('cancel', { assignmentId: fresh.assignmentId })).toMatchObject({
    ok: false,
    error: { code: 'CONFLICT', message: expect.stringContaining('7 days') },
  });
  expect((await wechatAssignments()).map((a) => a.status)).toEqual(['done', 'done']);

  expect(await provider('cancel', { assignmentId: 'ffffffffffffffffffffffff' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  expect(await provider('cancel', { assignmentId: 'not-an-id' })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
  // The token fetched 8 days ahead made the emulator forget the tokens the other containers
  // cached (a day past their expiry): back in the present, refresh them all.
  offset = 0;
  await refreshTokens();
});

test('bad appids and an exhausted order give clear errors and assign nothing', async () => {
  const orderId = await seedOrder(10_000);
  const skuId = await skuOf(orderId, 10_000);
  const base = { orderId, skuId, receiverAppId: MERCHANT };

  for (const receiverAppId of ['wxA1B2C3D4E5F60718', 'wx123', 'gh_1234567890abcdef', 42]) {
    const res = await callRouteUnchecked(
      t,
      'provider',
      'assign',
      { ...base, receiverAppId, idempotencyKey: `bad-${String(receiverAppId)}` },
      BOSS,
    );
    expect(res).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT', message: expect.stringContaining('receiverAppId') } });
  }
  expect(await records()).toEqual([]);

  const unrelated = await provider('assign', { ...base, receiverAppId: UNRELATED, idempotencyKey: 'unrelated' });
  expect(unrelated).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT', message: expect.stringContaining('relationship') } });

  await ok('assign', { ...base, idempotencyKey: 'all-of-it' });
  const exhausted = await provider('assign', { ...base, idempotencyKey: 'one-too-many' });
  expect(exhausted).toEqual({ ok: false, error: { code: 'CONFLICT', message: expect.stringContaining('nothing was assigned') } });
  // Sent again, the same key gives the same answer and still assigns nothing.
  expect(await provider('assign', { ...base, idempotencyKey: 'one-too-many' })).toEqual(exhausted);

  const [order] = await spOrders();
  expect(order).toMatchObject({ calls: 10_000, assigned: 10_000 });
  expect(order!.assignments).toEqual([expect.objectContaining({ receiverAppId: MERCHANT, calls: 10_000 })]);
  const list = (await ok('assignments.list', {})).assignments;
  expect(list.filter((a) => a.status === 'failed').map((a) => [a.receiverAppId, a.error?.code])).toEqual(
    expect.arrayContaining([
      [UNRELATED, 'INVALID_ARGUMENT'],
      [MERCHANT, 'CONFLICT'],
    ]),
  );
});

test('merchants.usage without a token source for that merchant says what to configure', async () => {
  const res = await provider('merchants.usage', { appid: OTHER_MERCHANT });
  expect(res).toMatchObject({
    ok: false,
    error: { code: 'UPSTREAM_UNAVAILABLE', message: expect.stringContaining('PROVIDER_MERCHANT_SECRETS') },
  });
  expect(await provider('merchants.usage', { appid: 'wxnothex0000000000' })).toMatchObject({
    ok: false,
    error: { code: 'INVALID_ARGUMENT' },
  });
});

test("the provider's token is cached: at most one fetch per container, however many calls", async () => {
  const orderId = await seedOrder(1_000_000);
  for (let i = 0; i < 5; i++) {
    await ok('orders.list', {});
    await ok('skus.list', { orderId });
  }
  const counts = t.emulator.stats.actionCounts();
  expect(counts['wechat:/wxa/charge/service-provider/order/query_list']).toBe(10); // two bulk products
  expect(counts['wechat:/cgi-bin/token'] ?? 0).toBeLessThanOrEqual(4); // the emulator runs up to 4 containers per function
  expect(counts['wechat:/cgi-bin/stable_token'] ?? 0).toBe(0);
});

test('concurrent cancels of one assignment all get the documented answer (the assignment, cancelling or cancelled), and send one cancel_assign', async () => {
  const pack = await assignedPack();
  // Four warm containers with tokens WeChat knows, so the cancels really run at once and each sends once.
  await refreshTokens();
  // WeChat holds the first cancel_assign until every other cancel has answered: they all arrive while it is under way.
  const held = t.emulator.faults.hold('wechat:/wxa/charge/service-provider/package/cancel_assign');
  let answered = 0;
  let othersAnswered!: () => void;
  const others = new Promise<void>((resolve) => (othersAnswered = resolve));
  const cancels = Array.from({ length: 5 }, async () => {
    const answer = await provider('cancel', { assignmentId: pack.assignmentId });
    if (++answered === 4) othersAnswered();
    return answer;
  });
  await held.reached;
  await others;
  held.release();
  const answers = await Promise.all(cancels);
  for (const answer of answers)
    expect(answer).toMatchObject({
      ok: true,
      data: { assignmentId: pack.assignmentId, status: expect.stringMatching(/^(cancelling|cancelled)$/) },
    });
  expect(sent('package/cancel_assign')).toBe(1);
  await waitFor(
    () => record(pack.assignmentId),
    (r) => r?.status === 'cancelled',
    'the cancel to land',
  );
  expect((await merchantUsage()).detailList.filter((p) => p.source === 3)).toEqual([]);
});

test('WeChat repeating the assign push (it re-sends a push it got no timely answer to) while a cancel is under way changes nothing: cancelling stays cancelling, one cancel_assign', async () => {
  const pack = await assignedPack();
  // The cancel's own result push is lost, so the assignment stays cancelling.
  await t.http('POST', '/v1/faults', { target: 'provider:push', errcode: 1 });
  expect(await ok('cancel', { assignmentId: pack.assignmentId })).toMatchObject({ status: 'cancelling' });
  const repeat = {
    event_type: 5,
    result: 0,
    order_id: pack.orderId,
    assign_appid: PROVIDER_APPID,
    receive_appid: MERCHANT,
    sp_spu_id: '10000117',
    sp_sku_id: 'x',
    spu_id: '10000077',
    sku_id: pack.skuId,
    request_id: pack.requestId,
    receive_pkg_id: (await record(pack.assignmentId))!.receivePkgId ?? '',
  };
  const push = signedPush(
    repeat,
    { encodingAesKey: null, format: 'json', appid: PROVIDER_APPID, token: QUICKPHONE_SP_PUSH_TOKEN },
    Date.now(),
  );
  const res = await fetch(`${t.url}/http/provider-events?${new URLSearchParams(push.query)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: push.body,
  });
  expect(res.status).toBe(200);
  expect((await record(pack.assignmentId))!.status).toBe('cancelling');
  // So a second cancel answers the cancel under way instead of sending another.
  expect(await ok('cancel', { assignmentId: pack.assignmentId })).toMatchObject({ status: 'cancelling' });
  expect(sent('package/cancel_assign')).toBe(1);
});

test("beginTime before or past the order's life or beyond the largest date is INVALID_ARGUMENT naming it; nothing is stored or sent", async () => {
  const orderId = await seedOrder(1_000_000);
  const skuId = await skuOf(orderId, 10_000);
  const base = { orderId, skuId, receiverAppId: MERCHANT };
  // 0 and a day before the order was bought: a pack that would have expired long ago, its calls taken from the order.
  for (const beginTime of [0, Date.now() - DAY, 8_640_000_000_000_001, Date.now() + 366 * DAY, 1e300]) {
    const res = await provider('assign', { ...base, beginTime, idempotencyKey: `begin-${beginTime}` });
    expect(res).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT', message: expect.stringContaining('beginTime') } });
  }
  expect(await records()).toEqual([]);
  expect(sent('package/assign')).toBe(0);
  // Within the order's life it goes through.
  expect(await ok('assign', { ...base, beginTime: Date.now() + 30 * DAY, idempotencyKey: 'begin-ok' })).toMatchObject({
    status: expect.any(String),
  });
});

describe("without the provider's credentials", () => {
  let bare: TestEmulator;
  beforeAll(async () => {
    bare = await startEmulator({ env: { ADMIN_OPENIDS: BOSS } });
  });
  afterAll(() => bare.stop());

  test('routes that need WeChat answer UPSTREAM_UNAVAILABLE naming what to set', async () => {
    const res = await callRoute(bare, 'provider', 'orders.list', {}, BOSS);
    expect(res).toMatchObject({
      ok: false,
      error: { code: 'UPSTREAM_UNAVAILABLE', message: expect.stringContaining('PROVIDER_APPID and PROVIDER_APPSECRET not set') },
    });
  });
});
