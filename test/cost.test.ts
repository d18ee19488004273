/**
 * Cost as WeChat charges it, end to end (issue 17's evidence): with a 5-call trial,
 * real charges inside it cost 0.00 and a budget of 0.01 stays untripped; after it, each
 * charge costs the unit price of the pack it drew from, and the summary's true cost is
 * what the pack's price says (exact: 5 calls at 2.8 fen are 0.14, not 5 × 0.03 = 0.15).
 * A fee-exempt account costs nothing and gets no pack advice.
 */
import { startEmulator, type TestEmulator } from './support/emulator';
import type { SettingsPatch } from '../miniprogram/contract';
import { callRoute, routesOf } from './support/envelope';

const BOSS = 'o_boss_0001';
let t: TestEmulator;
beforeAll(async () => {
  t = await startEmulator({ env: { ADMIN_OPENIDS: BOSS, TRIAL_CALLS: '5' } });
});
afterAll(() => t.stop());
beforeEach(() => t.reset());

const admin = routesOf(() => t, 'admin', BOSS).data;
const auth = routesOf(() => t, 'auth', BOSS).data;
const settings = () => admin('settings.get', {});
const update = async (patch: SettingsPatch) => admin('settings.update', { version: (await settings()).version, patch });
const summary = () => admin('usage.summary', { months: 1 });
const status = () => admin('quota.status', {});
const showsButton = async () => (await auth('session', {}, 'o_newcomer')).phoneLogin.show;

let users = 0;
/** A user taps the (quick) button, WeChat bills the code, and the user binds with it. */
async function bind(count: number) {
  for (let i = 0; i < count; i++) {
    const openid = `o_payer_${users++}`;
    await auth('session', {}, openid); // the server shows this user the quick button
    const code = await t.mintCode({ phoneNumber: `1390000${String(users).padStart(4, '0')}`, openid, kind: 'quick' });
    await auth('bindPhone', { code }, openid);
  }
}

test("inside a 5-call trial charges cost 0.00 and a 0.01 budget holds; after it each costs its pack's unit price", async () => {
  await update({ phoneCapture: { monthlyBudgetYuan: 0.01 } });
  await bind(3);
  expect((await summary()).totals).toEqual({
    quick: 3,
    realtime: 0,
    costYuan: '0.00',
    listValueYuan: '0.09',
    savingYuan: '0.09',
    estimatedCalls: 0,
  });
  expect((await settings()).breaker.tripped).toBe(false);
  expect(await showsButton()).toBe(true);

  // A 1,000,000-call pack bought for 28,000.00: 2.8 fen a call.
  await admin('quota.addPack', { idempotencyKey: 'test-pack-11', calls: 1_000_000, validityDays: 365, priceYuan: 28000 });
  await bind(2); // the trial's last two
  expect((await summary()).totals.costYuan).toBe('0.00');
  expect((await settings()).breaker.tripped).toBe(false);

  await bind(1); // the first paid call: 2.8 fen ≥ 1 fen
  expect((await summary()).totals).toMatchObject({ quick: 6, costYuan: '0.03', listValueYuan: '0.18' });
  expect((await settings()).breaker).toMatchObject({ tripped: true, reason: 'budget-reached' });
  expect(await showsButton()).toBe(false);
  const audit = (await t.docs<{ by: string; note: string }>('settings_audit')).filter((a) => a.by === 'system');
  expect(audit).toEqual([expect.objectContaining({ note: "this month's cost 0.03 reached the budget of 0.01" })]);

  await bind(4);
  // Five paid calls: 5 × 28,000.00 ÷ 1,000,000 = 0.14 exactly (rounding each call would say 0.15).
  const ledger = (await t.http<{ byKind: { quick: number } }>('GET', '/v1/wechat/charges')).body.byKind;
  expect(ledger.quick).toBe(10);
  expect((await summary()).totals).toEqual({
    quick: 10,
    realtime: 0,
    costYuan: '0.14',
    listValueYuan: '0.30',
    savingYuan: '0.16',
    estimatedCalls: 0,
  });
  const s = await status();
  expect(s.packs.map((p) => [p.source, p.used, p.perCallYuan, p.usedCostYuan])).toEqual([
    ['trial', 5, '0.00', '0.00'],
    ['self', 5, '0.028', '0.14'],
  ]);
  expect(s.cost).toEqual({ costYuan: '0.14', listValueYuan: '0.30', savingYuan: '0.16', estimatedCalls: 0 });
});

test('a fee-exempt account: cost 0 whatever it used, no pack advice, no run-out day, the budget never trips', async () => {
  await update({ feeExempt: true, phoneCapture: { monthlyBudgetYuan: 0.01 } });
  await bind(8); // 3 beyond the trial, with no pack recorded
  expect(await summary()).toMatchObject({
    feeExempt: true,
    totals: { quick: 8, costYuan: '0.00', listValueYuan: '0.24', estimatedCalls: 0 },
  });
  expect((await settings()).breaker.tripped).toBe(false);
  const s = await status();
  expect(s).toMatchObject({
    feeExempt: true,
    recommendation: null,
    forecast: { exhaustsOn: null, monthlyCostYuan: '0.00' },
    cost: { costYuan: '0.00' },
  });
  // Without the exemption the same 3 uncovered calls are priced at the list price, as an estimate.
  await update({ feeExempt: false });
  expect((await summary()).totals).toMatchObject({ costYuan: '0.09', estimatedCalls: 3 });
  const audits = (await t.docs<{ field: string; by: string }>('settings_audit')).filter((a) => a.field === 'feeExempt');
  expect(audits.map((a) => a.by)).toEqual([BOSS, BOSS]);
});

test('junk codes cost nothing: with the trial used up and a 0.01 budget, made-up codes never trip it', async () => {
  await update({ phoneCapture: { monthlyBudgetYuan: 0.01 } });
  await admin('quota.addPack', { idempotencyKey: 'test-pack-12', calls: 1000, validityDays: 365, priceYuan: 30 });
  await bind(5); // the whole trial: free
  for (let i = 0; i < 5; i++) {
    const answer = await callRoute(t, 'auth', 'bindPhone', { code: `${'f'.repeat(40)}${String(i).padStart(8, '0')}` }, 'o_mallory');
    expect(answer).toMatchObject({ ok: false, error: { code: 'PHONE_CODE_INVALID' } });
  }
  expect((await summary()).totals).toMatchObject({ quick: 5, costYuan: '0.00' });
  expect((await settings()).breaker.tripped).toBe(false);
  expect(await showsButton()).toBe(true);
});
