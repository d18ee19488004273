/**
 * The spending and quota breakers, and the cron function, end to end: the daily cap
 * trips at exactly the cap, the budget at exactly the budget and again in a new month
 * it re-arms; the ledger confirms a no-quota report; cron recounts, alerts, and
 * reconciles with WeChat's usage API (the emulator's), caching its token.
 */
import { startEmulator, type TestEmulator } from './support/emulator';
import type { SettingsPatch } from '../miniprogram/contract';
import { callData, callRoute, fireHourlyTimer, routesOf } from './support/envelope';
import { waitFor } from './support/wait';

const BOSS = 'o_boss_0001';
const APPID = 'wx5eed1e0c0ffee001'; // the emulator's mini program
let t: TestEmulator;
beforeAll(async () => {
  t = await startEmulator({ env: { ADMIN_OPENIDS: BOSS } });
});
afterAll(() => t.stop());
beforeEach(() => t.reset());

const admin = routesOf(() => t, 'admin', BOSS).data;
const auth = routesOf(() => t, 'auth', BOSS).data;
const settings = () => admin('settings.get', {});
const update = async (patch: SettingsPatch) => admin('settings.update', { version: (await settings()).version, patch });
const session = (openid: string) => auth('session', {}, openid);
const timer = () => fireHourlyTimer(t);
/** The system's audit entries, oldest first (ids are random, so sort by time). */
const audits = async () =>
  (await t.docs<{ at: string; by: string; field: string; to: { tripped: boolean; reason: string | null }; note: string }>('settings_audit'))
    .filter((a) => a.by === 'system')
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at));

let users = 0;
async function bindOne(kind: 'quick' | 'realtime' = 'quick') {
  const openid = `o_user_${users++}`;
  const code = await t.mintCode({ phoneNumber: `1390000${String(users).padStart(4, '0')}`, openid, kind });
  // The server showed this user the button of that kind (what auth.session remembers): bindPhone prices by it.
  await t.http('PUT', `/v1/db/users/${openid}`, {
    _openid: openid,
    appid: null,
    phone: null,
    phoneOffer: { kind, at: new Date().toISOString() },
  });
  return callRoute(t, 'auth', 'bindPhone', { code, kind }, openid);
}
const chinaToday = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);

test('the daily cap trips at exactly the cap, hides the button, and is audited', async () => {
  await update({ phoneCapture: { dailyCap: 3 } });
  await bindOne();
  await bindOne();
  expect((await settings()).breaker.tripped).toBe(false);
  expect((await session('o_newcomer')).phoneLogin.show).toBe(true);
  expect(await bindOne()).toMatchObject({ ok: true }); // the third charge still logs its user in
  expect((await settings()).breaker).toMatchObject({ tripped: true, reason: 'daily-cap-reached' });
  expect((await session('o_newcomer')).phoneLogin).toMatchObject({ show: false, hiddenBecause: 'daily-cap-reached' });
  expect(await audits()).toEqual([
    expect.objectContaining({
      field: 'breaker',
      to: expect.objectContaining({ tripped: true, reason: 'daily-cap-reached' }),
      note: expect.stringContaining('3 charges reached the daily cap of 3'),
    }),
  ]);
});

test('raising the cap that tripped re-arms at once; re-enabling under a cap still reached trips again on the next charge', async () => {
  await update({ phoneCapture: { dailyCap: 1 } });
  await bindOne();
  expect((await settings()).breaker.reason).toBe('daily-cap-reached');
  await update({ breaker: { tripped: false } });
  await bindOne();
  expect((await settings()).breaker.reason).toBe('daily-cap-reached');
  const raised = await update({ phoneCapture: { dailyCap: 10 } });
  expect(raised.breaker).toMatchObject({ tripped: false, reason: null });
  expect((await audits()).map((a) => a.to.tripped)).toEqual([true, true, false]);
});

test("the budget trips when this month's true cost reaches it exactly, counting both kinds", async () => {
  // Both trials were used up 40 days ago; packs at 3 and 4 fen a call serve this month.
  const longAgo = new Date(Date.now() + 8 * 3600_000 - 40 * 86_400_000).toISOString().slice(0, 10);
  for (const kind of ['quick', 'realtime'])
    await t.http('PUT', `/v1/db/usage_daily/${longAgo}:${kind}`, { day: longAgo, kind, count: 1000 });
  await admin('quota.addPack', { idempotencyKey: 'test-pack-13', calls: 1000, validityDays: 365, priceYuan: 30 });
  await admin('quota.addPack', { idempotencyKey: 'test-pack-14', kind: 'realtime', calls: 1000, validityDays: 365, priceYuan: 40 });
  await update({ phoneCapture: { monthlyBudgetYuan: 0.1 } });
  await bindOne('quick'); // 0.03
  await bindOne('realtime'); // 0.07
  expect((await settings()).breaker.tripped).toBe(false);
  await bindOne('quick'); // 0.10
  expect((await settings()).breaker).toMatchObject({ tripped: true, reason: 'budget-reached' });
  expect((await audits())[0]!.note).toContain('0.10 reached the budget of 0.1');
});

test("calls out of the free trial never move the budget; a fee-exempt account's never do", async () => {
  await update({ phoneCapture: { monthlyBudgetYuan: 0.01 } });
  for (let i = 0; i < 3; i++) await bindOne('quick');
  expect(await timer()).toMatchObject({ ok: true, data: { breakers: { tripped: null } } });
  expect((await settings()).breaker.tripped).toBe(false);
  // Past the trial with no pack recorded, the list price stands in: the budget trips.
  await t.http('PUT', `/v1/db/usage_daily/${chinaToday()}:quick`, { day: chinaToday(), kind: 'quick', count: 1001 });
  await update({ feeExempt: true });
  // Exempt: nothing is spent, no quota alert, no quota breaker (the ledger shows none left).
  expect(await timer()).toMatchObject({ ok: true, data: { breakers: { tripped: null }, alerts: [] } });
  expect((await session('o_newcomer')).phoneLogin.show).toBe(true);
  await update({ feeExempt: false });
  expect(await timer()).toMatchObject({ ok: true, data: { breakers: { tripped: 'budget-reached' } } });
});

test('marking the account fee-exempt re-arms a tripped budget breaker at once', async () => {
  await t.http('PUT', `/v1/db/usage_daily/${chinaToday()}:quick`, { day: chinaToday(), kind: 'quick', count: 1001 });
  await update({ phoneCapture: { monthlyBudgetYuan: 0.01 } });
  expect(await timer()).toMatchObject({ ok: true, data: { breakers: { tripped: 'budget-reached' } } });
  const exempt = await update({ feeExempt: true });
  expect(exempt.breaker).toMatchObject({ tripped: false });
  expect((await audits()).at(-1)!.note).toContain('fee-exempt');
});

test('a budget breaker from last month lets the button show at once and cron records the re-arm', async () => {
  // Tripped in the previous China month, budget still set.
  await t.http('PUT', '/v1/db/settings/global', {
    version: 3,
    phoneCapture: { enabled: true, kind: 'quick', monthlyBudgetYuan: 1, dailyCap: null },
    breaker: { tripped: true, reason: 'budget-reached', at: { $date: new Date(Date.now() - 40 * 86_400_000).toISOString() } },
    hidePrices: false,
    hideShippingAddress: false,
  });
  expect((await session('o_newcomer')).phoneLogin.show).toBe(true);
  const report = await timer();
  expect(report).toMatchObject({
    ok: true,
    data: { breakers: { rearmed: expect.stringContaining('new month'), tripped: null, breaker: { tripped: false, reason: null } } },
  });
  expect(await audits()).toEqual([
    expect.objectContaining({ to: expect.objectContaining({ tripped: false }), note: expect.stringContaining('new month') }),
  ]);
  // Nothing more to do on the next run.
  expect(await timer()).toMatchObject({ ok: true, data: { breakers: { rearmed: null, tripped: null } } });
});

test('cron trips the quota breaker when the ledger shows nothing left, and writes one alert a day', async () => {
  await t.http('PUT', `/v1/db/usage_daily/${chinaToday()}:quick`, { day: chinaToday(), kind: 'quick', count: 1000 });
  const report = await timer();
  expect(report).toMatchObject({
    ok: true,
    data: { breakers: { tripped: 'quota-exhausted' }, alerts: [{ kind: 'quick', type: 'quota-exhausted', remaining: 0 }] },
  });
  expect((await session('o_newcomer')).phoneLogin).toMatchObject({ show: false, hiddenBecause: 'quota-exhausted' });
  expect(await timer()).toMatchObject({ ok: true, data: { alerts: [] } });
  expect(await t.docs('quota_alerts')).toHaveLength(1);
});

test('a low quota is an alert, not a trip; the admin sees it in quota.status', async () => {
  await t.http('PUT', `/v1/db/usage_daily/${chinaToday()}:quick`, { day: chinaToday(), kind: 'quick', count: 950 });
  expect(await timer()).toMatchObject({ ok: true, data: { breakers: { tripped: null }, alerts: [{ type: 'quota-low', remaining: 50 }] } });
  const status = await admin('quota.status', {});
  expect(status.alerts).toEqual([expect.objectContaining({ type: 'quota-low', message: expect.stringContaining('剩余 50 次') })]);
});

test("one user's no-quota report trips the breaker only when the ledger confirms it", async () => {
  await auth('reportPhoneEvent', { type: 'no-quota', errno: 1400001 }, 'o_claimant');
  expect((await settings()).breaker.tripped).toBe(false);
  await t.http('PUT', `/v1/db/usage_daily/${chinaToday()}:quick`, { day: chinaToday(), kind: 'quick', count: 1000 });
  // Another user: the first one's repeat within the minute is throttled (it adds nothing).
  await auth('reportPhoneEvent', { type: 'no-quota', errno: 1400001 }, 'o_claimant_2');
  expect((await settings()).breaker).toMatchObject({ tripped: true, reason: 'quota-exhausted' });
  expect((await audits())[0]!.note).toContain('quota ledger');
});

test('for a fee-exempt account an empty ledger confirms no no-quota report; several users still do', async () => {
  await update({ feeExempt: true });
  await t.http('PUT', `/v1/db/usage_daily/${chinaToday()}:quick`, { day: chinaToday(), kind: 'quick', count: 1000 });
  await auth('reportPhoneEvent', { type: 'no-quota', errno: 1400001 }, 'o_claimant');
  expect((await settings()).breaker.tripped).toBe(false);
  for (const user of ['o_claimant_2', 'o_claimant_3']) await auth('reportPhoneEvent', { type: 'no-quota', errno: 1400001 }, user);
  expect((await settings()).breaker).toMatchObject({ tripped: true, reason: 'quota-exhausted' });
});

test('a charge the counter missed is recounted by cron, once', async () => {
  await t.http('POST', '/v1/faults', { target: 'db:modifyDocument:usage_daily', errcode: 1 });
  await bindOne();
  expect(await t.docs('usage_daily')).toEqual([]);
  expect(await timer()).toMatchObject({ ok: true, data: { recounted: 1 } });
  expect(await timer()).toMatchObject({ ok: true, data: { recounted: 0 } });
  expect(await t.docs('usage_daily')).toEqual([expect.objectContaining({ kind: 'quick', count: 1 })]);
  expect(await t.docs('phone_charges')).toEqual([expect.objectContaining({ counted: true })]);
});

test('without WeChat credentials reconciliation is skipped and says why', async () => {
  const report = await timer();
  expect(report).toMatchObject({
    ok: true,
    data: { reconciliation: { status: 'skipped', reason: expect.stringContaining('WECHAT_APPID and WECHAT_APPSECRET not set') } },
  });
});

test('only an admin runs cron by hand; a client dressed as the timer gets nothing', async () => {
  expect(await t.call('cron', { $url: 'run' }, 'o_someone')).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  expect(await t.call('cron', { Type: 'Timer', TriggerName: 'hourly' }, 'o_someone')).toMatchObject({
    ok: false,
    error: { code: 'NOT_FOUND' },
  });
  expect(await t.call('cron', { $url: 'run' }, BOSS)).toMatchObject({
    ok: true,
    data: { breakers: expect.any(Object), alerts: [], reconciliation: expect.any(Object) },
  });
});

describe('with WeChat credentials', () => {
  let w: TestEmulator;
  beforeAll(async () => {
    w = await startEmulator({
      env: {
        ADMIN_OPENIDS: BOSS,
        WECHAT_APPID: APPID,
        WECHAT_APPSECRET: 'the-secret',
        PROVIDER_APPID: APPID,
        PROVIDER_APPSECRET: 'the-secret',
      },
    });
  });
  afterAll(() => w.stop());

  test("reconciliation stores WeChat's packs and the difference with our charges; the token is fetched once", async () => {
    // Four taps; only three reach bindPhone (a user closed the app): WeChat counts four.
    for (let i = 0; i < 4; i++) {
      const openid = `o_user_${i}`;
      const code = await w.mintCode({ phoneNumber: `1390000000${i}`, openid });
      if (i < 3) await w.call('auth', { $url: 'bindPhone', code }, openid);
    }
    await w.http('POST', '/v1/wechat/packs', { calls: 5000, validityDays: 365 });
    const first = await fireHourlyTimer(w);
    expect(first).toMatchObject({
      ok: true,
      data: {
        reconciliation: { status: 'ok', kinds: [{ kind: 'quick', wechatUsed: 4, localCharges: 3, difference: 1, wechatRemaining: 5996 }] },
      },
    });
    const status = await callRoute(w, 'admin', 'quota.status', {}, BOSS);
    expect(status).toMatchObject({ ok: true, data: { reconciliation: { difference: 1 } } });
    if (status.ok)
      expect(status.data.packs.map((p) => [p.source, p.calls])).toEqual([
        ['trial', 1000],
        ['self', 5000],
      ]);
    // A second run adds nothing and asks for no new token.
    await w.http('POST', '/v1/functions/cron/triggers/hourly');
    expect(await w.docs('quota_packs')).toHaveLength(2);
    expect(w.emulator.stats.actionCounts()['wechat:/cgi-bin/stable_token']).toBe(1);
  });

  test('a WeChat failure is reported, not thrown, and the other checks still run', async () => {
    await w.reset();
    await w.http('POST', '/v1/faults', { target: 'wechat:/wxa/charge/usage/get', errcode: 45009, times: 10 });
    const report = await fireHourlyTimer(w);
    expect(report).toMatchObject({ ok: true, data: { reconciliation: { status: 'failed', reason: expect.stringContaining('45009') } } });
    expect(JSON.stringify(report)).not.toContain('the-secret');
  });

  test('each kind is reconciled on its own: a kind WeChat refuses is unknown (never zero left, no breaker), the other still reconciled', async () => {
    await w.reset();
    // Both kinds in use: a quick charge of today, and real-time configured from now on.
    const code = await w.mintCode({ phoneNumber: '13900000009', openid: 'o_rt' });
    await w.call('auth', { $url: 'bindPhone', code }, 'o_rt');
    const version = (await callData(w, 'admin', 'settings.get', {}, BOSS)).version;
    await callData(w, 'admin', 'settings.update', { version, patch: { phoneCapture: { kind: 'realtime' } } }, BOSS);
    // The first usage query (quick) is refused, as WeChat refuses a spuId it does not know.
    await w.http('POST', '/v1/faults', { target: 'wechat:/wxa/charge/usage/get', errcode: 40097, times: 1 });
    const report = await fireHourlyTimer(w);
    expect(report).toMatchObject({
      ok: true,
      data: {
        reconciliation: {
          status: 'ok',
          kinds: [{ kind: 'realtime' }],
          unknown: [{ kind: 'quick', reason: expect.stringContaining('40097') }],
        },
        breakers: { tripped: null, breaker: { tripped: false } },
      },
    });
  });

  test('a pack a service provider assigned is picked up by reconciliation with source "provider"', async () => {
    await w.reset();
    const { orderId } = (await w.http<{ orderId: string }>('POST', '/v1/wechat/sp-orders', { calls: 100_000 })).body;
    const { skus } = await callData(w, 'provider', 'skus.list', { orderId }, BOSS);
    const sku = skus.find((k) => k.calls === 10_000)!;
    await callData(
      w,
      'provider',
      'assign',
      { orderId, skuId: sku.skuId, receiverAppId: APPID, idempotencyKey: 'merchant-pack-0001' },
      BOSS,
    );
    // WeChat settles the assignment (the pack reaches the merchant); the provider's own record is not what reconciliation reads.
    await waitFor(
      async () =>
        (await w.http<{ orders: Array<{ assignments: Array<{ status: string }> }> }>('GET', '/v1/wechat/sp-orders')).body.orders[0]
          ?.assignments[0]?.status,
      (s) => s === 'done',
      'WeChat to settle the assignment',
    );
    await w.http('POST', '/v1/functions/cron/triggers/hourly');
    const status = await callRoute(w, 'admin', 'quota.status', {}, BOSS);
    expect(status).toMatchObject({ ok: true, data: { remaining: 11_000 } });
    if (status.ok)
      expect(status.data.packs.map((p) => [p.source, p.calls])).toEqual([
        ['trial', 1000],
        ['provider', 10_000],
      ]);
  });
});

test("with WECHAT_APPID set (from .env or the shell) the emulator's mini program is that appid: reconciliation agrees with its WeChat ledger", async () => {
  const appid = 'wx0123456789abcdef';
  const own = await startEmulator({ env: { ADMIN_OPENIDS: BOSS, WECHAT_APPID: appid, WECHAT_APPSECRET: 'the-secret' } });
  try {
    // Codes minted the way the README and the console mint them: no appid given.
    for (const i of [0, 1]) {
      const openid = `o_user_${i}`;
      const code = await own.mintCode({ phoneNumber: `1390000000${i}`, openid });
      expect(await own.call('auth', { $url: 'bindPhone', code }, openid)).toMatchObject({ ok: true });
    }
    const report = await fireHourlyTimer(own);
    expect(report).toMatchObject({
      ok: true,
      data: { reconciliation: { status: 'ok', kinds: [{ kind: 'quick', wechatUsed: 2, localCharges: 2, difference: 0 }] } },
    });
    expect(own.emulator.appid).toBe(appid);
  } finally {
    await own.stop();
  }
});
