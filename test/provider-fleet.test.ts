/**
 * The provider's fleet and automatic top-up, end to end against the emulator: fleet.list
 * shows every merchant (assigned to, or added by appid) with WeChat's figures per
 * component, one usage call per merchant and component, cached; a top-up rule assigns
 * once when the merchant falls below its threshold, not again that day, at most
 * maxPerMonth a month, through the same idempotent assign path; a failed assign or an
 * exhausted order stops the rule with its reason. The clock is the emulator's, moved.
 */
import { startEmulator, type TestEmulator } from './support/emulator';
import { QUICKPHONE_SP_PUSH_TOKEN } from '../scripts/lib/emulator-plugin';
import { authorizerRefreshTokenFor, DEFAULT_COMPONENT_VERIFY_TICKET } from '../packages/cloudbase-emulator/src/wechat/provider-component';
import { callRouteUnchecked, fireHourlyTimer, routesOf } from './support/envelope';
import { waitFor } from './support/wait';
import type { FleetPage } from '../miniprogram/contract/provider';

const BOSS = 'o_fleet_boss';
const MERCHANT = 'wxa1b2c3d4e5f60718';
const QUIET = 'wxa1b2c3d4e5f60719'; // has a token source, never charges
const NO_TOKEN = 'wx00000000000000bb';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const USAGE = 'wechat:/wxa/charge/usage/get';
/** Noon in China on a mid-month day, so an hour or a day later is the same month and no midnight is crossed by accident. */
const NOON = Date.parse('2027-01-12T04:00:00Z');

let offset = 0;
let t: TestEmulator;
beforeAll(async () => {
  t = await startEmulator({
    trialCalls: 10,
    clock: () => Date.now() + offset,
    env: {
      ADMIN_OPENIDS: BOSS,
      PROVIDER_APPID: 'wx5eed1e0c0ffee001',
      PROVIDER_APPSECRET: 'provider-secret',
      PROVIDER_MERCHANT_SECRETS: JSON.stringify({ [MERCHANT]: 'merchant-secret', [QUIET]: 'quiet-secret' }),
      PROVIDER_PUSH_TOKEN: QUICKPHONE_SP_PUSH_TOKEN,
      PROVIDER_POLL_AFTER_SECONDS: '0',
      // A third-party platform, for merchants read through authorizer tokens.
      PROVIDER_COMPONENT_APPID: 'wx0c0c0c0c0c0c0c0c',
      PROVIDER_COMPONENT_APPSECRET: 'component-secret',
    },
  });
});
afterAll(() => t.stop());
beforeEach(async () => {
  offset = NOON - Date.now();
  await t.reset();
});

const ok = routesOf(() => t, 'provider', BOSS).data;
const usageCalls = () => t.emulator.stats.actionCounts()[USAGE] ?? 0;
const spAssignments = async () =>
  (
    await t.http<{ orders: Array<{ assignments: Array<{ receiverAppId: string; calls: number; status: string }> }> }>(
      'GET',
      '/v1/wechat/sp-orders',
    )
  ).body.orders.flatMap((o) => o.assignments);
const cron = () => fireHourlyTimer(t);
let phone = 13_900_000_000;
async function charge(appid: string, times: number) {
  for (let i = 0; i < times; i++) {
    phone++;
    await t.mintCode({ phoneNumber: String(phone), appid, openid: `o_${phone}` });
  }
}
async function orderWithSku(calls: number, skuCalls: number) {
  const { orderId } = (await t.http<{ orderId: string }>('POST', '/v1/wechat/sp-orders', { calls })).body;
  const { skus } = await ok('skus.list', { orderId });
  return { orderId, skuId: skus.find((s) => s.calls === skuCalls)!.skuId };
}
const row = (page: FleetPage, appid: string) => page.merchants.find((m) => m.appid === appid)!;

test('fleet.list: every merchant, assigned to or added, with WeChat figures per component; one usage call each, cached; errors named', async () => {
  const { orderId, skuId } = await orderWithSku(1_000_000, 1000);
  await ok('assign', { orderId, skuId, receiverAppId: MERCHANT, idempotencyKey: 'fleet-first' });
  await waitFor(spAssignments, (list) => list[0]?.status === 'done', 'the assignment to settle');
  expect(await ok('fleet.add', { appid: NO_TOKEN })).toMatchObject({
    appid: NO_TOKEN,
    source: 'added',
    kinds: { quick: { remaining: null, error: expect.stringContaining('No token source') } },
  });
  await charge(MERCHANT, 3);

  const before = usageCalls();
  const page = await ok('fleet.list', {});
  expect(page.total).toBe(2);
  expect(row(page, MERCHANT)).toMatchObject({
    source: 'assigned',
    kinds: {
      quick: { all: 1010, used: 3, remaining: 1007, error: null, checkedAt: expect.any(String) },
      realtime: { all: 10, used: 0, remaining: 10, error: null },
    },
  });
  // One usage call per merchant with a token and component; the merchant without a token costs none.
  expect(usageCalls() - before).toBe(2);
  // Within PROVIDER_FLEET_MAX_AGE_MINUTES the readings are served from the store; refresh: true reads again.
  await ok('fleet.list', {});
  expect(usageCalls() - before).toBe(2);
  await ok('fleet.list', { refresh: true });
  expect(usageCalls() - before).toBe(4);

  // Days left at the recent rate: 20 calls a day with 987 left → 49 days; the merchant without figures last.
  offset += DAY;
  await charge(MERCHANT, 20);
  const later = await ok('fleet.list', {});
  expect(later.merchants.map((m) => m.appid)).toEqual([MERCHANT, NO_TOKEN]);
  expect(row(later, MERCHANT).kinds.quick).toMatchObject({ remaining: 987, daysLeft: 49 });
  expect(row(later, MERCHANT).daysLeft).toBe(49);

  // Paged.
  const first = await ok('fleet.list', { limit: 1 });
  expect(first).toMatchObject({ total: 2, nextCursor: '1', merchants: [{ appid: MERCHANT }] });
  expect(await ok('fleet.list', { limit: 1, cursor: '1' })).toMatchObject({
    nextCursor: null,
    merchants: [{ appid: NO_TOKEN }],
  });
  expect(await t.call('provider', { $url: 'fleet.add', appid: 'not-an-appid' }, BOSS)).toMatchObject({
    ok: false,
    error: { code: 'INVALID_ARGUMENT' },
  });
  expect(await t.call('provider', { $url: 'fleet.list' }, 'o_someone')).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
});

test('a top-up rule assigns once when the merchant falls below its threshold, not again that day, at most maxPerMonth a month', async () => {
  const { orderId, skuId } = await orderWithSku(1_000_000, 1000);
  const rule = await ok('topups.set', { appid: MERCHANT, kind: 'quick', orderId, skuId, belowCalls: 5, maxPerMonth: 2 });
  expect(rule).toMatchObject({ state: 'active', skuCalls: 1000, thisMonth: 0, history: [] });

  // 10 trial calls left: above the threshold, nothing happens.
  expect(await cron()).toMatchObject({ ok: true, data: { providerFleet: { status: 'ok', topups: { assigned: [] } } } });
  await charge(MERCHANT, 6);
  // The reading is an hour old by the next run: read again, 4 left, below 5: one top-up.
  offset += HOUR;
  expect(await cron()).toMatchObject({ ok: true, data: { providerFleet: { topups: { assigned: [expect.anything()] } } } });
  await waitFor(spAssignments, (list) => list.length === 1 && list[0]!.status === 'done', 'the top-up to settle');
  expect(await spAssignments()).toEqual([expect.objectContaining({ receiverAppId: MERCHANT, calls: 1000 })]);

  // Raised threshold, same day: still below it, but once a day is the limit (re-setting keeps the counters).
  await ok('topups.set', { appid: MERCHANT, kind: 'quick', orderId, skuId, belowCalls: 5000, maxPerMonth: 2 });
  offset += HOUR;
  await cron();
  expect(await spAssignments()).toHaveLength(1);

  // The next day: a second top-up; the day after: the month's two are used.
  offset += DAY;
  await cron();
  await waitFor(spAssignments, (list) => list.length === 2 && list.every((a) => a.status === 'done'), 'the second top-up');
  offset += DAY;
  await cron();
  expect(await spAssignments()).toHaveLength(2);

  const { rules } = await ok('topups.list', {});
  expect(rules).toEqual([
    expect.objectContaining({ appid: MERCHANT, kind: 'quick', state: 'active', thisMonth: 2, pendingAssignmentId: null }),
  ]);
  expect(rules[0]!.history.map((h) => h.outcome)).toEqual(['assigned', 'done', 'assigned', 'done']);
  expect(rules[0]!.history[0]).toMatchObject({ remaining: 4, assignmentId: expect.stringMatching(/^[0-9a-f]{24}$/) });
  // Audited as assignments like any other, made by cron.
  expect((await t.docs<{ createdBy: string }>('provider_assignments')).map((a) => a.createdBy)).toEqual(['cron:topup', 'cron:topup']);

  expect(await ok('topups.remove', { appid: MERCHANT, kind: 'quick' })).toEqual({ removed: true });
  expect(await t.call('provider', { $url: 'topups.remove', appid: MERCHANT, kind: 'quick' }, BOSS)).toMatchObject({
    ok: false,
    error: { code: 'NOT_FOUND' },
  });
});

test('a failed assign or an exhausted order stops the rule with its reason instead of trying every hour', async () => {
  const { orderId, skuId } = await orderWithSku(1_000_000, 1000);
  await ok('topups.set', { appid: MERCHANT, kind: 'quick', orderId, skuId, belowCalls: 50, maxPerMonth: 5 });
  await t.http('POST', '/v1/faults', { target: 'wechat:/wxa/charge/service-provider/package/assign', errcode: 48001 });
  expect(await cron()).toMatchObject({
    ok: true,
    data: { providerFleet: { topups: { stopped: [{ reason: expect.stringContaining('48001') }] } } },
  });
  offset += DAY;
  await cron();
  const [stopped] = (await ok('topups.list', {})).rules;
  expect(stopped).toMatchObject({ state: 'stopped', stoppedBecause: expect.stringContaining('48001') });
  expect(stopped!.history.map((h) => h.outcome)).toEqual(['stopped']);
  expect(await spAssignments()).toEqual([]);

  // An order with fewer calls left than the SKU (as orders.list last synced it) stops the rule before any send.
  await t.http('DELETE', '/v1/faults');
  const small = await orderWithSku(1000, 1000);
  await ok('topups.set', { appid: MERCHANT, kind: 'quick', orderId: small.orderId, skuId: small.skuId, belowCalls: 50, maxPerMonth: 5 });
  await ok('assign', { orderId: small.orderId, skuId: small.skuId, receiverAppId: QUIET, idempotencyKey: 'use-it-up' });
  await waitFor(spAssignments, (list) => list.some((a) => a.receiverAppId === QUIET && a.status === 'done'), 'the order to be used up');
  await ok('orders.list', {});
  offset += DAY;
  const sends = t.emulator.stats.actionCounts()['wechat:/wxa/charge/service-provider/package/assign'];
  expect(await cron()).toMatchObject({
    ok: true,
    data: { providerFleet: { topups: { stopped: [{ reason: expect.stringContaining('0 calls left') }] } } },
  });
  expect((await ok('topups.list', {})).rules[0]).toMatchObject({
    state: 'stopped',
    stoppedBecause: expect.stringContaining('calls left'),
  });
  expect(t.emulator.stats.actionCounts()['wechat:/wxa/charge/service-provider/package/assign']).toBe(sends);
  // WeChat no longer lists the SKU of a used-up order: setting the rule again is refused at once.
  expect(
    await t.call(
      'provider',
      { $url: 'topups.set', appid: MERCHANT, kind: 'quick', orderId: small.orderId, skuId: small.skuId, belowCalls: 50, maxPerMonth: 5 },
      BOSS,
    ),
  ).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
  expect((await spAssignments()).filter((a) => a.receiverAppId === MERCHANT)).toEqual([]);
});

test('topups.set refuses a SKU the order cannot be assigned as, and bad input', async () => {
  const { orderId } = await orderWithSku(1_000_000, 1000);
  const refuse = (params: Record<string, unknown>) => callRouteUnchecked(t, 'provider', 'topups.set', params, BOSS);
  const base = { appid: MERCHANT, kind: 'quick', orderId, skuId: 'no-such-sku', belowCalls: 10, maxPerMonth: 1 };
  expect(await refuse(base)).toMatchObject({
    ok: false,
    error: { code: 'INVALID_ARGUMENT', message: expect.stringContaining('no-such-sku') },
  });
  expect(await refuse({ ...base, maxPerMonth: 0 })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
  expect(await refuse({ ...base, kind: 'slow' })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
  expect(await t.docs('provider_topups')).toEqual([]);
});

test("a merchant read with the third-party platform's authorizer token: component token from the stored ticket, authorizer token from its refresh token", async () => {
  const AUTHORIZED = 'wxa1b2c3d4e5f6071a';
  const STALE = 'wxa1b2c3d4e5f6071b';
  // Before any component_verify_ticket is stored: the error says so; nothing is read as zero.
  const early = await ok('fleet.add', { appid: AUTHORIZED, authorizerRefreshToken: authorizerRefreshTokenFor(AUTHORIZED) });
  expect(early.kinds.quick).toMatchObject({ remaining: null, error: expect.stringContaining('component_verify_ticket') });

  // What the platform's ticket receiver stores (WeChat pushes a ticket every 10 minutes).
  await t.http('PUT', '/v1/db/provider_component/verify_ticket', { ticket: DEFAULT_COMPONENT_VERIFY_TICKET });
  const counts = () => t.emulator.stats.actionCounts();
  const page = await ok('fleet.list', { refresh: true });
  expect(row(page, AUTHORIZED).kinds).toMatchObject({
    quick: { all: 10, used: 0, remaining: 10, error: null },
    realtime: { all: 10, remaining: 10, error: null },
  });
  // One component token and one authorizer token, cached for both components.
  expect(counts()['wechat:/cgi-bin/component/api_component_token']).toBe(1);
  expect(counts()['wechat:/cgi-bin/component/api_authorizer_token']).toBe(1);
  // The refresh token is stored, never answered.
  expect(JSON.stringify(page)).not.toContain('refreshtoken');

  // A refresh token WeChat does not accept (61023 here): named per merchant; the others still read.
  const stale = await ok('fleet.add', { appid: STALE, authorizerRefreshToken: 'refreshtoken@@@revoked' });
  expect(stale.kinds.quick).toMatchObject({ remaining: null, error: expect.stringContaining('61023') });
  expect(stale.kinds.quick.error).not.toContain('revoked');
});
