/**
 * Inputs outside the contract are refused, naming the field, with nothing written
 * (issue 10, point 6); a number is masked however it is written (point 7);
 * quota.addPack takes an idempotency key (point 8).
 */
import { startEmulator, type TestEmulator } from './support/emulator';
import { callRouteUnchecked, routesOf } from './support/envelope';

const BOSS = 'o_boss_0001';
let t: TestEmulator;
beforeAll(async () => {
  t = await startEmulator({ env: { ADMIN_OPENIDS: BOSS } });
});
afterAll(() => t.stop());
beforeEach(() => t.reset());

const admin = routesOf(() => t, 'admin', BOSS).call;
const packs = async () => (await t.docs<{ _id: string; source: string }>('quota_packs')).filter((p) => p.source !== 'trial');

describe('money amounts and dates outside the contract', () => {
  test.each([
    ['monthlyBudgetYuan', 1e-9],
    ['monthlyBudgetYuan', 0.001],
    ['monthlyBudgetYuan', 12.345],
  ])('settings %s: %p is INVALID_ARGUMENT and changes nothing', async (field, value) => {
    const res = await admin('settings.update', { version: 0, patch: { phoneCapture: { [field]: value } } });
    expect(res).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT', message: expect.stringContaining(field) } });
    expect(await t.docs('settings_audit')).toEqual([]);
    const settings = await admin('settings.get', {});
    expect(settings).toMatchObject({ ok: true, data: { version: 0, phoneCapture: { monthlyBudgetYuan: null } } });
  });

  test.each([
    [{ priceYuan: 4e-9 }, 'priceYuan'],
    [{ priceYuan: 0.004 }, 'priceYuan'],
    [{ startsAt: '2026-02-30' }, 'startsAt'],
    [{ startsAt: '2026-02-30T00:00:00Z' }, 'startsAt'],
    [{ startsAt: '2101-01-01' }, 'startsAt'],
    [{ startsAt: '2026-12-01T25:00:00Z' }, 'startsAt'],
  ])('addPack %p is INVALID_ARGUMENT naming %s, and records no pack', async (extra, field) => {
    const res = await admin('quota.addPack', { idempotencyKey: 'test-pack-6', calls: 1000, validityDays: 365, ...extra });
    expect(res).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT', message: expect.stringContaining(field) } });
    expect(await packs()).toEqual([]);
  });

  test('the smallest amount and a leap day are fine', async () => {
    expect(
      await admin('quota.addPack', { idempotencyKey: 'test-pack-7', calls: 1, validityDays: 1, priceYuan: 0.01, startsAt: '2028-02-29' }),
    ).toMatchObject({
      ok: true,
      data: { priceYuan: '0.01' },
    });
  });
});

describe('quota.addPack idempotency key', () => {
  test('the same key sent again, or three times at once, records one pack and answers the same', async () => {
    const pack = { calls: 1000, validityDays: 365, priceYuan: 30, idempotencyKey: 'buy-2026-11-29-a' };
    const first = await admin('quota.addPack', pack);
    const again = await admin('quota.addPack', pack);
    expect(first.ok && again.ok && again.data.id === first.data.id).toBe(true);
    const concurrent = await Promise.all([1, 2, 3].map(() => admin('quota.addPack', { ...pack, idempotencyKey: 'buy-2026-11-29-b' })));
    expect(new Set(concurrent.map((r) => r.ok && r.data.id)).size).toBe(1);
    expect(await packs()).toHaveLength(2);
  });

  test('a key reused for a different pack is CONFLICT and records nothing', async () => {
    await admin('quota.addPack', { calls: 1000, validityDays: 365, idempotencyKey: 'k-1' });
    expect(await admin('quota.addPack', { calls: 2000, validityDays: 365, idempotencyKey: 'k-1' })).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT' },
    });
    expect(await packs()).toHaveLength(1);
  });

  test('without a key nothing is recorded: INVALID_ARGUMENT naming it (a retried form recorded one WeChat pack twice)', async () => {
    expect(await callRouteUnchecked(t, 'admin', 'quota.addPack', { calls: 1000, validityDays: 365 }, BOSS)).toMatchObject({
      ok: false,
      error: { code: 'INVALID_ARGUMENT', message: expect.stringContaining('idempotencyKey') },
    });
    expect(await packs()).toEqual([]);
  });

  test("a pack linked to WeChat's package (pkgId) is recorded once, whatever key a second record comes with", async () => {
    const pack = { calls: 1000, validityDays: 365, priceYuan: 30, pkgId: '4242' };
    const first = await admin('quota.addPack', { ...pack, idempotencyKey: 'pc-1' });
    expect(first).toMatchObject({ ok: true, data: { id: 'wx-4242' } });
    // The same form retried: the same pack.
    expect(await admin('quota.addPack', { ...pack, idempotencyKey: 'pc-1' })).toMatchObject({ ok: true, data: { id: 'wx-4242' } });
    // The same package recorded again from another phone, another key, even another price.
    for (const other of [
      { ...pack, idempotencyKey: 'phone-2' },
      { ...pack, priceYuan: 29, idempotencyKey: 'phone-3' },
    ])
      expect(await admin('quota.addPack', other)).toMatchObject({
        ok: false,
        error: { code: 'CONFLICT', message: expect.stringContaining('4242') },
      });
    expect(await packs()).toHaveLength(1);
  });
});

describe('numbers are masked however they are written', () => {
  const variants = [
    '138.0013.8000',
    '138_0013_8000',
    '(138)0013/8000',
    '１３８００１３８０００',
    '１３８ ００１３ ８０００',
    // issue 24: invisible separators, punctuation, superscript, circled and Chinese digits
    '138\u200b0013\u20608000',
    '138\u00ad0013\u200c\u200e8000',
    '138,0013:8000',
    '138+0013*8000',
    '138，0013：8000',
    '¹³⁸⁰⁰¹³⁸⁰⁰⁰',
    '①③⑧⓪⓪①③⑧⓪⓪⓪',
    '一三八〇〇一三八〇〇〇',
    '幺三八零零幺三八零零零',
  ];

  test.each(variants)('errMsg "%s" is stored masked', async (written) => {
    expect(
      await t.call('auth', { $url: 'reportPhoneEvent', type: 'fail', errMsg: `getPhoneNumber:fail ${written}` }, 'o_alice'),
    ).toMatchObject({ ok: true });
    const [event] = await t.docs<{ errMsg: string }>('phone_events');
    expect(event!.errMsg).toBe('getPhoneNumber:fail ' + (written.startsWith('(') || written.startsWith('（') ? '(' : '') + '138****8000');
  });

  test.each(variants)('a pack note "%s" is stored masked', async (written) => {
    await admin('quota.addPack', { idempotencyKey: 'test-pack-10', calls: 10, validityDays: 10, note: `bought by ${written}` });
    const [pack] = (await packs()) as Array<{ note?: string | null }>;
    expect(pack!.note).toBe('bought by ' + (written.startsWith('(') ? '(' : '') + '138****8000');
  });
});
