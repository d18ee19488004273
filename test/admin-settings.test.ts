/**
 * The admin function end to end: access, settings with optimistic concurrency and an
 * audit trail, clearing a breaker, and the admins list.
 */
import { startEmulator, type TestEmulator } from './support/emulator';
import type { Settings, SettingsPatch } from '../miniprogram/contract';
import { callRouteUnchecked, routesOf } from './support/envelope';

interface Audit {
  at: string;
  by: string;
  field: string;
  from: unknown;
  to: unknown;
}

const BOSS = 'o_boss_0001';
let t: TestEmulator;
beforeAll(async () => {
  t = await startEmulator({ env: { ADMIN_OPENIDS: BOSS } });
});
afterAll(() => t.stop());
beforeEach(() => t.reset());

const admin = routesOf(() => t, 'admin', BOSS).call;
const update = (version: number, patch: SettingsPatch, openid: string | null = BOSS) =>
  admin('settings.update', { version, patch }, openid);
/** A patch the contract would refuse, sent anyway. */
const updateUnchecked = (version: number, patch: unknown) => callRouteUnchecked(t, 'admin', 'settings.update', { version, patch }, BOSS);
/** The audit trail, oldest first. */
const audit = async () => (await t.docs<Audit>('settings_audit')).sort((a, b) => a.at.localeCompare(b.at));

describe('access', () => {
  test.each(['settings.get', 'settings.update', 'admins.list', 'admins.add', 'admins.remove'] as const)(
    '%s: non-admin is FORBIDDEN, no OPENID is UNAUTHENTICATED',
    async (url) => {
      const params = { version: 0, patch: { hidePrices: true }, openid: 'o_someone' };
      expect(await callRouteUnchecked(t, 'admin', url, params, 'o_user_0001')).toMatchObject({
        ok: false,
        error: { code: 'FORBIDDEN' },
      });
      expect(await callRouteUnchecked(t, 'admin', url, {}, null)).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    },
  );

  test('a non-admin cannot change settings, nothing is written', async () => {
    await update(0, { phoneCapture: { enabled: false } }, 'o_user_0001');
    expect(await t.docs('settings')).toEqual([]);
    expect(await audit()).toEqual([]);
  });

  test('an admin from the admins collection has access too', async () => {
    await t.http('PUT', '/v1/db/admins/o_deputy_01', { addedBy: BOSS, addedAt: { $date: '2026-01-01T00:00:00Z' } });
    expect(await admin('settings.get', {}, 'o_deputy_01')).toMatchObject({ ok: true });
  });
});

describe('settings', () => {
  test('defaults when nothing is stored', async () => {
    expect(await admin('settings.get', {})).toEqual({
      ok: true,
      data: {
        _id: 'global',
        version: 0,
        updatedAt: null,
        updatedBy: null,
        phoneCapture: { enabled: true, kind: 'quick', monthlyBudgetYuan: null, dailyCap: null },
        breaker: { tripped: false, reason: null, at: null },
        hidePrices: false,
        hideShippingAddress: false,
        feeExempt: false,
      },
    });
  });

  test('an admin changes settings: version bumps, who and when recorded, each field audited', async () => {
    const res = await update(0, { phoneCapture: { enabled: false, monthlyBudgetYuan: 12.5, dailyCap: 100 }, hidePrices: true });
    expect(res).toMatchObject({
      ok: true,
      data: {
        version: 1,
        updatedBy: BOSS,
        hidePrices: true,
        phoneCapture: { enabled: false, kind: 'quick', monthlyBudgetYuan: 12.5, dailyCap: 100 },
      },
    });
    expect(await admin('settings.get', {})).toMatchObject({ data: { version: 1 } });
    const entries = await audit();
    expect(entries.map((e) => e.field).sort()).toEqual([
      'hidePrices',
      'phoneCapture.dailyCap',
      'phoneCapture.enabled',
      'phoneCapture.monthlyBudgetYuan',
    ]);
    expect(entries.find((e) => e.field === 'phoneCapture.enabled')).toMatchObject({ by: BOSS, from: true, to: false });
  });

  test('a stale version is CONFLICT and writes nothing', async () => {
    await update(0, { hidePrices: true });
    const stale = await update(0, { hideShippingAddress: true });
    expect(stale).toMatchObject({ ok: false, error: { code: 'CONFLICT', message: expect.stringContaining('version') } });
    expect(await t.docs<Settings>('settings')).toMatchObject([{ version: 1, hideShippingAddress: false }]);
    expect(await audit()).toHaveLength(1);
  });

  test('two admins saving the same version at once: exactly one wins', async () => {
    const results = await Promise.all([update(0, { hidePrices: true }), update(0, { hideShippingAddress: true })]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok)).toMatchObject([{ error: { code: 'CONFLICT' } }]);
    expect(await t.docs<Settings>('settings')).toMatchObject([{ version: 1 }]);
    expect(await audit()).toHaveLength(1);
  });

  test('a patch that changes nothing keeps the version and writes no audit', async () => {
    expect(await update(0, { hidePrices: false })).toMatchObject({ ok: true, data: { version: 0 } });
    expect(await audit()).toHaveLength(0);
  });

  test.each([
    ['an unknown key', { hidePricez: true }, 'hidePricez'],
    ['a budget outside phoneCapture', { monthlyBudgetYuan: 50 }, '{ "phoneCapture": { "monthlyBudgetYuan": … } }'],
    ['an unknown nested key', { phoneCapture: { enabledd: true } }, 'enabledd'],
    ['a wrong type', { hidePrices: 'yes' }, 'hidePrices'],
    ['a bad kind', { phoneCapture: { kind: 'slow' } }, 'phoneCapture.kind'],
    ['a negative budget', { phoneCapture: { monthlyBudgetYuan: -1 } }, 'monthlyBudgetYuan'],
    ['a zero budget', { phoneCapture: { monthlyBudgetYuan: 0 } }, 'monthlyBudgetYuan'],
    ['a budget with three decimals', { phoneCapture: { monthlyBudgetYuan: 1.234 } }, 'monthlyBudgetYuan'],
    ['a fractional cap', { phoneCapture: { dailyCap: 2.5 } }, 'dailyCap'],
    ['a zero cap', { phoneCapture: { dailyCap: 0 } }, 'dailyCap'],
    ['tripping the breaker by hand', { breaker: { tripped: true } }, 'breaker.tripped'],
    ['writing the breaker reason', { breaker: { tripped: false, reason: null } }, 'reason'],
    ['writing the version', { version: 9 }, 'version'],
    ['not an object', 'x', 'patch'],
  ])('%s is INVALID_ARGUMENT naming the field, nothing written', async (_label, patch, field) => {
    const res = await updateUnchecked(0, patch);
    expect(res).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT', message: expect.stringContaining(field) } });
    expect(await t.docs('settings')).toEqual([]);
  });

  test.each([
    [{ phoneCapture: { dailyCap: 2.5 } }, 'patch.phoneCapture.dailyCap'],
    [{ phoneCapture: { kind: 'slow' } }, 'patch.phoneCapture.kind'],
    [{ hidePrices: 'yes' }, 'patch.hidePrices'],
  ])('%j is refused with error.field %s, the dot path a client maps to its label', async (patch, field) => {
    expect(await updateUnchecked(0, patch)).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT', field } });
  });

  test('budgets and caps can be cleared with null; 0.29 yuan is two decimals', async () => {
    const first = await update(0, { phoneCapture: { monthlyBudgetYuan: 0.29, dailyCap: 5 } });
    expect(first).toMatchObject({ ok: true, data: { phoneCapture: { monthlyBudgetYuan: 0.29, dailyCap: 5 } } });
    expect(await update(1, { phoneCapture: { monthlyBudgetYuan: null, dailyCap: null } })).toMatchObject({
      ok: true,
      data: { phoneCapture: { monthlyBudgetYuan: null, dailyCap: null } },
    });
  });
});

describe('the breaker', () => {
  async function trip() {
    for (const u of ['o_a', 'o_b', 'o_c']) await t.call('auth', { $url: 'reportPhoneEvent', type: 'no-quota', errno: 1400001 }, u);
  }

  test('an admin clears a tripped breaker; it is audited and users see the button again', async () => {
    await trip();
    const tripped = await admin('settings.get', {});
    expect(tripped).toMatchObject({ ok: true, data: { breaker: { tripped: true, reason: 'quota-exhausted' } } });
    const version = tripped.ok ? tripped.data.version : -1;
    expect(await update(version, { breaker: { tripped: false } })).toMatchObject({
      ok: true,
      data: { breaker: { tripped: false, reason: null, at: null } },
    });
    expect((await audit()).map((e) => [e.by, e.field])).toEqual([
      ['system', 'breaker'],
      [BOSS, 'breaker'],
    ]);
    expect(await t.call('auth', { $url: 'session' }, 'o_new')).toMatchObject({ data: { phoneLogin: { show: true } } });
  });
});

test('turning capture off hides the button for everyone on their next session', async () => {
  const before = await t.call('auth', { $url: 'session' }, 'o_user_0001');
  expect(before).toMatchObject({ data: { phoneLogin: { show: true } } });
  await update(0, { phoneCapture: { enabled: false } });
  for (const u of ['o_user_0001', 'o_user_0002']) {
    expect(await t.call('auth', { $url: 'session' }, u)).toMatchObject({
      data: { settings: { phoneCaptureEnabled: false, version: 1 }, phoneLogin: { show: false, hiddenBecause: 'disabled' } },
    });
  }
});

describe('admins', () => {
  test('list shows ADMIN_OPENIDS and collection admins; add is idempotent and audited', async () => {
    expect(await admin('admins.list', {})).toEqual({
      ok: true,
      data: { admins: [{ openid: BOSS, source: 'env', addedBy: null, addedAt: null }] },
    });
    await admin('admins.add', { openid: 'o_deputy_01' });
    const again = await admin('admins.add', { openid: 'o_deputy_01' });
    expect(again.ok && again.data.admins.map((a) => [a.openid, a.source])).toEqual([
      [BOSS, 'env'],
      ['o_deputy_01', 'collection'],
    ]);
    expect(await audit()).toMatchObject([{ field: 'admins', to: 'o_deputy_01', by: BOSS }]);
    expect(await admin('settings.get', {}, 'o_deputy_01')).toMatchObject({ ok: true });
  });

  test('remove takes access away; unknown is NOT_FOUND; ADMIN_OPENIDS ones are CONFLICT', async () => {
    await admin('admins.add', { openid: 'o_deputy_01' });
    expect(await admin('admins.remove', { openid: 'o_deputy_01' })).toMatchObject({ ok: true });
    expect(await admin('settings.get', {}, 'o_deputy_01')).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await admin('admins.remove', { openid: 'o_nobody_01' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await admin('admins.remove', { openid: BOSS })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
  });

  test('bad openids are INVALID_ARGUMENT', async () => {
    for (const openid of ['', 'a b c d e f', 'x', 42])
      expect(await callRouteUnchecked(t, 'admin', 'admins.add', { openid }, BOSS)).toMatchObject({
        ok: false,
        error: { code: 'INVALID_ARGUMENT' },
      });
  });
});

test('the last admin cannot be removed', async () => {
  const solo = await startEmulator({ env: {} });
  try {
    await solo.http('PUT', '/v1/db/admins/o_only_admin', { addedBy: 'setup', addedAt: { $date: '2026-01-01T00:00:00Z' } });
    const res = await solo.call('admin', { $url: 'admins.remove', openid: 'o_only_admin' }, 'o_only_admin');
    expect(res).toMatchObject({ ok: false, error: { code: 'CONFLICT', message: expect.stringContaining('last admin') } });
    expect(await solo.docs('admins')).toHaveLength(1);
  } finally {
    await solo.stop();
  }
});
