/**
 * admin.quota.status and admin.quota.addPack end to end: the trial appears on first
 * need, real charges of each kind draw on their own ledger exactly as WeChat's (the
 * emulator's) usage API counts them, recorded packs join in WeChat's order, and bad
 * input stores nothing.
 */
import { startEmulator, type TestEmulator } from './support/emulator';
import type { PhoneKind } from '../miniprogram/contract';
import { callRouteUnchecked, routesOf } from './support/envelope';

const BOSS = 'o_boss_0001';
let t: TestEmulator;
beforeAll(async () => {
  t = await startEmulator({ env: { ADMIN_OPENIDS: BOSS } });
});
afterAll(() => t.stop());
beforeEach(() => t.reset());

const admin = routesOf(() => t, 'admin', BOSS).data;
const status = (kind?: PhoneKind) => admin('quota.status', kind ? { kind } : {});

async function bind(count: number, kind: 'quick' | 'realtime', from = 0) {
  for (let i = from; i < from + count; i++) {
    const openid = `o_user_${kind}_${i}`;
    const code = await t.mintCode({ phoneNumber: `1390000${String(i).padStart(4, '0')}`, openid, kind });
    // The server showed this user the button of that kind (what auth.session remembers): bindPhone prices by it.
    await t.http('PUT', `/v1/db/users/${openid}`, {
      _openid: openid,
      appid: null,
      phone: null,
      phoneOffer: { kind, at: new Date().toISOString() },
    });
    await t.call('auth', { $url: 'bindPhone', code, kind }, openid);
  }
}

test('the trial exists from the first look: 1000 calls, active, never expiring, created once', async () => {
  const first = await status();
  expect(first).toMatchObject({
    kind: 'quick',
    remaining: 1000,
    forecast: { monthlyAverage: 0, exhaustsOn: null },
    recommendation: null,
    reconciliation: null,
    alerts: [],
    uncovered: 0,
  });
  expect(first.packs).toEqual([
    expect.objectContaining({ id: 'trial-quick', source: 'trial', calls: 1000, used: 0, status: 'active', expiresAt: null }),
  ]);
  await status();
  expect((await t.docs('quota_packs')).length).toBe(1);
});

test("charges of each kind draw on their own ledger and agree with WeChat's usage API", async () => {
  await bind(4, 'quick');
  await bind(2, 'realtime');
  const [quick, realtime] = [await status('quick'), await status('realtime')];
  expect(quick.remaining).toBe(996);
  expect(realtime.remaining).toBe(998);
  for (const kind of ['quick', 'realtime'] as const) {
    const wechat = (await t.http<{ all: number; effectiveUse: number }>('GET', `/v1/wechat/usage?kind=${kind}`)).body;
    expect((kind === 'quick' ? quick : realtime).remaining).toBe(wechat.all - wechat.effectiveUse);
  }
  // Today's use makes a forecast: 4 calls over at least 7 days → 17 a month.
  expect(quick.forecast.monthlyAverage).toBe(17);
});

test('a recorded pack joins after the trial, drawn on once the trial is spent', async () => {
  await t.http('PUT', '/v1/db/usage_daily/2026-01-05:quick', { day: '2026-01-05', kind: 'quick', count: 1000 });
  const pack = await admin('quota.addPack', {
    idempotencyKey: 'test-pack-1',
    calls: 1000,
    validityDays: 365,
    priceYuan: 30,
    note: 'bought in the console',
  });
  expect(pack).toMatchObject({ source: 'self', calls: 1000, used: 0, status: 'active', priceYuan: '30.00', note: 'bought in the console' });
  expect(Date.parse(pack.expiresAt!) - Date.parse(pack.startsAt)).toBe(365 * 86_400_000);
  // The trial's 1000 went in January (it starts with the first charge we know of); 3 more today.
  await bind(3, 'quick');
  const s = await status();
  expect(s.packs.map((p) => [p.source, p.used, p.status])).toEqual([
    ['trial', 1000, 'used-up'],
    ['self', 3, 'active'],
  ]);
  expect(s.remaining).toBe(997);
});

test('a pack that starts later is pending and not yet remaining', async () => {
  await admin('quota.addPack', { idempotencyKey: 'test-pack-2', calls: 5000, validityDays: 90, startsAt: '2099-01-01' });
  const s = await status();
  expect(s.packs.find((p) => p.source === 'self')).toMatchObject({ status: 'pending', startsAt: '2098-12-31T16:00:00.000Z' });
  expect(s.remaining).toBe(1000);
});

test('packs are per kind', async () => {
  await admin('quota.addPack', { idempotencyKey: 'test-pack-3', calls: 250, validityDays: 90, kind: 'realtime' });
  expect((await status('realtime')).remaining).toBe(1250);
  expect((await status('quick')).remaining).toBe(1000);
});

test('with the trial spent at a steady rate: forecast and the cheapest pack, priced exactly', async () => {
  // 20 a day over the last 60 days (1,200 calls): the trial is gone, 200 went uncovered.
  const days: string[] = [];
  for (let i = 0; i < 60; i++) days.push(new Date(Date.now() + 8 * 3600_000 - i * 86_400_000).toISOString().slice(0, 10));
  for (const day of days) await t.http('PUT', `/v1/db/usage_daily/${day}:quick`, { day, kind: 'quick', count: 20 });
  const s = await status();
  expect(s.remaining).toBe(0);
  expect(s.uncovered).toBe(200);
  // The next 30 days' 600 calls at the advice's 3 fen a call (240.00 for 8,000).
  expect(s.forecast).toEqual({ monthlyAverage: 600, exhaustsOn: days[0], monthlyCostYuan: '18.00' });
  // So far: 1,000 free trial calls, 200 beyond every pack at the list price (an estimate).
  expect(s.cost).toEqual({ costYuan: '6.00', listValueYuan: '36.00', savingYuan: '30.00', estimatedCalls: 200 });
  // 600 a month: 90 days need 1,800 → 8×250 = 60.00 (3.33 fen a call); a year needs
  // 7,300 → 5000 + 3×1000 = 240.00 (3.29 fen a call): the year wins.
  expect(s.recommendation).toMatchObject({ calls: 8000, validityDays: 365, priceYuan: '240.00' });
});

test.each([
  [{ validityDays: 365 }, 'calls'],
  [{ calls: 0, validityDays: 365 }, 'calls'],
  [{ calls: 1.5, validityDays: 365 }, 'calls'],
  [{ calls: 1000, validityDays: 0 }, 'validityDays'],
  [{ calls: 1000, validityDays: 365, kind: 'video' }, 'kind'],
  [{ calls: 1000, validityDays: 365, priceYuan: 30.001 }, 'priceYuan'],
  [{ calls: 1000, validityDays: 365, priceYuan: '30' }, 'priceYuan'],
  [{ calls: 1000, validityDays: 365, startsAt: 'tomorrow' }, 'startsAt'],
  [{ calls: 1000, validityDays: 365, source: 'trial' }, 'source'],
  [{ calls: 1000, validityDays: 365, note: 'x'.repeat(201) }, 'note'],
])('addPack %j is INVALID_ARGUMENT naming %s, and stores nothing', async (params, field) => {
  const res = await callRouteUnchecked(t, 'admin', 'quota.addPack', { idempotencyKey: 'bad-pack', ...params }, BOSS);
  expect(res).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT', message: expect.stringMatching(new RegExp(`^${field}`)) } });
  expect(await t.docs('quota_packs')).toEqual([]);
});

test('a phone number in a note is masked before it is stored', async () => {
  const pack = await admin('quota.addPack', {
    idempotencyKey: 'test-pack-4',
    calls: 1000,
    validityDays: 365,
    note: '经办人 13800138000',
  });
  expect(pack.note).toBe('经办人 138****8000');
  expect(JSON.stringify(await t.docs('quota_packs'))).not.toContain('13800138000');
});

test('only admins see quota or record packs', async () => {
  for (const url of ['quota.status', 'quota.addPack'] as const) {
    const res = await callRouteUnchecked(t, 'admin', url, { calls: 1000, validityDays: 365 }, 'o_someone');
    expect(res).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  }
  expect(await t.docs('quota_packs')).toEqual([]);
});

describe('what a pack cost', () => {
  test('a provider pack costs nothing until its price is recorded, then each call its share; audited', async () => {
    // The trial is spent; a provider assigned 500 calls.
    await t.http('PUT', '/v1/db/usage_daily/2026-01-05:quick', { day: '2026-01-05', kind: 'quick', count: 1000 });
    const pack = await admin('quota.addPack', {
      idempotencyKey: 'test-pack-5',
      calls: 500,
      validityDays: 365,
      source: 'provider',
    });
    await bind(40, 'quick');
    expect((await status()).cost).toEqual({ costYuan: '0.00', listValueYuan: '31.20', savingYuan: '31.20', estimatedCalls: 0 });
    // The provider charged 12.50 for the 500: 2.5 fen a call, 40 calls are 1.00.
    const priced = await admin('quota.setPrice', {
      id: pack.id,
      priceYuan: 12.5,
    });
    expect(priced).toMatchObject({ id: pack.id, priceYuan: '12.50', perCallYuan: '0.025', used: 40, usedCostYuan: '1.00' });
    expect((await status()).cost).toMatchObject({ costYuan: '1.00', listValueYuan: '31.20' });
    expect(await t.docs('settings_audit')).toEqual([
      expect.objectContaining({ by: BOSS, field: `quota_packs.${pack.id}.priceYuan`, from: null, to: 12.5 }),
    ]);
  });

  test.each([
    [{ id: 'trial-quick', priceYuan: 1 }, 'INVALID_ARGUMENT', 'id'],
    [{ id: 'no-such-pack', priceYuan: 1 }, 'NOT_FOUND', 'id'],
    [{ id: 'x', priceYuan: 1.001 }, 'INVALID_ARGUMENT', 'priceYuan'],
    [{ id: 'x' }, 'INVALID_ARGUMENT', 'priceYuan'],
  ])('setPrice %j is %s naming %s, and changes nothing', async (params, code, field) => {
    await status(); // the trial exists
    const res = await callRouteUnchecked(t, 'admin', 'quota.setPrice', params, BOSS);
    expect(res).toMatchObject({ ok: false, error: { code, message: expect.stringMatching(new RegExp(`^${field}`)) } });
    expect(await t.docs('settings_audit')).toEqual([]);
    expect((await t.docs<{ priceFen: number }>('quota_packs')).map((p) => p.priceFen)).toEqual([0]);
  });
});
