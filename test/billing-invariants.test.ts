/**
 * Billing truth under attack (issue 10): a record is not a charge. Only codes WeChat
 * showed real are counted; junk never costs money, moves a breaker or hides the
 * button; a code belongs to the user WeChat issued it to; the kind is the server's
 * word; and after any faults one cron run leaves WeChat's bill = counted records =
 * usage_daily = admin.usage.summary. Ends with a seeded fault-matrix run.
 */
import { startEmulator, type TestEmulator } from './support/emulator';
import { runMatrix } from './support/billing-matrix';
import { waitFor } from './support/wait';
import { DEFAULT_APPID } from '../packages/cloudbase-emulator/src/emulator';
import { callData, callRoute, callRouteUnchecked, dataOf, fireHourlyTimer, routesOf } from './support/envelope';
import type { SettingsPatch } from '../miniprogram/contract';
import type { ConsoleBilling } from '../scripts/console-plugin/api';

interface Charge {
  _id: string;
  openid: string;
  attempts: number;
  kind: 'quick' | 'realtime';
  costFen: number;
  exchange: string;
  failure: string | null;
  billable: boolean | null;
  maybeUsed: boolean;
  counted: boolean | null;
  notCounted: string | null;
  claimedKind: string | null;
  firstSentBy: string | null;
}
interface User {
  _id: string;
  phone: { phoneNumber: string; chargeId: string } | null;
  codeFailures?: { day: string; count: number; limitedAt: string | null };
}
interface WeChatCharges {
  total: number;
  byKind: { quick: number; realtime: number };
  codes: Array<{ code: string; kind: string; openid: string | null; exchanges: number }>;
}
const BOSS = 'o_boss_0001';
const LIMIT = 3;
let t: TestEmulator;
beforeAll(async () => {
  t = await startEmulator({
    env: { ADMIN_OPENIDS: BOSS, PHONE_CODE_FAILURES_PER_USER_PER_DAY: String(LIMIT), PHONE_EXCHANGE_TIMEOUT_MS: '300' },
    maxContainersPerFunction: 12,
  });
});
afterAll(() => t.stop());
beforeEach(() => t.reset());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Unchecked: tests send forged fields too (another user's openid, a kind of their own). */
const bind = (code: string, openid: string, extra: Record<string, unknown> = {}) =>
  callRouteUnchecked(t, 'auth', 'bindPhone', { code, ...extra }, openid);
const session = (openid: string) => callRoute(t, 'auth', 'session', {}, openid);
const charges = () => t.docs<Charge>('phone_charges');
const users = () => t.docs<User>('users');
const wechat = async () => (await t.http<WeChatCharges>('GET', '/v1/wechat/charges')).body;
const fault = (target: string, spec: Record<string, unknown>) => t.http('POST', '/v1/faults', { target, ...spec });
const usageCount = async () => (await t.docs<{ count: number }>('usage_daily')).reduce((sum, d) => sum + d.count, 0);
const admin = routesOf(() => t, 'admin', BOSS).data;
const summaryTotal = async () => {
  const { totals } = await admin('usage.summary', {});
  return totals.quick + totals.realtime;
};
const cron = async () => dataOf('cron', await fireHourlyTimer(t));
const setSettings = async (patch: SettingsPatch) => {
  const { version } = await admin('settings.get', {});
  return admin('settings.update', { version, patch });
};
/** A code that looks like WeChat's but that WeChat never issued. */
const junk = (i: number) => `${'f'.repeat(40)}${String(i).padStart(8, '0')}`;

describe('1. only what WeChat billed is counted', () => {
  test('a made-up code is PHONE_CODE_INVALID, kept for audit, and counts nowhere', async () => {
    expect(await bind('not-a-real-code', 'o_mallory')).toMatchObject({ ok: false, error: { code: 'PHONE_CODE_INVALID' } });
    expect(await charges()).toMatchObject([
      { openid: 'o_mallory', exchange: 'failed', failure: 'invalid-code', billable: false, counted: false, notCounted: 'invalid-code' },
    ]);
    expect(await usageCount()).toBe(0);
    expect(await summaryTotal()).toBe(0);
  });

  test('made-up codes never trip the daily cap or hide the button for anyone', async () => {
    await setSettings({ phoneCapture: { dailyCap: 2 } });
    for (let i = 0; i < 5; i++) await bind(junk(i), 'o_mallory');
    expect((await admin('settings.get', {})).breaker.tripped).toBe(false);
    expect(await session('o_alice')).toMatchObject({ ok: true, data: { phoneLogin: { show: true } } });
    expect((await cron()).breakers.breaker.tripped).toBe(false);
  });

  test('invalid codes are limited per user per day: past the limit RATE_LIMITED, nothing stored but one note', async () => {
    for (let i = 0; i < LIMIT; i++)
      expect(await bind(junk(i), 'o_mallory')).toMatchObject({ ok: false, error: { code: 'PHONE_CODE_INVALID' } });
    for (let i = LIMIT; i < LIMIT + 20; i++)
      expect(await bind(junk(i), 'o_mallory')).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
    expect(await charges()).toHaveLength(LIMIT);
    const [mallory] = await users();
    expect(mallory!.codeFailures).toMatchObject({ count: LIMIT, limitedAt: expect.any(String) });
    // Another user is not affected.
    const code = await t.mintCode({ phoneNumber: '13800138000', openid: 'o_alice' });
    expect(await bind(code, 'o_alice')).toEqual({ ok: true, data: { phoneMasked: '138****8000' } });
  });

  test('no answer from WeChat after it used the code: counted (WeChat billed it), never twice', async () => {
    // WeChat holds the exchange until the attempt has given up (a latch, not a race of
    // timers), then uses the code. No second attempt: once WeChat used the code it could
    // only hear 40029.
    const held = t.emulator.faults.hold('openapi:phonenumber.getPhoneNumber');
    const code = await t.mintCode({ phoneNumber: '13800138000', openid: 'o_alice' });
    expect(await bind(code, 'o_alice')).toMatchObject({ ok: false, error: { code: 'UPSTREAM_UNAVAILABLE' } });
    expect(await charges()).toMatchObject([{ billable: true, maybeUsed: true, counted: true, attempts: 1 }]);
    held.release();
    await waitFor(wechat, (w) => w.codes[0]!.exchanges === 1, 'WeChat to use the code late');
    // The resend hears 40029: our earlier attempt's use, explained, not the user's invalid code.
    expect(await bind(code, 'o_alice')).toMatchObject({ ok: false, error: { code: 'PHONE_CODE_INVALID' } });
    expect(await charges()).toMatchObject([{ failure: 'used-by-earlier-attempt', counted: true }]);
    expect((await users())[0]?.codeFailures).toBeUndefined();
    expect((await cron()).recounted).toBe(0);
    expect(await usageCount()).toBe(1);
    expect((await wechat()).total).toBe(1);
  });
});

describe('2. everything converges after one cron run', () => {
  test('a failed increment followed by a failed mark is counted by cron, once', async () => {
    const code = await t.mintCode({ phoneNumber: '13800138000', openid: 'o_alice' });
    await fault('db:database.modifyDocument:usage_daily', { errcode: 1 });
    await fault('db:database.modifyDocument:phone_charges', { errcode: 1 });
    expect(await bind(code, 'o_alice')).toMatchObject({ ok: true });
    expect((await cron()).recounted).toBe(1);
    expect((await wechat()).total).toBe(1);
    expect(await summaryTotal()).toBe(1);
    expect((await cron()).recounted).toBe(0);
    expect(await summaryTotal()).toBe(1);
  });

  test("a record left pending after WeChat answered is finished by cron from the user's copy, counted once", async () => {
    const code = await t.mintCode({ phoneNumber: '13800138000', openid: 'o_alice' });
    await fault('db:modifyDocument:phone_charges', { errcode: 1, times: 4 });
    expect(await bind(code, 'o_alice')).toMatchObject({ ok: true });
    expect(await charges()).toMatchObject([{ exchange: 'pending' }]);
    const report = await cron();
    expect(report.finished).toEqual({ bound: 1, refused: 0, unknown: 0 });
    expect(await charges()).toMatchObject([{ exchange: 'ok', counted: true, phoneMasked: '138****8000' }]);
    expect(await usageCount()).toBe(1);
  });

  test('a refused code whose record update was lost is finished by cron as refused, never counted', async () => {
    await fault('db:modifyDocument:phone_charges', { errcode: 1, times: 4 });
    expect(await bind(junk(1), 'o_mallory')).toMatchObject({ ok: false, error: { code: 'PHONE_CODE_INVALID' } });
    expect(await charges()).toMatchObject([{ exchange: 'pending' }]);
    expect((await cron()).finished).toEqual({ bound: 0, refused: 1, unknown: 0 });
    expect(await charges()).toMatchObject([{ exchange: 'failed', failure: 'invalid-code', billable: false, counted: false }]);
    expect(await usageCount()).toBe(0);
  });

  test('a refused code whose record update and first note on the user were both lost is still finished as refused', async () => {
    // Without the note the record would look abandoned once its lease ran out: an
    // unknown outcome, counted — a charge WeChat never billed.
    await fault('db:modifyDocument:phone_charges', { errcode: 1, times: 4 });
    await fault('db:modifyDocument:users', { errcode: 1, times: 2 });
    expect(await bind(junk(1), 'o_mallory')).toMatchObject({ ok: false, error: { code: 'PHONE_CODE_INVALID' } });
    expect((await cron()).finished).toEqual({ bound: 0, refused: 1, unknown: 0 });
    expect(await charges()).toMatchObject([{ exchange: 'failed', failure: 'invalid-code', billable: false, counted: false }]);
    expect(await usageCount()).toBe(0);
  });

  test('a code WeChat did not look at (45011) whose record update was lost is ended retriable and uncounted by cron', async () => {
    // Left pending, cron would take it for an abandoned request once its lease ran out
    // and count it: a charge WeChat never billed.
    await fault('openapi:phonenumber.getPhoneNumber', { errcode: 45011 });
    await fault('db:modifyDocument:phone_charges', { errcode: 1, times: 4 });
    expect(await bind(junk(1), 'o_mallory')).toMatchObject({ ok: false, error: { code: 'WECHAT_THROTTLED' } });
    expect(await charges()).toMatchObject([{ exchange: 'pending' }]);
    expect((await cron()).finished).toEqual({ bound: 0, refused: 0, unknown: 0 });
    expect(await charges()).toMatchObject([{ exchange: 'failed', failure: 'upstream', billable: null, counted: null }]);
    expect(await usageCount()).toBe(0);
    // Still the sender's to retry: WeChat now refuses it, and it is never counted.
    expect(await bind(junk(1), 'o_mallory')).toMatchObject({ ok: false, error: { code: 'PHONE_CODE_INVALID' } });
    expect(await charges()).toMatchObject([{ exchange: 'failed', failure: 'invalid-code', billable: false, counted: false }]);
    expect(await usageCount()).toBe(0);
  });

  test('pending after a failed increment and a lost mark: finished and counted once', async () => {
    const code = await t.mintCode({ phoneNumber: '13800138000', openid: 'o_alice' });
    await fault('db:modifyDocument:usage_daily', { errcode: 1 });
    await fault('db:modifyDocument:phone_charges', { errcode: 1, times: 4 });
    expect(await bind(code, 'o_alice')).toMatchObject({ ok: true });
    const report = await cron();
    expect(report).toMatchObject({ finished: { bound: 1, refused: 0, unknown: 0 }, recounted: 1 });
    expect(await usageCount()).toBe(1);
    expect((await cron()).recounted).toBe(0);
    expect(await usageCount()).toBe(1);
  });
});

describe('3. a code belongs to the user WeChat issued it to', () => {
  test("a user past his own limit sending the owner's code never hurts the owner", async () => {
    for (let i = 0; i < LIMIT; i++) await bind(junk(i), 'o_mallory');
    const code = await t.mintCode({ phoneNumber: '13800138000', openid: 'o_alice' });
    expect(await bind(code, 'o_mallory')).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
    expect(await bind(code, 'o_alice')).toEqual({ ok: true, data: { phoneMasked: '138****8000' } });
    expect(await usageCount()).toBe(1);
  });

  // The issue saw the owner fail in 6 of 12 such trials and differing answers in 7 of
  // 10 (every busy trial on the old code): enough trials that one run means something.
  test("a stranger's request a few ms ahead never makes the owner fail", async () => {
    const TRIALS = 12;
    for (let trial = 0; trial < TRIALS; trial++) {
      const owner = `o_owner_${trial}`;
      const code = await t.mintCode({ phoneNumber: `138001380${String(trial).padStart(2, '0')}`, openid: owner });
      const stranger = bind(code, `o_stranger_${trial}`);
      await sleep(trial % 4); // 0–3 ms ahead
      const mine = bind(code, owner);
      expect(await mine).toEqual({ ok: true, data: { phoneMasked: `138****80${String(trial).padStart(2, '0')}` } });
      expect(await stranger).toMatchObject({ ok: false, error: { code: 'PHONE_CODE_INVALID' } });
    }
    expect(await usageCount()).toBe(TRIALS);
    expect((await charges()).every((c) => c.counted === true && c.openid.startsWith('o_owner_'))).toBe(true);
  });

  test('concurrent sends of one code by its owner all get the same answer, even when WeChat is busy', async () => {
    const TRIALS = 10;
    for (let trial = 0; trial < TRIALS; trial++) {
      const owner = `o_owner_${trial}`;
      const code = await t.mintCode({ phoneNumber: `138001380${String(trial).padStart(2, '0')}`, openid: owner });
      if (trial % 2) await fault('openapi:phonenumber.getPhoneNumber', { errcode: -1, times: 2 });
      const answers = await Promise.all([bind(code, owner), bind(code, owner), bind(code, owner)]);
      expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
      // Whatever they heard, the same code finishes on a later send.
      expect(await bind(code, owner)).toEqual({ ok: true, data: { phoneMasked: `138****80${String(trial).padStart(2, '0')}` } });
    }
    expect(await usageCount()).toBe(TRIALS);
  });
});

describe("4. the kind is the server's word", () => {
  test('a quick code claimed as real-time is recorded at 3 fen, the claim kept as a note', async () => {
    await session('o_alice');
    const code = await t.mintCode({ phoneNumber: '13800138000', openid: 'o_alice', kind: 'quick' });
    expect(await bind(code, 'o_alice', { kind: 'realtime' })).toMatchObject({ ok: true });
    expect(await charges()).toMatchObject([{ kind: 'quick', costFen: 3, claimedKind: 'realtime' }]);
    expect((await admin('usage.summary', {})).totals).toMatchObject({ quick: 1, realtime: 0 });
  });

  test('a user shown the real-time button is charged 4 fen whatever the client says', async () => {
    await setSettings({ phoneCapture: { kind: 'realtime' } });
    await session('o_alice');
    await setSettings({ phoneCapture: { kind: 'quick' } }); // changed after the button was shown
    const code = await t.mintCode({ phoneNumber: '13800138000', openid: 'o_alice', kind: 'realtime' });
    expect(await bind(code, 'o_alice', { kind: 'quick' })).toMatchObject({ ok: true });
    expect(await charges()).toMatchObject([{ kind: 'realtime', costFen: 4, claimedKind: 'quick' }]);
  });
});

describe('fault matrix (fixed seeds)', () => {
  // Its own emulator with the default exchange timeout (4 s): on a loaded machine a
  // 300 ms timeout is a real unknown outcome, which loses that user's number by design.
  let m: TestEmulator;
  beforeAll(async () => {
    m = await startEmulator({
      env: { ADMIN_OPENIDS: BOSS, PHONE_CODE_FAILURES_PER_USER_PER_DAY: String(LIMIT) },
      maxContainersPerFunction: 12,
    });
  });
  afterAll(() => m.stop());
  beforeEach(() => m.reset());

  test.each([11, 12, 13])(
    'seed %i: WeChat billed = counted = usage_daily = summary; no owner without a number; junk moves nothing',
    async (seed) => {
      const { figures, violations } = await runMatrix(m, { seed, users: 30, attackers: 4, boss: BOSS, limit: LIMIT });
      expect(violations).toEqual([]);
      expect(figures.billed).toBeGreaterThanOrEqual(30);
      expect(figures.records).toBeGreaterThan(figures.billed);
      // The first seed starts 12 cold containers: about 2 s alone, up to 40 s measured on
      // the shared 2-core machine under a load average of 23.
    },
    120_000,
  );
});

test("the login path stays lean: a returning user's bind is 8 database operations", async () => {
  const actions = async () => (await t.http<{ actions: Record<string, number> }>('GET', '/v1/stats')).body.actions;
  await session('o_alice');
  await bind(await t.mintCode({ phoneNumber: '13800138001', openid: 'o_warm' }), 'o_warm'); // the day's counter exists
  const before = await actions();
  expect(await bind(await t.mintCode({ phoneNumber: '13800138000', openid: 'o_alice' }), 'o_alice')).toMatchObject({ ok: true });
  const after = await actions();
  const diff = Object.fromEntries(
    Object.entries(after)
      .map(([k, n]) => [k, n - (before[k] ?? 0)])
      .filter(([, n]) => n !== 0),
  );
  // Read user + settings, insert the record, increment the day, store the number, mark the record; one exchange.
  // Plus the invalid-code slot (issue 24.4): taken (one insert, the user's first code today) and given back (one update).
  expect(diff).toEqual({ 'database.getDocument': 2, 'database.insertDocument': 2, 'database.modifyDocument': 4, 'wx.openApi': 1 });
});

/**
 * Issue 29, billing truth under a flash crowd: the three ways a stress run left the
 * books wrong after one cron run. Each starts from the faults that run saw, then one
 * cron run must leave counted records equal to the codes WeChat exchanged.
 */
describe('flash crowd: one cron run settles every code (issue 29)', () => {
  let f: TestEmulator;
  /** How far a test has moved the emulator's clock (and the functions'): past a record's lease. */
  let offset = 0;
  const LEASE_PLUS = 16_000;
  beforeAll(async () => {
    f = await startEmulator({
      clock: () => Date.now() + offset,
      env: {
        ADMIN_OPENIDS: BOSS,
        PHONE_CODE_FAILURES_PER_USER_PER_DAY: String(LIMIT),
        // Long enough that a loaded machine does not time out a plain exchange.
        PHONE_EXCHANGE_TIMEOUT_MS: '1500',
        // Reconciliation with WeChat's usage API runs in every cron run here.
        WECHAT_APPID: 'wx5eed1e0c0ffee001',
        WECHAT_APPSECRET: 'the-secret',
      },
      maxContainersPerFunction: 12,
    });
  });
  afterAll(() => f.stop());
  beforeEach(async () => {
    offset = 0;
    await f.reset();
  });

  const fbind = (code: string, openid: string) => callRoute(f, 'auth', 'bindPhone', { code }, openid);
  const ffault = (target: string, spec: Record<string, unknown>) => f.http('POST', '/v1/faults', { target, ...spec });
  const fcharges = () => f.docs<Charge & { sending?: unknown }>('phone_charges');
  const fusage = async () => (await f.docs<{ count: number }>('usage_daily')).reduce((sum, d) => sum + d.count, 0);
  /** Codes WeChat gave a number for: what the merchant's counters must show. */
  const exchanged = async () =>
    (await f.http<{ codes: Array<{ used: boolean }> }>('GET', '/v1/wechat/charges')).body.codes.filter((c) => c.used).length;
  const fcron = async () => dataOf('cron', await fireHourlyTimer(f));

  test('1. owed records: one cron run counts all 150, not the first 100', async () => {
    const OWED = 150;
    // Every increment fails: each bind succeeds and leaves its record owed to the counter.
    await ffault('db:modifyDocument:usage_daily', { errcode: 1, times: OWED * 2 });
    await ffault('db:insertDocument:usage_daily', { errcode: 1, times: OWED * 2 });
    const codes = await Promise.all(
      Array.from({ length: OWED }, (_, i) => f.mintCode({ phoneNumber: `1380013${String(i).padStart(4, '0')}`, openid: `o_crowd_${i}` })),
    );
    for (let i = 0; i < OWED; i += 10)
      await Promise.all(
        codes
          .slice(i, i + 10)
          .map((code, j) => fbind(code, `o_crowd_${i + j}`).then((r) => expect(r).toEqual({ ok: true, data: expect.anything() }))),
      );
    await f.http('DELETE', '/v1/faults');
    expect(await fusage()).toBe(0);

    const report = await fcron();
    expect(report.recounted).toBe(OWED);
    expect(await fusage()).toBe(OWED);
    expect(await exchanged()).toBe(OWED);
    expect((await fcron()).recounted).toBe(0);
  }, 120_000);

  test('2. phantom: WeChat throttled (45011) and every note of it was lost: not counted, explained, still bindable', async () => {
    const code = await f.mintCode({ phoneNumber: '13800138000', openid: 'o_alice' });
    await ffault('openapi:phonenumber.getPhoneNumber', { errcode: 45011 });
    await ffault('db:modifyDocument:phone_charges', { errcode: 1, times: 20 });
    await ffault('db:modifyDocument:users', { errcode: 1, times: 20 });
    await ffault('db:insertDocument:users', { errcode: 1, times: 20 });
    expect(await fbind(code, 'o_alice')).toMatchObject({ ok: false });
    await f.http('DELETE', '/v1/faults');
    expect(await fcharges()).toMatchObject([{ exchange: 'pending' }]);

    offset += LEASE_PLUS; // the request's lease has run out: nobody holds the record
    await fcron();
    // WeChat never exchanged the code: nothing may be counted for it.
    expect(await exchanged()).toBe(0);
    expect(await fusage()).toBe(0);
    const [record] = await fcharges();
    expect(record).toMatchObject({ counted: false, notCounted: 'unknown-outcome', maybeUsed: true });

    // The owner's resend still binds, and is then counted once.
    expect(await fbind(code, 'o_alice')).toEqual({ ok: true, data: { phoneMasked: '138****8000' } });
    expect((await fcron()).recounted).toBe(0);
    expect(await fusage()).toBe(1);
    expect(await exchanged()).toBe(1);
  });

  test('3. lost for good: WeChat used the code of a timed-out attempt, every record update failed; the resend is counted, not a refusal', async () => {
    const code = await f.mintCode({ phoneNumber: '13800138000', openid: 'o_alice' });
    // WeChat holds the exchange until the function gave up, then uses the code; the next call is busy.
    const held = f.emulator.faults.hold('openapi:phonenumber.getPhoneNumber');
    await ffault('openapi:phonenumber.getPhoneNumber', { errcode: -1 });
    await ffault('db:modifyDocument:phone_charges', { errcode: 1, times: 20 });
    expect(await fbind(code, 'o_alice')).toMatchObject({ ok: false, error: { code: 'UPSTREAM_UNAVAILABLE' } });
    held.release();
    await waitFor(exchanged, (n) => n === 1, 'WeChat to use the code late');
    await f.http('DELETE', '/v1/faults');

    offset += LEASE_PLUS;
    // The client resends the same code, as it should: WeChat says 40029 (used, by us).
    const resend = await fbind(code, 'o_alice');
    expect(resend).toMatchObject({ ok: false, error: { code: 'PHONE_CODE_INVALID' } });
    if (!resend.ok) expect(resend.error.message).toMatch(/earlier attempt/);
    expect(await fcharges()).toMatchObject([
      { exchange: 'failed', failure: 'used-by-earlier-attempt', billable: true, maybeUsed: true, counted: true },
    ]);
    // Not charged to the user's invalid-code limit.
    const [alice] = await f.docs<User>('users');
    expect(alice?.codeFailures?.count ?? 0).toBe(0);

    expect((await fcron()).recounted).toBe(0);
    expect(await fusage()).toBe(1);
  });

  test('3b. the same loss with cron running before the resend: unknown until then, counted once on the resend', async () => {
    const code = await f.mintCode({ phoneNumber: '13800138000', openid: 'o_alice' });
    const held = f.emulator.faults.hold('openapi:phonenumber.getPhoneNumber');
    await ffault('openapi:phonenumber.getPhoneNumber', { errcode: -1 });
    await ffault('db:modifyDocument:phone_charges', { errcode: 1, times: 20 });
    expect(await fbind(code, 'o_alice')).toMatchObject({ ok: false });
    held.release();
    await waitFor(exchanged, (n) => n === 1, 'WeChat to use the code late');
    await f.http('DELETE', '/v1/faults');

    offset += LEASE_PLUS;
    await fcron();
    expect(await fcharges()).toMatchObject([{ notCounted: 'unknown-outcome', maybeUsed: true }]);
    expect(await fbind(code, 'o_alice')).toMatchObject({ ok: false, error: { code: 'PHONE_CODE_INVALID' } });
    expect(await fcharges()).toMatchObject([{ failure: 'used-by-earlier-attempt', billable: true, counted: true }]);
    expect((await fcron()).recounted).toBe(0);
    expect(await fusage()).toBe(1);
    expect(await exchanged()).toBe(1);
  });

  test("4. unknown outcomes converge to WeChat's figure: a correction per kind and month, explained, until a resend settles them", async () => {
    const code = await f.mintCode({ phoneNumber: '13800138000', openid: 'o_alice' });
    await ffault('openapi:phonenumber.getPhoneNumber', { errcode: 45011 });
    await ffault('db:modifyDocument:phone_charges', { errcode: 1, times: 20 });
    await ffault('db:modifyDocument:users', { errcode: 1, times: 20 });
    await ffault('db:insertDocument:users', { errcode: 1, times: 20 });
    await fbind(code, 'o_alice');
    await f.http('DELETE', '/v1/faults');
    offset += LEASE_PLUS;

    // WeChat billed the tap; we hold one record whose outcome nobody knows.
    const first = await fcron();
    expect(first.reconciliation).toMatchObject({ status: 'ok', kinds: [{ kind: 'quick', wechatUsed: 1, localCharges: 0 }] });
    expect(first.corrections).toEqual([
      expect.objectContaining({ kind: 'quick', count: 1, wechatUsed: 1, localCounted: 0, unknownRecords: 1 }),
    ]);
    expect(await fusage()).toBe(0); // the counters' records stay what WeChat exchanged

    // The admin view shows the month's correction beside the counted figures, explained.
    const status = await callRoute(f, 'admin', 'quota.status', { kind: 'quick' }, BOSS);
    if (!status.ok) throw new Error(status.error.code);
    expect(status.data.reconciliation!.correction).toMatchObject({ count: 1, wechatUsed: 1, localCounted: 0, unknownRecords: 1 });
    expect(status.data.reconciliation!.correction!.explanation).toContain('补记 1 次');
    expect(status.data.reconciliation!.correction!.explanation).toContain('1 次调用结果未知');
    expect(status.data.packs.reduce((n, p) => n + p.used, 0)).toBe(0); // not drawn from the quota ledger
    const summary = await callRoute(f, 'admin', 'usage.summary', {}, BOSS);
    if (!summary.ok) throw new Error(summary.error.code);
    expect(summary.data.months.reduce((n, m) => n + m.quick, 0)).toBe(0); // nor folded into the month's calls
    // The console's billing difference says the same.
    const billing = (await f.http<ConsoleBilling>('GET', '/console/api/billing')).body;
    expect(billing.difference.byKind.quick.correction).toBe(1);
    expect(billing.difference.explanations).toContainEqual(expect.stringContaining("cron's reconciliation booked a correction of +1"));
    expect(billing.difference.explanations).toContainEqual(expect.stringContaining('1 record(s) whose outcome is unknown'));

    // The owner's resend settles it: counted once, and the correction returns to 0.
    expect(await fbind(code, 'o_alice')).toMatchObject({ ok: true });
    const second = await fcron();
    expect(second.corrections).toEqual([expect.objectContaining({ count: 0, wechatUsed: 1, localCounted: 1, unknownRecords: 0 })]);
    expect(await f.docs('usage_corrections')).toHaveLength(1);
  });

  test("24.5b: a refusal noted at 23:59:40 survives the next day's first refusal, and cron settles its record as refused", async () => {
    const CHINA = 8 * 3600_000;
    const DAY = 24 * 3600_000;
    const start = Date.now();
    const midnight = Math.floor((start + CHINA) / DAY) * DAY + DAY - CHINA; // the next midnight, China time
    offset = midnight - 20_000 - start; // 23:59:40
    await ffault('db:modifyDocument:phone_charges', { errcode: 1, times: 4 }); // the first record's own updates are lost
    expect(await fbind(junk(1), 'o_mallory')).toMatchObject({ ok: false, error: { code: 'PHONE_CODE_INVALID' } });
    offset += 30_000; // 00:00:10, the next day
    expect(await fbind(junk(2), 'o_mallory')).toMatchObject({ ok: false, error: { code: 'PHONE_CODE_INVALID' } });

    offset += LEASE_PLUS;
    expect((await fcron()).finished).toEqual({ bound: 0, refused: 1, unknown: 0 });
    expect(await fcharges()).toEqual([
      expect.objectContaining({ exchange: 'failed', failure: 'invalid-code', counted: false }),
      expect.objectContaining({ exchange: 'failed', failure: 'invalid-code', counted: false }),
    ]);
    expect(await fusage()).toBe(0);
    // The new day counts one refusal; the limit starts afresh.
    expect((await f.docs<User>('users'))[0]!.codeFailures).toMatchObject({ count: 1 });
  });

  test('24.4: 40 concurrent junk codes from one user reach WeChat no more often than the limit allows', async () => {
    const stats = async () => (await f.http<{ actions: Record<string, number> }>('GET', '/v1/stats')).body.actions['wx.openApi'] ?? 0;
    const before = await stats();
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => fbind(junk(100 + i), 'o_mallory')));
    const codes = answers.map((a) => (a.ok ? 'ok' : a.error.code));
    expect(codes.filter((c) => c === 'PHONE_CODE_INVALID')).toHaveLength(LIMIT);
    expect(codes.filter((c) => c === 'RATE_LIMITED')).toHaveLength(40 - LIMIT);
    expect(await fcharges()).toHaveLength(LIMIT);
    expect((await stats()) - before).toBe(LIMIT);
    expect((await f.docs<User>('users'))[0]!.codeFailures).toMatchObject({ count: LIMIT });
    // Codes WeChat did not refuse give their slot back: another user, and real codes, are unaffected.
    for (let i = 0; i < LIMIT + 1; i++) {
      const code = await f.mintCode({ phoneNumber: `1380013800${i}`, openid: 'o_alice' });
      expect(await fbind(code, 'o_alice')).toMatchObject({ ok: true });
    }
  });
});

describe('issue 24: limits that hold under concurrency and at clock edges', () => {
  // Its own emulator: a clock the tests move, a one-call trial (ours and WeChat's) so bought
  // packs are drawn at once, and WeChat credentials so a no-quota claim can be checked.
  let at = Date.parse('2031-03-10T02:00:00Z'); // 10:00 in China
  let u: TestEmulator;
  beforeAll(async () => {
    u = await startEmulator({
      clock: () => at,
      trialCalls: 1,
      env: { ADMIN_OPENIDS: BOSS, TRIAL_CALLS: '1', WECHAT_APPID: DEFAULT_APPID, WECHAT_APPSECRET: 'the-secret' },
      maxContainersPerFunction: 6,
    });
  });
  afterAll(() => u.stop());
  beforeEach(async () => {
    at = Date.parse('2031-03-10T02:00:00Z');
    await u.reset();
  });

  const boss = routesOf(() => u, 'admin', BOSS).data;
  const patch = async (p: SettingsPatch) => boss('settings.update', { version: (await boss('settings.get', {})).version, patch: p });
  const breaker = async () => (await boss('settings.get', {})).breaker;
  let phones = 0;
  /** One real tap and bind by `openid`; the trial's one call is used by the first. */
  const tapAndBind = async (openid: string) => {
    const code = await u.mintCode({ phoneNumber: `1380013${String(8000 + phones++)}`, openid });
    return callData(u, 'auth', 'bindPhone', { code }, openid);
  };

  /** A bind held at the code exchange (after it read the settings) while `meanwhile` runs. */
  async function bindWhile(openid: string, meanwhile: () => Promise<unknown>) {
    const code = await u.mintCode({ phoneNumber: '13900139000', openid });
    const held = u.emulator.faults.hold('openapi:phonenumber.getPhoneNumber');
    const binding = callRoute(u, 'auth', 'bindPhone', { code }, openid);
    try {
      await held.reached;
      await meanwhile();
    } finally {
      held.release();
    }
    expect(await binding).toMatchObject({ ok: true });
  }

  test.each([
    ['the daily cap was raised', { phoneCapture: { dailyCap: 100 } }],
    ['the daily cap was removed', { phoneCapture: { dailyCap: null } }],
  ])('a charge in flight trips no daily-cap breaker when %s meanwhile', async (_, change) => {
    await patch({ phoneCapture: { dailyCap: 1 } });
    await bindWhile('o_alice', () => patch(change));
    expect(await breaker()).toMatchObject({ tripped: false });
    expect(await callData(u, 'auth', 'session', {}, 'o_bob')).toMatchObject({ phoneLogin: { show: true } });
  });

  test.each([
    ['the budget was raised', { phoneCapture: { monthlyBudgetYuan: 100 } }],
    ['the account was made fee-exempt', { feeExempt: true }],
  ])('a charge in flight trips no budget breaker when %s meanwhile', async (_, change) => {
    await tapAndBind('o_trial'); // the one-call trial, free
    // 1000 calls for 30 yuan, bought in WeChat's console and recorded: 3 fen a call, so the next charge reaches a 0.03 budget.
    await u.http('POST', '/v1/wechat/packs', { calls: 1000, validityDays: 365 });
    await boss('quota.addPack', {
      calls: 1000,
      validityDays: 365,
      priceYuan: 30,
      idempotencyKey: 'pack-1',
      startsAt: new Date(at - 60_000).toISOString(),
    });
    await patch({ phoneCapture: { monthlyBudgetYuan: 0.03 } });
    await bindWhile('o_alice', () => patch(change));
    expect(await breaker()).toMatchObject({ tripped: false });
  });

  test('a limit that still holds trips as before (another setting changed meanwhile), noting the current cap', async () => {
    await patch({ phoneCapture: { dailyCap: 1 } });
    await bindWhile('o_alice', () => patch({ hidePrices: true }));
    expect(await breaker()).toMatchObject({ tripped: true, reason: 'daily-cap-reached' });
    expect(await boss('settings.get', {})).toMatchObject({ hidePrices: true });
    const audit = await u.docs<{ field: string; note?: string }>('settings_audit');
    expect(audit.find((a) => a.field === 'breaker')?.note).toMatch(/daily cap of 1$/);
  });

  const noQuota = (openid: string) => callData(u, 'auth', 'reportPhoneEvent', { type: 'no-quota', errno: 1400001 }, openid);
  const usageApiCalls = () => u.emulator.stats.actionCounts()['wechat:/wxa/charge/usage/get'] ?? 0;

  test("no crowd of accounts hides the paid button while WeChat's count shows quota left; it is asked once a minute", async () => {
    await tapAndBind('o_trial'); // WeChat's trial used up …
    await u.http('POST', '/v1/wechat/packs', { calls: 100, validityDays: 365 }); // … and a pack bought: 100 left
    const before = usageApiCalls();
    await Promise.all(Array.from({ length: 12 }, (_, i) => noQuota(`o_claimant_${i}`)));
    expect(await breaker()).toMatchObject({ tripped: false });
    expect(await callData(u, 'auth', 'session', {}, 'o_bob')).toMatchObject({ phoneLogin: { show: true } });
    expect(usageApiCalls() - before).toBe(1);
    at += 61_000; // a minute on: asked again
    await noQuota('o_claimant_late');
    expect(usageApiCalls() - before).toBe(2);
  });

  test("a single report trips the quota breaker when WeChat's count confirms none left", async () => {
    await tapAndBind('o_trial'); // the one-call trial is all WeChat had
    await noQuota('o_alice');
    expect(await breaker()).toMatchObject({ tripped: true, reason: 'quota-exhausted' });
    const audit = await u.docs<{ field: string; note?: string }>('settings_audit');
    expect(audit.find((a) => a.field === 'breaker')?.note).toMatch(/WeChat's usage API shows no quick quota left/);
  });

  test('one user flooding reports stores one per minute and asks WeChat at most once', async () => {
    const before = usageApiCalls();
    await Promise.all(Array.from({ length: 40 }, () => noQuota('o_mallory')));
    expect(await u.docs('phone_events')).toHaveLength(1);
    expect(usageApiCalls() - before).toBeLessThanOrEqual(1);
  });

  test("a pack that expires at noon is not drawn on after noon: our remaining count stays WeChat's", async () => {
    const noon = Date.parse('2031-03-10T04:00:00Z'); // 12:00 in China, the test day
    const record = async (calls: number, startsAt: number, validityDays: number, key: string) => {
      await u.http('POST', '/v1/wechat/packs', { calls, validityDays, startsAt: new Date(startsAt).toISOString() });
      const starts = new Date(startsAt).toISOString();
      await boss('quota.addPack', { calls, validityDays, startsAt: starts, priceYuan: calls * 0.03, idempotencyKey: key });
    };
    await tapAndBind('o_trial'); // the one-call trial
    await record(10, noon - 86_400_000, 1, 'short'); // expires today at noon
    await record(100, Date.parse('2031-03-01T00:00:00Z'), 365, 'year');
    for (const user of ['o_morning_1', 'o_morning_2']) await tapAndBind(user); // 10:00: from the short pack
    at = noon + 2 * 3600_000; // 14:00
    for (const user of ['o_afternoon_1', 'o_afternoon_2', 'o_afternoon_3']) await tapAndBind(user); // from the year pack
    const usage = (await u.http<{ detailList: Array<{ status: number; all: number; used: number }> }>('GET', '/v1/wechat/usage')).body;
    const wechatRemaining = usage.detailList.filter((p) => p.status === 1).reduce((sum, p) => sum + p.all - p.used, 0);
    expect(wechatRemaining).toBe(97);
    const status = await boss('quota.status', {});
    expect(status.remaining).toBe(wechatRemaining);
    expect(status.packs.filter((p) => p.calls !== 1)).toEqual([
      expect.objectContaining({ calls: 10, used: 2, status: 'expired' }),
      expect.objectContaining({ calls: 100, used: 3, status: 'active' }),
    ]);
  });
});
