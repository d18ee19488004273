/**
 * auth.reportPhoneEvent and the quota breaker; auth.setManualPhone, the free fallback.
 */
import { startEmulator, type TestEmulator } from './support/emulator';
import { callRoute, callRouteUnchecked } from './support/envelope';

let t: TestEmulator;
/** When set, the emulator's clock (and the functions', synced at each call) stands there. */
let pinned: number | null = null;
beforeAll(async () => {
  t = await startEmulator({ clock: () => pinned ?? Date.now() });
});
afterAll(() => t.stop());
beforeEach(async () => {
  pinned = null;
  await t.reset();
});

/** Reports as a client would, or as a forged one (events outside the contract are refused). */
const report = (openid: string | null, data: Record<string, unknown>) => callRouteUnchecked(t, 'auth', 'reportPhoneEvent', data, openid);
const session = (openid: string) => callRoute(t, 'auth', 'session', {}, openid);

test('a denial is stored, with the reporter from the WeChat context', async () => {
  expect(await report('o_alice', { type: 'deny', errMsg: 'getPhoneNumber:fail user deny', openid: 'o_other' })).toEqual({
    ok: true,
    data: {},
  });
  expect(await t.docs('phone_events')).toMatchObject([
    { openid: 'o_alice', type: 'deny', errno: null, errMsg: 'getPhoneNumber:fail user deny' },
  ]);
});

test.each([
  ['an unknown type', { type: 'oops' }, 'type'],
  ['no type', {}, 'type'],
  ['a text errno', { type: 'fail', errno: 'x' }, 'errno'],
  ['a fractional errno', { type: 'fail', errno: 1.5 }, 'errno'],
  ['a 2000-character errMsg', { type: 'fail', errMsg: 'x'.repeat(2000) }, 'errMsg'],
])('a report with %s is INVALID_ARGUMENT naming the field', async (_label, data, field) => {
  expect(await report('o_alice', data)).toMatchObject({
    ok: false,
    error: { code: 'INVALID_ARGUMENT', message: expect.stringContaining(field) },
  });
  expect(await t.docs('phone_events')).toHaveLength(0);
});

test('a phone number smuggled into errMsg is masked before it is stored', async () => {
  await report('o_alice', { type: 'fail', errMsg: 'my number is 13800138000 call me' });
  const [event] = await t.docs<{ errMsg: string }>('phone_events');
  expect(event!.errMsg).toBe('my number is 138****8000 call me');
});

test('one user reporting no quota again and again does not switch phone login off', async () => {
  for (let i = 0; i < 5; i++) await report('o_mallory', { type: 'no-quota', errno: 1400001 });
  expect((await session('o_bob')).ok && (await session('o_bob'))).toMatchObject({ data: { phoneLogin: { show: true } } });
  expect(await t.docs('settings_audit')).toHaveLength(0);
});

test('three distinct users reporting no quota trip the quota breaker, audited, for everyone', async () => {
  for (const u of ['o_a', 'o_b', 'o_c']) await report(u, { type: 'no-quota', errno: 1400001 });
  expect(await session('o_new')).toMatchObject({
    ok: true,
    data: { settings: { phoneCaptureEnabled: false, version: 1 }, phoneLogin: { show: false, hiddenBecause: 'quota-exhausted' } },
  });
  const audit = await t.docs<{ by: string; field: string; to: { tripped: boolean; reason: string }; note: string }>('settings_audit');
  expect(audit).toHaveLength(1);
  expect(audit[0]).toMatchObject({ by: 'system', field: 'breaker', to: { tripped: true, reason: 'quota-exhausted' } });
  // A fourth report changes nothing more.
  await report('o_d', { type: 'no-quota', errno: 1400001 });
  expect(await t.docs('settings_audit')).toHaveLength(1);
});

test('one account flooding no-quota reports is one reporter: it neither trips the breaker nor crowds out others', async () => {
  // Reports one account made over the last minutes (a flood stores at most one a minute now; the old check read
  // 1000 events and lost every other reporter behind them).
  // The clock stands still mid-minute for the burst: one that straddled a minute would rightly store two reports.
  // Never ahead of real time: the trial pack the first session creates starts at the pinned
  // time, and a pack that starts after the clock comes back would read as no quota left.
  pinned = Math.floor((Date.now() - 30_000) / 60_000) * 60_000 + 30_000;
  const recent = pinned - 5 * 60_000;
  for (let i = 0; i < 1200; i++)
    await t.emulator.store.put('phone_events', {
      _id: `flood_${i}`,
      openid: 'o_mallory',
      type: 'no-quota',
      errno: 1400001,
      at: new Date(recent + i),
    });
  await Promise.all(Array.from({ length: 30 }, () => report('o_mallory', { type: 'no-quota', errno: 1400001 })));
  expect(await session('o_bob')).toMatchObject({ data: { phoneLogin: { show: true } } });
  expect((await t.docs('phone_events')).length).toBe(1201);
  pinned = null;
  // Mallory is one reporter, however often she reports: two more make three.
  await report('o_a', { type: 'no-quota', errno: 1400001 });
  expect(await session('o_bob')).toMatchObject({ data: { phoneLogin: { show: true } } });
  await report('o_b', { type: 'no-quota', errno: 1400001 });
  expect(await session('o_bob')).toMatchObject({ data: { phoneLogin: { show: false, hiddenBecause: 'quota-exhausted' } } });
});

test('no-quota reports spread over more than the window do not trip the breaker', async () => {
  const old = new Date(Date.now() - 11 * 60_000).toISOString();
  for (const u of ['o_a', 'o_b'])
    await t.http('PUT', `/v1/db/phone_events/old_${u}`, { openid: u, type: 'no-quota', errno: 1400001, at: { $date: old } });
  await report('o_c', { type: 'no-quota', errno: 1400001 });
  expect(await session('o_new')).toMatchObject({ data: { phoneLogin: { show: true } } });
});

describe('manual phone (the fallback)', () => {
  const setManual = (openid: string, phone: unknown) => callRouteUnchecked(t, 'auth', 'setManualPhone', { phone }, openid);

  test('a typed number is stored as unverified and never shows as a verified phone', async () => {
    expect(await setManual('o_alice', '138 0013 8000')).toEqual({ ok: true, data: { manualPhoneMasked: '138****8000', verified: false } });
    const [user] = await t.docs<{ phone: unknown; manualPhone: { number: string } }>('users');
    expect(user).toMatchObject({ phone: null, manualPhone: { number: '13800138000' } });
    // Still no verified phone: the session offers the paid button as before.
    expect(await session('o_alice')).toMatchObject({ data: { user: { phoneMasked: null }, phoneLogin: { show: true } } });
  });

  test.each([['12345'], ['23800138000'], ['1380013800x'], [42]])('%j is INVALID_ARGUMENT', async (phone) => {
    expect(await setManual('o_alice', phone)).toMatchObject({
      ok: false,
      error: { code: 'INVALID_ARGUMENT', message: expect.stringContaining('phone') },
    });
  });

  test('works for a user who opened a session first (the usual order), and can be changed', async () => {
    await session('o_alice');
    expect(await setManual('o_alice', '13800138000')).toMatchObject({ ok: true });
    expect(await setManual('o_alice', '13900139000')).toMatchObject({ ok: true, data: { manualPhoneMasked: '139****9000' } });
    expect(await t.docs('users')).toMatchObject([{ _id: 'o_alice', phone: null, manualPhone: { number: '13900139000' } }]);
  });

  test('null removes it', async () => {
    await setManual('o_alice', '13800138000');
    expect(await setManual('o_alice', null)).toEqual({ ok: true, data: { manualPhoneMasked: null, verified: false } });
    expect((await t.docs<{ manualPhone: unknown }>('users'))[0]!.manualPhone).toBeNull();
  });
});

describe('what a client sends is bounded before it is stored or logged (issue 24)', () => {
  test('an errno that is no phone-button errno (13800138000) is INVALID_ARGUMENT and nothing is stored', async () => {
    expect(await report('o_alice', { type: 'fail', errno: 13800138000 })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_ARGUMENT', message: expect.stringContaining('errno') },
    });
    expect(await t.docs('phone_events')).toHaveLength(0);
    expect(await report('o_alice', { type: 'fail', errno: 112 })).toMatchObject({ ok: true });
  });

  test('an unknown $url is logged by its length, never as sent (it was "tel:13800138000")', async () => {
    const lines = () =>
      t.emulator.invocationLog
        .recent()
        .flatMap((e) => (e.type === 'log' ? [e.line] : []))
        .filter((line) => line.includes('"fn":"auth"'));
    const before = lines().length;
    for (const url of ['tel:13800138000', `x${'y'.repeat(100_000)}`])
      expect(await t.call('auth', { $url: url }, 'o_alice')).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    const logged = lines().slice(before).join('\n');
    expect(logged).toContain('"route":"(unknown, 15 characters)"');
    expect(logged).toContain('"route":"(unknown, 100001 characters)"');
    expect(logged).not.toMatch(/tel:|yyyy|\*\*\*\*/);
  });
});
