/**
 * The charge path's open findings from the last review of `auth.bindPhone`: money
 * must agree with WeChat's bill, and no user changes what another sees. Each test
 * starts from the fault that showed the defect (a lost answer, a dead request, a
 * stranger's send, a second phone) and checks what the user and the merchant see.
 */
import { startEmulator, type TestEmulator } from './support/emulator';
import { waitFor } from './support/wait';
import { DEFAULT_APPID } from '../packages/cloudbase-emulator/src/emulator';
import { callData, callRoute, fireHourlyTimer } from './support/envelope';
import type { ChargeRecord } from '../cloudfunctions/_shared/domain/charge';

interface User {
  _id: string;
  phone: { phoneNumber: string; chargeId: string; kind: string } | null;
  codeFailures?: { day: string; count: number };
}
interface Stats {
  actions: Record<string, number>;
  queries: Record<string, { count: number }>;
}

const BOSS = 'o_boss_0001';
const LIMIT = 3;
/** Past a record's 15-second lease (and an invalid-code slot's). */
const LEASE_PLUS = 16_000;
let t: TestEmulator;
/** How far a test has moved the emulator's clock (and the functions'). */
let offset = 0;
beforeAll(async () => {
  t = await startEmulator({
    clock: () => Date.now() + offset,
    env: {
      ADMIN_OPENIDS: BOSS,
      PHONE_CODE_FAILURES_PER_USER_PER_DAY: String(LIMIT),
      // Long enough that a loaded machine does not time out a plain exchange; a test
      // that wants a timeout holds the exchange with a latch.
      PHONE_EXCHANGE_TIMEOUT_MS: '1500',
      // WeChat's usage API can be asked (no-quota reports).
      WECHAT_APPID: DEFAULT_APPID,
      WECHAT_APPSECRET: 'the-secret',
    },
    maxContainersPerFunction: 6,
  });
});
afterAll(() => t.stop());
beforeEach(async () => {
  offset = 0;
  await t.reset();
});

const bind = (code: string, openid: string, extra: { kind?: 'quick' | 'realtime' } = {}) =>
  callRoute(t, 'auth', 'bindPhone', { code, ...extra }, openid);
const session = (openid: string, phoneButtons?: Array<'quick' | 'realtime'>) =>
  callRoute(t, 'auth', 'session', phoneButtons ? { phoneButtons } : {}, openid);
const charges = () => t.docs<ChargeRecord>('phone_charges');
const users = () => t.docs<User>('users');
const user = async (openid: string) => (await users()).find((u) => u._id === openid);
const fault = (target: string, spec: Record<string, unknown>) => t.http('POST', '/v1/faults', { target, ...spec });
const usage = async () => Object.fromEntries((await t.docs<{ kind: string; count: number }>('usage_daily')).map((d) => [d.kind, d.count]));
const wechat = async () =>
  (await t.http<{ total: number; codes: Array<{ exchanges: number; used: boolean }> }>('GET', '/v1/wechat/charges')).body;
const stats = async () => (await t.http<Stats>('GET', '/v1/stats')).body;
const cron = async () => {
  const res = await fireHourlyTimer(t);
  if (!res.ok) throw new Error(`cron: ${res.error.code}`);
  return res.data;
};
const setKind = async (kind: 'quick' | 'realtime') => {
  const { version } = await callData(t, 'admin', 'settings.get', {}, BOSS);
  await callData(t, 'admin', 'settings.update', { version, patch: { phoneCapture: { kind } } }, BOSS);
};
/** A code that looks like WeChat's but that WeChat never issued. */
const junk = (i: number) => `${'f'.repeat(40)}${String(i).padStart(8, '0')}`;

describe('1. a lost slot release', () => {
  test('never limits a user whose codes all bound, once no request can still hold the slot', async () => {
    for (let i = 0; i < LIMIT; i++) {
      const code = await t.mintCode({ phoneNumber: `1380013800${i}`, openid: 'o_alice' });
      // The exchange is held until the slot release is made to fail all three tries.
      const held = t.emulator.faults.hold('openapi:phonenumber.getPhoneNumber');
      const binding = bind(code, 'o_alice');
      await held.reached;
      await fault('db:modifyDocument:phone_code_slots', { errcode: 1, times: 3 });
      held.release();
      expect(await binding).toMatchObject({ ok: true });
    }
    offset += LEASE_PLUS; // every request that took a slot has ended
    const next = await t.mintCode({ phoneNumber: '13800138009', openid: 'o_alice' });
    expect(await bind(next, 'o_alice')).toEqual({ ok: true, data: { phoneMasked: '138****8009' } });
    expect(await usage()).toEqual({ quick: LIMIT + 1 });
  });

  test('the repair gives back only what WeChat did not refuse: a user at the limit stays limited', async () => {
    for (let i = 0; i < LIMIT; i++) expect(await bind(junk(i), 'o_mallory')).toMatchObject({ error: { code: 'PHONE_CODE_INVALID' } });
    offset += LEASE_PLUS;
    expect(await bind(junk(9), 'o_mallory')).toMatchObject({ error: { code: 'RATE_LIMITED' } });
    expect(await charges()).toHaveLength(LIMIT);
  });
});

describe('2. a record whose insert answer was lost', () => {
  test('was never sent: a resend after the code expired is an invalid code, never a charge', async () => {
    const code = await t.mintCode({ phoneNumber: '13800138000', openid: 'o_alice' });
    // The insert lands every time; every answer is lost: the request gives up before sending.
    await fault('db:insertDocument:phone_charges', { errcode: 1, times: 4, answerLost: true });
    expect(await bind(code, 'o_alice')).toMatchObject({ ok: false, error: { code: 'UPSTREAM_UNAVAILABLE' } });
    expect((await wechat()).codes[0]!.exchanges).toBe(0);
    expect(await charges()).toHaveLength(1);

    offset += 6 * 60_000; // the code has expired, the lease long over
    expect((await cron()).finished).toMatchObject({ unknown: 0 });
    expect(await bind(code, 'o_alice')).toMatchObject({ ok: false, error: { code: 'PHONE_CODE_INVALID' } });
    expect(await charges()).toMatchObject([{ failure: 'invalid-code', billable: false, maybeUsed: false, counted: false }]);
    expect((await cron()).recounted).toBe(0);
    expect(await usage()).toEqual({});
  });

  test('a resend while the code lives binds at once, without waiting out the lost request', async () => {
    const code = await t.mintCode({ phoneNumber: '13800138000', openid: 'o_alice' });
    await fault('db:insertDocument:phone_charges', { errcode: 1, times: 4, answerLost: true });
    expect(await bind(code, 'o_alice')).toMatchObject({ ok: false, error: { code: 'UPSTREAM_UNAVAILABLE' } });
    expect(await bind(code, 'o_alice')).toEqual({ ok: true, data: { phoneMasked: '138****8000' } });
    expect(await charges()).toMatchObject([{ exchange: 'ok', maybeUsed: false, counted: true }]);
    expect(await usage()).toEqual({ quick: 1 });
  });
});

describe("3. a stranger sending the owner's code", () => {
  /** Alice is shown the real-time button, Mallory (an older phone) the quick one. */
  async function offers() {
    await setKind('realtime');
    await session('o_alice', ['quick', 'realtime']);
    await session('o_mallory', ['quick']);
  }

  test("leaves a timed-out record its owner's: her still-valid code binds, counted once, at her kind", async () => {
    await offers();
    const code = await t.mintCode({ phoneNumber: '13800138000', openid: 'o_alice', kind: 'realtime' });
    // Alice's exchange gets no answer in time (WeChat has not looked at the code yet).
    const held = t.emulator.faults.hold('openapi:phonenumber.getPhoneNumber');
    try {
      expect(await bind(code, 'o_alice', { kind: 'realtime' })).toMatchObject({ error: { code: 'UPSTREAM_UNAVAILABLE' } });
      expect(await bind(code, 'o_mallory')).toMatchObject({ ok: false, error: { code: 'PHONE_CODE_INVALID' } });
      expect(await charges()).toMatchObject([{ openid: 'o_alice', kind: 'realtime', billable: true, counted: true }]);
      expect(await bind(code, 'o_alice', { kind: 'realtime' })).toEqual({ ok: true, data: { phoneMasked: '138****8000' } });
    } finally {
      held.release(); // the late exchange now hears the code used: nobody is listening
    }
    expect(await charges()).toMatchObject([{ openid: 'o_alice', kind: 'realtime', costFen: 4, exchange: 'ok', counted: true }]);
    expect(await usage()).toEqual({ realtime: 1 });
    expect((await user('o_mallory'))?.codeFailures).toMatchObject({ count: 1 });
    expect((await cron()).recounted).toBe(0);
  });

  test("of a request that died after sending: the owner's billed send is counted, at her kind", async () => {
    await offers();
    const code = await t.mintCode({ phoneNumber: '13800138000', openid: 'o_alice', kind: 'realtime' });
    // WeChat uses the code after Alice's request gave up, and every record update is lost.
    const held = t.emulator.faults.hold('openapi:phonenumber.getPhoneNumber');
    await fault('db:modifyDocument:phone_charges', { errcode: 1, times: 20 });
    expect(await bind(code, 'o_alice', { kind: 'realtime' })).toMatchObject({ ok: false });
    held.release();
    await waitFor(wechat, (w) => w.codes[0]!.used, 'WeChat to use the code late');
    await t.http('DELETE', '/v1/faults');
    expect(await charges()).toMatchObject([{ exchange: 'pending' }]);

    offset += LEASE_PLUS; // nobody holds the record
    expect(await bind(code, 'o_mallory')).toMatchObject({ ok: false, error: { code: 'PHONE_CODE_INVALID' } });
    expect(await charges()).toMatchObject([{ openid: 'o_alice', kind: 'realtime', billable: true, maybeUsed: true, counted: true }]);
    // Her resend hears the code used: our earlier attempt's, counted once already.
    expect(await bind(code, 'o_alice')).toMatchObject({ ok: false, error: { code: 'PHONE_CODE_INVALID' } });
    expect(await charges()).toMatchObject([{ openid: 'o_alice', failure: 'used-by-earlier-attempt', counted: true }]);
    expect((await cron()).recounted).toBe(0);
    expect(await usage()).toEqual({ realtime: 1 });
    expect((await wechat()).total).toBe(1);
  });

  test("a stranger who sent first and was refused: the owner's bind is booked at the owner's kind", async () => {
    await offers();
    const code = await t.mintCode({ phoneNumber: '13800138000', openid: 'o_alice', kind: 'realtime' });
    expect(await bind(code, 'o_mallory')).toMatchObject({ ok: false, error: { code: 'PHONE_CODE_INVALID' } });
    expect(await bind(code, 'o_alice', { kind: 'realtime' })).toEqual({ ok: true, data: { phoneMasked: '138****8000' } });
    expect(await charges()).toMatchObject([{ openid: 'o_alice', kind: 'realtime', costFen: 4, firstSentBy: 'o_mallory' }]);
    expect(await usage()).toEqual({ realtime: 1 });
  });
  test('a record that changed hands while WeChat was busy is booked at the kind of whoever WeChat gives the number', async () => {
    await offers();
    const code = await t.mintCode({ phoneNumber: '13800138000', openid: 'o_alice', kind: 'realtime' });
    await fault('openapi:phonenumber.getPhoneNumber', { errcode: -1, times: 2 });
    expect(await bind(code, 'o_mallory')).toMatchObject({ ok: false, error: { code: 'UPSTREAM_UNAVAILABLE' } });
    await fault('openapi:phonenumber.getPhoneNumber', { errcode: -1, times: 2 });
    expect(await bind(code, 'o_alice')).toMatchObject({ ok: false, error: { code: 'UPSTREAM_UNAVAILABLE' } });
    // Her own record now, taken from Mallory: her resend is no takeover, and still her kind.
    expect(await bind(code, 'o_alice')).toEqual({ ok: true, data: { phoneMasked: '138****8000' } });
    expect(await charges()).toMatchObject([{ openid: 'o_alice', kind: 'realtime', costFen: 4, firstSentBy: 'o_mallory' }]);
    expect(await usage()).toEqual({ realtime: 1 });
  });
});

describe('4. the kind offered, per phone', () => {
  test('a user alternating an old and a new phone has a quick tap booked quick', async () => {
    await setKind('realtime');
    await session('o_alice', ['quick']); // the old phone: quick only
    await session('o_alice', ['quick', 'realtime']); // the new phone, last
    const code = await t.mintCode({ phoneNumber: '13800138000', openid: 'o_alice', kind: 'quick' });
    expect(await bind(code, 'o_alice', { kind: 'quick' })).toMatchObject({ ok: true }); // tapped on the old phone
    expect(await charges()).toMatchObject([{ kind: 'quick', costFen: 3, claimedKind: null }]);
    expect(await usage()).toEqual({ quick: 1 });
  });

  test('a claim of a kind this user was never offered prices nothing', async () => {
    await session('o_alice', ['quick', 'realtime']); // configured quick: offered quick
    const code = await t.mintCode({ phoneNumber: '13800138000', openid: 'o_alice', kind: 'quick' });
    expect(await bind(code, 'o_alice', { kind: 'realtime' })).toMatchObject({ ok: true });
    expect(await charges()).toMatchObject([{ kind: 'quick', claimedKind: 'realtime' }]);
  });

  test('an offer from long ago prices nothing: the latest one does', async () => {
    await setKind('realtime');
    await session('o_alice', ['quick']);
    offset += 8 * 24 * 3600_000; // eight days on, only the new phone opens the mini program
    await session('o_alice', ['quick', 'realtime']);
    const code = await t.mintCode({ phoneNumber: '13800138000', openid: 'o_alice', kind: 'realtime' });
    expect(await bind(code, 'o_alice', { kind: 'quick' })).toMatchObject({ ok: true });
    expect(await charges()).toMatchObject([{ kind: 'realtime', claimedKind: 'quick' }]);
  });
});

describe('5. login-path work that need not come first', () => {
  test('the number is stored while the slot is still being given back', async () => {
    const code = await t.mintCode({ phoneNumber: '13800138000', openid: 'o_alice' });
    // The user's first code today: the slot is taken with an insert, given back with an update.
    const held = t.emulator.faults.hold('db:modifyDocument:phone_code_slots');
    const binding = bind(code, 'o_alice');
    try {
      await held.reached;
      await waitFor(
        () => user('o_alice'),
        (u) => Boolean(u?.phone),
        'the number stored before the slot is back',
      );
    } finally {
      held.release();
    }
    expect(await binding).toEqual({ ok: true, data: { phoneMasked: '138****8000' } });
  });

  test("a no-quota report WeChat's count decides reads neither the quota ledger nor the reporters", async () => {
    const report = (openid: string) => t.call('auth', { $url: 'reportPhoneEvent', type: 'no-quota', errno: 1400001 }, openid);
    const grew = (before: Stats, after: Stats) =>
      Object.fromEntries(
        Object.entries(after.actions)
          .filter(([action]) => action.startsWith('database.'))
          .map(([action, n]) => [action, n - (before.actions[action] ?? 0)])
          .filter(([, n]) => n !== 0),
      );

    // The first report this minute asks WeChat (quota left: nothing trips) …
    let before = await stats();
    expect(await report('o_alice')).toEqual({ ok: true, data: {} });
    let after = await stats();
    // the event stored, the settings, this minute's WeChat count claimed, asked and kept
    expect(grew(before, after)).toEqual({ 'database.insertDocument': 2, 'database.getDocument': 2, 'database.modifyDocument': 1 });
    // … another in the same minute uses its answer: the event, the settings, the count.
    before = after;
    expect(await report('o_bob')).toEqual({ ok: true, data: {} });
    after = await stats();
    expect(grew(before, after)).toEqual({ 'database.insertDocument': 1, 'database.getDocument': 2 });
    const queried = (c: string) => after.queries[c]?.count ?? 0;
    expect(queried('usage_daily') + queried('quota_packs')).toBe(0);
    expect((await t.http<{ docs: unknown[] }>('GET', '/v1/db/quota_packs')).body.docs).toEqual([]); // no trial written either
  });
});
