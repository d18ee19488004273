/**
 * admin.usage.summary and admin.usage.list end to end: after real binds, the summary
 * agrees with WeChat's charge ledger, priced as WeChat charges (the trial is free, a
 * pack's calls cost its price ÷ its calls); the list pages newest first, masked.
 */
import { startEmulator, type TestEmulator } from './support/emulator';
import type { Envelope, OutputOf } from '../miniprogram/contract';
import { callRouteUnchecked, routesOf } from './support/envelope';

const BOSS = 'o_boss_0001';
let t: TestEmulator;
beforeAll(async () => {
  t = await startEmulator({ env: { ADMIN_OPENIDS: BOSS } });
});
afterAll(() => t.stop());
beforeEach(() => t.reset());

const admin = routesOf(() => t, 'admin', BOSS).call;

async function bindMany(quick: number, realtime: number) {
  for (let i = 0; i < quick + realtime; i++) {
    const kind = i < quick ? 'quick' : 'realtime';
    const openid = `o_user_${String(i).padStart(4, '0')}`;
    const code = await t.mintCode({ phoneNumber: `1380000${String(i).padStart(4, '0')}`, openid, kind });
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

test("after real charges of both kinds, the summary equals WeChat's ledger; within the trial they cost nothing", async () => {
  await bindMany(5, 3);
  const ledger = (await t.http<{ byKind: { quick: number; realtime: number } }>('GET', '/v1/wechat/charges')).body.byKind;
  const res = await admin('usage.summary', {});
  expect(res.ok).toBe(true);
  if (!res.ok) return;
  // 5 × 0.03 + 3 × 0.04 at list price, all free out of the 1,000-call trials.
  expect(res.data.totals).toEqual({
    quick: ledger.quick,
    realtime: ledger.realtime,
    costYuan: '0.00',
    listValueYuan: '0.27',
    savingYuan: '0.27',
    estimatedCalls: 0,
  });
  expect(res.data.feeExempt).toBe(false);
  expect(res.data.months).toHaveLength(12);
  expect(res.data.months.at(-1)).toMatchObject({ quick: 5, realtime: 3, costYuan: '0.00', listValueYuan: '0.27' });
  expect(res.data.days).toHaveLength(30);
  expect(res.data.days.at(-1)).toMatchObject({ quick: 5, realtime: 3 });
});

test('counts on earlier days land in their China-time day and month', async () => {
  await t.http('PUT', '/v1/db/usage_daily/2026-01-15:quick', { day: '2026-01-15', kind: 'quick', count: 1000 });
  const res = await admin('usage.summary', { months: 36 });
  expect(res.ok && res.data.months.find((m) => m.month === '2026-01')).toEqual({
    month: '2026-01',
    quick: 1000,
    realtime: 0,
    costYuan: '0.00',
    listValueYuan: '30.00',
    savingYuan: '30.00',
    estimatedCalls: 0,
  });
});

test('the summary reads daily counters, packs and settings, not charges, and writes nothing', async () => {
  await bindMany(4, 0);
  t.emulator.stats.clear();
  await admin('usage.summary', {});
  const actions = t.emulator.stats.actionCounts();
  // usage_daily (all of it: the trial draws on all history), quota_packs and settings/global;
  // the admin check's read of the admins collection is skipped (ADMIN_OPENIDS).
  expect(actions).toEqual({ 'database.getDocument': 3 });
});

test('the list pages newest first with a cursor, masked numbers only', async () => {
  await bindMany(5, 0);
  const first = await admin('usage.list', { limit: 2 });
  expect(first.ok).toBe(true);
  if (!first.ok) return;
  expect(first.data.items).toHaveLength(2);
  const seen = [...first.data.items];
  let cursor = first.data.nextCursor;
  while (cursor) {
    const next = await admin('usage.list', { limit: 2, cursor });
    if (!next.ok) throw new Error(next.error.message);
    seen.push(...next.data.items);
    cursor = next.data.nextCursor;
  }
  expect(seen).toHaveLength(5);
  expect(seen.map((i) => i.phoneMasked)).toEqual(['138****0004', '138****0003', '138****0002', '138****0001', '138****0000']);
  for (const item of seen) expect(item).toMatchObject({ kind: 'quick', exchange: 'ok' });
  expect(JSON.stringify(seen)).not.toMatch(/1380000\d{4}/);
});

test('a page deep in a long list reads about one page, and charges sharing an instant are neither lost nor repeated', async () => {
  // 300 charges, three to an instant (ties are ordered by _id), newest first by index.
  const base = Date.UTC(2026, 5, 1, 4);
  for (let i = 0; i < 300; i++) {
    const at = new Date(base - Math.floor(i / 3) * 1000);
    t.emulator.store.put('phone_charges', {
      _id: `c_${String(999 - i).padStart(4, '0')}`,
      appid: 'wx_app',
      openid: `o_${i}`,
      kind: 'quick',
      costFen: 3,
      chargedAt: at,
      day: '2026-06-01',
      month: '2026-06',
      exchange: 'ok',
      billable: true,
      counted: true,
      phoneMasked: `m${i}`,
    });
  }
  const seen: string[] = [];
  const examined: number[] = [];
  let cursor: string | null = null;
  do {
    const before = t.emulator.store.queryStats().phone_charges?.examined ?? 0;
    const res: Envelope<OutputOf<'admin', 'usage.list'>> = await admin('usage.list', cursor ? { limit: 7, cursor } : { limit: 7 });
    if (!res.ok) throw new Error(res.error.message);
    examined.push((t.emulator.store.queryStats().phone_charges?.examined ?? 0) - before);
    seen.push(...res.data.items.map((i) => i.phoneMasked!));
    cursor = res.data.nextCursor;
  } while (cursor);
  expect(seen).toEqual(Array.from({ length: 300 }, (_, i) => `m${i}`));
  // Two index seeks of at most limit + 1 each, at any depth (a single $or of both was planned
  // as a scan of everything older than the cursor: 290 documents on the second page).
  expect(Math.max(...examined)).toBeLessThanOrEqual(2 * 8);
});

test.each([
  ['limit over 100', { limit: 101 }, 'limit'],
  ['limit zero', { limit: 0 }, 'limit'],
  ['a made-up cursor', { cursor: 'nonsense' }, 'cursor'],
  ['months over 36', { months: 37 }, 'months'],
])('%s is INVALID_ARGUMENT', async (_label, params, field) => {
  const url = 'months' in params ? 'usage.summary' : 'usage.list';
  expect(await callRouteUnchecked(t, 'admin', url, params, BOSS)).toMatchObject({
    ok: false,
    error: { code: 'INVALID_ARGUMENT', message: expect.stringContaining(field) },
  });
});

test('non-admins cannot read usage', async () => {
  for (const url of ['usage.summary', 'usage.list'])
    expect(await t.call('admin', { $url: url }, 'o_someone_1')).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
});
