/**
 * auth.bindPhone end to end: every WeChat charge is recorded exactly once, a user is
 * charged at most once per code, and the number lives only in `users`.
 */
import { startEmulator, type TestEmulator } from './support/emulator';
import { callRoute, callRouteUnchecked } from './support/envelope';

interface Charge {
  _id: string;
  openid: string;
  kind: string;
  costFen: number;
  day: string;
  month: string;
  exchange: string;
  failure: string | null;
  errcode: number | null;
  attempts: number;
  billable: boolean | null;
  counted: boolean | null;
  notCounted: string | null;
  phoneMasked: string | null;
}
interface WeChatCharges {
  total: number;
  byKind: Record<string, number>;
  codes: Array<{ code: string; exchanges: number }>;
}

let t: TestEmulator;
/** How far a test has moved the emulator's clock (and the functions'). */
let offset = 0;
beforeAll(async () => {
  t = await startEmulator({
    clock: () => Date.now() + offset,
    env: { PHONE_CODE_FAILURES_PER_USER_PER_DAY: '3', PHONE_EXCHANGE_TIMEOUT_MS: '300' },
  });
});
afterAll(() => t.stop());
beforeEach(async () => {
  offset = 0;
  await t.reset();
});

/** Unchecked: tests send malformed codes and forged fields too. */
const bind = (code: unknown, openid: string | null = 'o_alice', extra: Record<string, unknown> = {}) =>
  callRouteUnchecked(t, 'auth', 'bindPhone', { code, ...extra }, openid);
const wechat = async () => (await t.http<WeChatCharges>('GET', '/v1/wechat/charges')).body;
const charges = () => t.docs<Charge>('phone_charges');
const fault = (target: string, spec: Record<string, unknown>) => t.http('POST', '/v1/faults', { target, ...spec });
/** The server showed this user the button of `kind` (as auth.session remembers it). */
const offered = (openid: string, kind: 'quick' | 'realtime') =>
  t.http('PUT', `/v1/db/users/${openid}`, {
    _openid: openid,
    appid: null,
    phone: null,
    phoneOffer: { kind, at: new Date().toISOString() },
  });

/** Every collection except users, as text: no raw number may appear in it. */
async function everythingButUsers(): Promise<string> {
  const names = ['phone_charges', 'phone_events', 'usage_daily', 'settings', 'settings_audit', 'admins'];
  return JSON.stringify(await Promise.all(names.map((n) => t.docs(n))));
}

test('a new code binds the number, records one charge and counts the day', async () => {
  const code = await t.mintCode({ phoneNumber: '13800138000', openid: 'o_alice' });
  expect(await bind(code)).toEqual({ ok: true, data: { phoneMasked: '138****8000' } });

  const [charge] = await charges();
  expect(charge).toMatchObject({
    openid: 'o_alice',
    kind: 'quick',
    costFen: 3,
    exchange: 'ok',
    attempts: 1,
    counted: true,
    phoneMasked: '138****8000',
  });
  expect(charge!.day).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  expect(charge!.month).toBe(charge!.day.slice(0, 7));
  // The counter lists the charge it counted (docs/charges.md, "Counted once").
  expect(await t.docs('usage_daily')).toEqual([
    { _id: `${charge!.day}:quick`, day: charge!.day, kind: 'quick', count: 1, counted: [charge!._id] },
  ]);

  const [user] = await t.docs<{ _id: string; _openid: string; phone: Record<string, unknown> }>('users');
  expect(user).toMatchObject({
    _id: 'o_alice',
    _openid: 'o_alice',
    phone: { phoneNumber: '13800138000', purePhoneNumber: '13800138000', countryCode: '86', kind: 'quick', chargeId: charge!._id },
  });
  expect((await everythingButUsers()).includes('13800138000')).toBe(false);
  // The code itself is not stored either: only its hash.
  expect(JSON.stringify(await charges())).not.toContain(code);
});

test('after binding, the session hides the paid button and shows the masked number', async () => {
  await bind(await t.mintCode({ phoneNumber: '13912345678', openid: 'o_alice' }));
  const session = await callRoute(t, 'auth', 'session', {}, 'o_alice');
  expect(session).toMatchObject({
    ok: true,
    data: { user: { phoneMasked: '139****5678' }, phoneLogin: { show: false, hiddenBecause: 'already-bound' } },
  });
});

test('the usual order: session first (phone: null), then bind', async () => {
  await t.call('auth', { $url: 'session' }, 'o_alice');
  expect(await bind(await t.mintCode({ phoneNumber: '13800138000', openid: 'o_alice' }))).toEqual({
    ok: true,
    data: { phoneMasked: '138****8000' },
  });
  expect((await t.docs<{ phone: { phoneNumber: string } }>('users'))[0]!.phone.phoneNumber).toBe('13800138000');
});

test('the same code again answers the same, with no second charge and no second exchange', async () => {
  const code = await t.mintCode({ phoneNumber: '13800138000', openid: 'o_alice' });
  const first = await bind(code);
  const again = await bind(code);
  expect(again).toEqual(first);
  expect(await charges()).toHaveLength(1);
  expect((await wechat()).codes[0]!.exchanges).toBe(1);
  expect((await t.docs<{ count: number }>('usage_daily'))[0]!.count).toBe(1);
});

test('concurrent double submits: one record, one exchange, the same answer for all', async () => {
  const code = await t.mintCode({ phoneNumber: '13800138000', openid: 'o_alice' });
  const answers = await Promise.all(Array.from({ length: 5 }, () => bind(code)));
  for (const a of answers) expect(a).toEqual({ ok: true, data: { phoneMasked: '138****8000' } });
  expect(await charges()).toHaveLength(1);
  expect((await wechat()).codes[0]!.exchanges).toBe(1);
  expect((await t.docs<{ count: number }>('usage_daily'))[0]!.count).toBe(1);
});

test("someone else's code binds nothing, is still a recorded charge, and its owner can still use it", async () => {
  const code = await t.mintCode({ phoneNumber: '13800138000', openid: 'o_alice' });
  expect(await bind(code, 'o_mallory')).toMatchObject({ ok: false, error: { code: 'PHONE_CODE_INVALID' } });
  expect((await t.docs<{ _id: string; phone: unknown }>('users')).filter((u) => u.phone)).toEqual([]);
  expect(await charges()).toMatchObject([{ exchange: 'failed', failure: 'invalid-code', errcode: 40029 }]);

  expect(await bind(code, 'o_alice')).toEqual({ ok: true, data: { phoneMasked: '138****8000' } });
  expect(await charges()).toMatchObject([{ openid: 'o_alice', exchange: 'ok' }]);
  expect((await wechat()).total).toBe(1);
});

test('an expired or already used code is PHONE_CODE_INVALID, and the charge is recorded', async () => {
  const expired = await t.mintCode({ phoneNumber: '13800138000', openid: 'o_alice', ttlMs: 1 });
  offset += 60_000; // the code has expired
  expect(await bind(expired)).toMatchObject({ ok: false, error: { code: 'PHONE_CODE_INVALID' } });

  const used = await t.mintCode({ phoneNumber: '13800138001', openid: 'o_bob' });
  await bind(used, 'o_bob');
  // The same code from another app instance is a different charge id… but here the same
  // user retrying after success just gets the stored answer; a used code from elsewhere:
  const elsewhere = await t.mintCode({ phoneNumber: '13800138002', openid: 'o_carol' });
  await t.emulator.sandbox.exchange({ code: elsewhere, openid: 'o_carol' }, t.emulator.appid);
  expect(await bind(elsewhere, 'o_carol')).toMatchObject({ ok: false, error: { code: 'PHONE_CODE_INVALID' } });

  expect(await charges()).toHaveLength(3);
  expect((await wechat()).total).toBe(3);
  expect((await t.docs<{ _id: string; phone: unknown }>('users')).filter((u) => u.phone).map((u) => u._id)).toEqual(['o_bob']);
});

test('WeChat busy once: retried within the call and bound', async () => {
  await fault('openapi:phonenumber.getPhoneNumber', { errcode: -1 });
  const code = await t.mintCode({ phoneNumber: '13800138000', openid: 'o_alice' });
  expect(await bind(code)).toEqual({ ok: true, data: { phoneMasked: '138****8000' } });
  expect(await charges()).toMatchObject([{ exchange: 'ok', attempts: 2 }]);
});

test('WeChat busy twice: UPSTREAM_UNAVAILABLE, charge kept as failed, the same code completes later', async () => {
  await fault('openapi:phonenumber.getPhoneNumber', { errcode: -1, times: 2 });
  const code = await t.mintCode({ phoneNumber: '13800138000', openid: 'o_alice' });
  expect(await bind(code)).toMatchObject({ ok: false, error: { code: 'UPSTREAM_UNAVAILABLE' } });
  expect(await charges()).toMatchObject([{ exchange: 'failed', failure: 'upstream', errcode: -1 }]);

  expect(await bind(code)).toEqual({ ok: true, data: { phoneMasked: '138****8000' } });
  expect(await charges()).toMatchObject([{ exchange: 'ok', attempts: 3 }]);
  expect((await t.docs<{ count: number }>('usage_daily'))[0]!.count).toBe(1);
});

test('WeChat not answering in time: UPSTREAM_UNAVAILABLE after one send (a second could only hear 40029)', async () => {
  // Held until the attempt has given up: a latch, not a delay raced against the timeout.
  const held = t.emulator.faults.hold('openapi:phonenumber.getPhoneNumber');
  try {
    const code = await t.mintCode({ phoneNumber: '13800138000', openid: 'o_alice' });
    expect(await bind(code)).toMatchObject({ ok: false, error: { code: 'UPSTREAM_UNAVAILABLE' } });
    expect(await charges()).toMatchObject([{ exchange: 'failed', failure: 'upstream', attempts: 1, maybeUsed: true }]);
  } finally {
    held.release();
  }
});

test('WeChat throttling (45011) is WECHAT_THROTTLED, not our own RATE_LIMITED, and the same code binds later', async () => {
  await fault('openapi:phonenumber.getPhoneNumber', { errcode: 45011 });
  const code = await t.mintCode({ phoneNumber: '13800138000', openid: 'o_alice' });
  expect(await bind(code)).toMatchObject({ ok: false, error: { code: 'WECHAT_THROTTLED' } });
  expect(await bind(code)).toEqual({ ok: true, data: { phoneMasked: '138****8000' } });
});

describe('database failures around the exchange', () => {
  test('recording the charge fails for good: nothing is asked of WeChat, and a retry works', async () => {
    await fault('db:insertDocument:phone_charges', { errcode: 1, times: 4 });
    const code = await t.mintCode({ phoneNumber: '13800138000', openid: 'o_alice' });
    expect(await bind(code)).toMatchObject({ ok: false, error: { code: 'UPSTREAM_UNAVAILABLE' } });
    expect((await wechat()).codes[0]!.exchanges).toBe(0);
    expect(await bind(code)).toEqual({ ok: true, data: { phoneMasked: '138****8000' } });
  });

  test('one failed write of the record is retried in the same call: the user never sees it', async () => {
    await fault('db:insertDocument:phone_charges', { errcode: 1 });
    const code = await t.mintCode({ phoneNumber: '13800138000', openid: 'o_alice' });
    expect(await bind(code)).toEqual({ ok: true, data: { phoneMasked: '138****8000' } });
    expect(await t.docs('phone_charges')).toHaveLength(1);
  });

  test('storing the number fails after WeChat answered: it is retried and not lost', async () => {
    await fault('db:modifyDocument:users', { errcode: 1, times: 2 });
    const code = await t.mintCode({ phoneNumber: '13800138000', openid: 'o_alice' });
    await t.call('auth', { $url: 'session' }, 'o_alice');
    expect(await bind(code)).toEqual({ ok: true, data: { phoneMasked: '138****8000' } });
    expect((await t.docs<{ phone: { phoneNumber: string } }>('users'))[0]!.phone.phoneNumber).toBe('13800138000');
  });

  test('marking the charge fails after the number is stored: the user is bound, a replay completes the record', async () => {
    const code = await t.mintCode({ phoneNumber: '13800138000', openid: 'o_alice' });
    // The mark is tried four times: fail them all.
    await fault('db:modifyDocument:phone_charges', { errcode: 1, times: 4 });
    expect(await bind(code)).toEqual({ ok: true, data: { phoneMasked: '138****8000' } });
    expect(await charges()).toMatchObject([{ exchange: 'pending' }]);
    expect(await bind(code)).toEqual({ ok: true, data: { phoneMasked: '138****8000' } });
    expect(await charges()).toMatchObject([{ exchange: 'ok', counted: true }]);
    expect((await wechat()).codes[0]!.exchanges).toBe(1);
    expect((await t.docs<{ count: number }>('usage_daily'))[0]!.count).toBe(1);
  });

  test('the settings read failing does not cost the login or the count of a user who opened a session', async () => {
    await t.call('auth', { $url: 'session' }, 'o_alice');
    await fault('db:getDocument:settings', { errcode: 1 });
    const code = await t.mintCode({ phoneNumber: '13800138000', openid: 'o_alice' });
    // The kind comes from what the session showed this user.
    expect(await bind(code, 'o_alice', { kind: 'quick' })).toEqual({ ok: true, data: { phoneMasked: '138****8000' } });
    expect(await charges()).toMatchObject([{ exchange: 'ok', counted: true }]);
    expect(await t.docs('usage_daily')).toEqual([expect.objectContaining({ kind: 'quick', count: 1 })]);
  });

  test('the usage counter failing does not cost the user the login; the charge says it is owed', async () => {
    await fault('db:modifyDocument:usage_daily', { errcode: 1 });
    const code = await t.mintCode({ phoneNumber: '13800138000', openid: 'o_alice' });
    expect(await bind(code)).toEqual({ ok: true, data: { phoneMasked: '138****8000' } });
    expect(await charges()).toMatchObject([{ exchange: 'ok', billable: true, counted: null, notCounted: 'count-failed' }]);
  });
});

test('a real-time code is priced at 4 fen and counted as real-time', async () => {
  await offered('o_alice', 'realtime');
  const code = await t.mintCode({ phoneNumber: '13800138000', openid: 'o_alice', kind: 'realtime' });
  await bind(code, 'o_alice', { kind: 'realtime' });
  expect(await charges()).toMatchObject([{ kind: 'realtime', costFen: 4 }]);
  expect((await t.docs<{ _id: string }>('usage_daily')).map((d) => d._id)[0]).toMatch(/:realtime$/);
});

test("without kind, the admin's configured kind prices the charge", async () => {
  await t.http('PUT', '/v1/db/settings/global', {
    version: 1,
    phoneCapture: { enabled: true, kind: 'realtime', monthlyBudgetYuan: null, dailyCap: null },
  });
  await bind(await t.mintCode({ phoneNumber: '13800138000', openid: 'o_alice', kind: 'realtime' }));
  expect(await charges()).toMatchObject([{ kind: 'realtime', costFen: 4 }]);
});

test('a user with a verified phone who sends a new code gets the new number', async () => {
  await bind(await t.mintCode({ phoneNumber: '13800138000', openid: 'o_alice' }));
  expect(await bind(await t.mintCode({ phoneNumber: '13700137000', openid: 'o_alice' }))).toEqual({
    ok: true,
    data: { phoneMasked: '137****7000' },
  });
  expect((await t.docs<{ phone: { phoneNumber: string } }>('users'))[0]!.phone.phoneNumber).toBe('13700137000');
  expect(await charges()).toHaveLength(2);
});

test('real codes are never limited per user: WeChat billed each one already', async () => {
  for (let i = 0; i < 5; i++) expect((await bind(await t.mintCode({ phoneNumber: `1380013800${i}`, openid: 'o_alice' }))).ok).toBe(true);
  expect(await charges()).toHaveLength(5);
  expect((await t.docs<{ count: number }>('usage_daily'))[0]!.count).toBe(5);
});

test('foreign numbers keep their prefix on the user and are masked elsewhere', async () => {
  const code = await t.mintCode({ phoneNumber: '91234567', countryCode: '852', openid: 'o_hk' });
  expect(await bind(code, 'o_hk')).toEqual({ ok: true, data: { phoneMasked: '+85*****4567' } });
  expect((await t.docs<{ phone: { phoneNumber: string; countryCode: string } }>('users'))[0]!.phone).toMatchObject({
    phoneNumber: '+85291234567',
    countryCode: '852',
  });
  expect(await everythingButUsers()).not.toContain('91234567');
});

describe('bad input', () => {
  test.each([
    ['missing', undefined],
    ['empty', ''],
    ['blank', '   '],
    ['a number', 42],
    ['an object', { code: 'x' }],
    ['600 characters', 'x'.repeat(600)],
  ])('a code that is %s is INVALID_ARGUMENT and records nothing', async (_label, code) => {
    expect(await bind(code)).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT', message: expect.stringContaining('code') } });
    expect(await charges()).toHaveLength(0);
  });

  test('an unknown kind is INVALID_ARGUMENT', async () => {
    expect(await bind('abc', 'o_alice', { kind: 'fast' })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
  });

  test('no OPENID is UNAUTHENTICATED', async () => {
    expect(await bind('abc', null)).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    expect(await charges()).toHaveLength(0);
  });

  test('an openid in data is ignored', async () => {
    const code = await t.mintCode({ phoneNumber: '13800138000', openid: 'o_alice' });
    await bind(code, 'o_alice', { openid: 'o_victim' });
    expect((await t.docs<{ _id: string }>('users')).map((u) => u._id)).toEqual(['o_alice']);
  });
});

test('ledger agreement: a mixed run leaves exactly one charge record per WeChat charge', async () => {
  const users = ['o_1', 'o_2', 'o_3', 'o_4'];
  const kindOf = (i: number) => (i % 2 ? 'realtime' : 'quick');
  const codes = await Promise.all(users.map((u, i) => t.mintCode({ phoneNumber: `1390000000${i}`, openid: u, kind: kindOf(i) })));
  await Promise.all(users.map((u, i) => offered(u, kindOf(i))));
  await fault('openapi:phonenumber.getPhoneNumber', { errcode: -1, times: 3 });
  // Each code sent twice at once, as a double tap on a slow network would.
  await Promise.all(codes.flatMap((code, i) => [bind(code, users[i]!, { kind: kindOf(i) }), bind(code, users[i]!, { kind: kindOf(i) })]));
  const mine = await charges();
  const theirs = await wechat();
  expect(mine).toHaveLength(theirs.total);
  expect(mine.filter((c) => c.kind === 'realtime')).toHaveLength(theirs.byKind.realtime!);
  expect(await everythingButUsers()).not.toMatch(/1390000000\d/);
});
