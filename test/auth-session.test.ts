/**
 * auth.session end to end: emulator → container → built bundle → real wx-server-sdk
 * → emulator gateway → store.
 */
import { startEmulator, type TestEmulator } from './support/emulator';
import { callData, callRoute, callRouteUnchecked } from './support/envelope';

let t: TestEmulator;
beforeAll(async () => {
  t = await startEmulator({ env: { ADMIN_OPENIDS: 'o_boss' } });
});
afterAll(() => t.stop());
beforeEach(() => t.reset());

test('first call creates the user and applies default settings', async () => {
  const answer = await callRoute(t, 'auth', 'session', {}, 'o_alice');
  expect(answer).toEqual({
    ok: true,
    data: {
      openid: 'o_alice',
      user: { phoneMasked: null, isAdmin: false },
      settings: { phoneCaptureEnabled: true, phoneKind: 'quick', hidePrices: false, hideShippingAddress: false, version: 0 },
      phoneLogin: { show: true, kind: 'quick', hiddenBecause: null },
    },
  });
  const users = await t.docs<{ _id: string; _openid: string; phone: unknown; createdAt: string }>('users');
  expect(users).toHaveLength(1);
  expect(users[0]).toMatchObject({ _id: 'o_alice', _openid: 'o_alice', phone: null });
  expect(Date.parse(users[0]!.createdAt)).not.toBeNaN();
});

test('a second call finds the same user and writes nothing', async () => {
  await t.call('auth', { $url: 'session' }, 'o_alice');
  const before = await t.docs('users');
  const { body: statsBefore } = await t.http<{ actions: Record<string, number> }>('GET', '/v1/stats');
  await t.call('auth', { $url: 'session' }, 'o_alice');
  const { body: statsAfter } = await t.http<{ actions: Record<string, number> }>('GET', '/v1/stats');
  expect(await t.docs('users')).toEqual(before);
  expect(statsAfter.actions['database.insertDocument']).toBe(statsBefore.actions['database.insertDocument']);
});

test('concurrent first calls create exactly one user', async () => {
  const answers = await Promise.all(Array.from({ length: 6 }, () => callRoute(t, 'auth', 'session', {}, 'o_rush')));
  expect(answers.every((a) => a.ok)).toBe(true);
  expect(await t.docs('users')).toHaveLength(1);
});

test('identity comes from the WeChat context, never from data', async () => {
  const answer = await callRouteUnchecked(
    t,
    'auth',
    'session',
    { openid: 'o_victim', OPENID: 'o_victim', userInfo: { openId: 'o_victim' } },
    'o_mallory',
  );
  expect(answer.ok && answer.data.openid).toBe('o_mallory');
  expect((await t.docs<{ _id: string }>('users')).map((u) => u._id)).toEqual(['o_mallory']);
});

test('no OPENID in context is UNAUTHENTICATED', async () => {
  const answer = await callRoute(t, 'auth', 'session', {}, null);
  expect(answer).toEqual({ ok: false, error: { code: 'UNAUTHENTICATED', message: expect.any(String) } });
  expect(await t.docs('users')).toHaveLength(0);
});

test('an unknown or missing $url is NOT_FOUND, in the envelope', async () => {
  expect(await t.call('auth', { $url: 'nope' })).toEqual({
    ok: false,
    error: { code: 'NOT_FOUND', message: expect.stringContaining('nope') },
  });
  expect(await t.call('auth', {})).toEqual({ ok: false, error: { code: 'NOT_FOUND', message: expect.any(String) } });
});

test('ADMIN_OPENIDS and the admins collection both make an admin', async () => {
  const boss = await callData(t, 'auth', 'session', {}, 'o_boss');
  expect(boss.user.isAdmin).toBe(true);
  await t.http('PUT', '/v1/db/admins/o_deputy', { addedBy: 'o_boss' });
  const deputy = await callData(t, 'auth', 'session', {}, 'o_deputy');
  expect(deputy.user.isAdmin).toBe(true);
});

test('stored settings shape what the user sees', async () => {
  await t.http('PUT', '/v1/db/settings/global', {
    version: 3,
    phoneCapture: { enabled: false, kind: 'realtime', monthlyBudgetYuan: null, dailyCap: null },
    hidePrices: true,
  });
  const answer = await callData(t, 'auth', 'session', {}, 'o_alice');
  expect(answer.settings).toEqual({
    phoneCaptureEnabled: false,
    phoneKind: 'realtime',
    hidePrices: true,
    hideShippingAddress: false,
    version: 3,
  });
  expect(answer.phoneLogin).toEqual({ show: false, kind: 'realtime', hiddenBecause: 'disabled' });
});

test('a session reads three documents and writes one only for a new user', async () => {
  await t.call('auth', { $url: 'session' }, 'o_counted');
  const { body } = await t.http<{ actions: Record<string, number>; containers: Record<string, { cold: number; warm: number }> }>(
    'GET',
    '/v1/stats',
  );
  expect(body.actions).toEqual({ 'database.getDocument': 3, 'database.insertDocument': 1 });
});

test('the session remembers the kind of button it showed, writing only when it changes', async () => {
  await t.call('auth', { $url: 'session' }, 'o_alice');
  expect((await t.docs<{ phoneOffer: { kind: string } }>('users'))[0]!.phoneOffer).toMatchObject({ kind: 'quick' });
  await t.http('PUT', '/v1/db/settings/global', {
    version: 1,
    phoneCapture: { enabled: true, kind: 'realtime', monthlyBudgetYuan: null, dailyCap: null },
  });
  await t.call('auth', { $url: 'session' }, 'o_alice');
  expect((await t.docs<{ phoneOffer: { kind: string } }>('users'))[0]!.phoneOffer).toMatchObject({ kind: 'realtime' });
});

describe('the buttons this phone can show (phoneButtons)', () => {
  const realtime = () =>
    t.http('PUT', '/v1/db/settings/global', {
      version: 1,
      phoneCapture: { enabled: true, kind: 'realtime', monthlyBudgetYuan: null, dailyCap: null },
    });

  test('real-time chosen, the phone can show only quick: quick is offered, and the charge is booked as quick', async () => {
    await realtime();
    const answer = await callData(t, 'auth', 'session', { phoneButtons: ['quick'] }, 'o_old_phone');
    expect(answer.phoneLogin).toEqual({ show: true, kind: 'quick', hiddenBecause: null });
    // The merchant's choice is unchanged; only this phone's offer differs.
    expect(answer.settings.phoneKind).toBe('realtime');
    const code = await t.mintCode({ phoneNumber: '13800138000', openid: 'o_old_phone', kind: 'quick' });
    // Even a client claiming real-time is booked as what it was offered.
    expect(await t.call('auth', { $url: 'bindPhone', code, kind: 'realtime' }, 'o_old_phone')).toMatchObject({ ok: true });
    expect(await t.docs('phone_charges')).toMatchObject([{ kind: 'quick', counted: true }]);
    expect(await t.docs('usage_daily')).toMatchObject([{ kind: 'quick', count: 1 }]);
  });

  test('a phone that lists real-time is offered real-time; a client that does not say gets the configured kind', async () => {
    await realtime();
    const both = await callData(t, 'auth', 'session', { phoneButtons: ['quick', 'realtime'] }, 'o_new_phone');
    expect(both.phoneLogin.kind).toBe('realtime');
    const silent = await callData(t, 'auth', 'session', {}, 'o_other');
    expect(silent.phoneLogin.kind).toBe('realtime');
  });

  test('anything else is INVALID_ARGUMENT, and nothing is written', async () => {
    for (const phoneButtons of ['realtime', ['video'], ['quick', 'realtime', 'quick'], [1]]) {
      const answer = await callRouteUnchecked(t, 'auth', 'session', { phoneButtons }, 'o_probe');
      expect(answer).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    }
    expect(await t.docs('users')).toEqual([]);
  });
});

test('one transient database error on each step is retried inside the call, not answered INTERNAL', async () => {
  for (const target of ['db:getDocument:users', 'db:getDocument:settings', 'db:insertDocument:users'])
    await t.http('POST', '/v1/faults', { target, errcode: 1 });
  const answer = await callRoute(t, 'auth', 'session', {}, 'o_alice');
  expect(answer).toMatchObject({ ok: true, data: { openid: 'o_alice', phoneLogin: { show: true } } });
  expect(await t.docs('users')).toHaveLength(1);
});
