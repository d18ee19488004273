/**
 * A claim is a compare-and-set on the record as its claimer read it: who it belongs to
 * and how its last exchange ended. The soak left an owner unbound with the generic
 * PHONE_CODE_INVALID and their billed tap uncounted (seeds 102 and 112, rare): the
 * owner read their own retriable record, a stranger took it over and was answered
 * "busy" too, and the owner's claim — which did not check whose the record was — then
 * won, so the owner's request asked WeChat for the number as the stranger. WeChat
 * refuses a code to anyone it was not issued to: the record ended the stranger's
 * invalid code, never counted, and the owner heard their own code was invalid.
 */
import { startEmulator, type TestEmulator } from './support/emulator';
import { callRoute, fireHourlyTimer } from './support/envelope';
import type { ChargeRecord } from '../cloudfunctions/_shared/domain/charge';

const BOSS = 'o_boss_0001';
/** Past a record's 15-second lease. */
const LEASE_PLUS = 16_000;
let t: TestEmulator;
/** How far a test has moved the emulator's clock (and the functions'). */
let offset = 0;
beforeAll(async () => {
  t = await startEmulator({ clock: () => Date.now() + offset, env: { ADMIN_OPENIDS: BOSS }, maxContainersPerFunction: 6 });
});
afterAll(() => t.stop());
beforeEach(async () => {
  offset = 0;
  await t.reset();
});

const bind = (code: string, openid: string) => callRoute(t, 'auth', 'bindPhone', { code }, openid);
const fault = (target: string, spec: Record<string, unknown>) => t.http('POST', '/v1/faults', { target, ...spec });
const charges = () => t.docs<ChargeRecord>('phone_charges');

test("an owner's claim of their retriable record fails once a stranger has taken it over, and the owner still binds", async () => {
  const code = await t.mintCode({ phoneNumber: '13800138000', openid: 'o_alice' });
  // Alice's first send: WeChat throttles it, nothing learnt, the code stays good.
  await fault('openapi:phonenumber.getPhoneNumber', { errcode: 45011 });
  expect(await bind(code, 'o_alice')).toMatchObject({ ok: false, error: { code: 'WECHAT_THROTTLED' } });

  // Alice resends; her request has read the record (hers, rate-limited) and its claim is
  // held, while Mallory takes the record over and is throttled too.
  const claim = t.emulator.faults.hold('db:modifyDocument:phone_charges');
  const alice = bind(code, 'o_alice');
  try {
    await claim.reached;
    await fault('openapi:phonenumber.getPhoneNumber', { errcode: 45011 });
    expect(await bind(code, 'o_mallory')).toMatchObject({ ok: false, error: { code: 'WECHAT_THROTTLED' } });
    expect(await charges()).toMatchObject([{ openid: 'o_mallory', firstSentBy: 'o_alice', exchange: 'failed', failure: 'rate-limited' }]);
  } finally {
    claim.release();
  }

  // Her claim must not win a record that is no longer as she read it: she takes it over
  // from Mallory instead, and WeChat gives her the number.
  expect(await alice).toEqual({ ok: true, data: { phoneMasked: '138****8000' } });
  expect(await charges()).toMatchObject([{ openid: 'o_alice', exchange: 'ok', billable: true, counted: true }]);
  await expectOneChargeCounted();
});

test("a stranger's stale claim never exchanges the owner's code as the owner, nor hears the owner's number", async () => {
  const code = await t.mintCode({ phoneNumber: '13800138000', openid: 'o_alice' });
  // Mallory sends Alice's code first and WeChat throttles her: the record is hers, retriable.
  await fault('openapi:phonenumber.getPhoneNumber', { errcode: 45011 });
  expect(await bind(code, 'o_mallory')).toMatchObject({ ok: false, error: { code: 'WECHAT_THROTTLED' } });

  // Mallory resends; her claim, made on the record as she read it, is held while Alice
  // takes the record over and is throttled too.
  const claim = t.emulator.faults.hold('db:modifyDocument:phone_charges');
  const mallory = bind(code, 'o_mallory');
  try {
    await claim.reached;
    await fault('openapi:phonenumber.getPhoneNumber', { errcode: 45011 });
    expect(await bind(code, 'o_alice')).toMatchObject({ ok: false, error: { code: 'WECHAT_THROTTLED' } });
  } finally {
    claim.release();
  }

  // Her claim used to win the record, now Alice's, and exchange the code as Alice:
  // Mallory was answered with Alice's masked number.
  expect(await mallory).toMatchObject({ ok: false, error: { code: 'PHONE_CODE_INVALID' } });
  expect(await bind(code, 'o_alice')).toEqual({ ok: true, data: { phoneMasked: '138****8000' } });
  expect(await charges()).toMatchObject([{ openid: 'o_alice', exchange: 'ok', counted: true }]);
  await expectOneChargeCounted();
});

test("a stranger's takeover that lands with its answer lost is carried out, never left holding the owner's record", async () => {
  const code = await t.mintCode({ phoneNumber: '13800138000', openid: 'o_alice' });
  await fault('openapi:phonenumber.getPhoneNumber', { errcode: 45011 });
  expect(await bind(code, 'o_alice')).toMatchObject({ ok: false, error: { code: 'WECHAT_THROTTLED' } });

  // Mallory's takeover lands and its answer is lost. It used to end her request there
  // (UPSTREAM_UNAVAILABLE) with the record pending under her, sent to nobody; once its
  // lease ran out her resend claimed it as a send that may have gone out, heard 40029,
  // and ended it "used by an earlier attempt" under her: Alice locked out of her code.
  await fault('db:modifyDocument:phone_charges', { errcode: 1, answerLost: true });
  expect(await bind(code, 'o_mallory')).toMatchObject({ ok: false, error: { code: 'PHONE_CODE_INVALID' } });
  offset += LEASE_PLUS;
  expect(await bind(code, 'o_mallory')).toMatchObject({ ok: false, error: { code: 'PHONE_CODE_INVALID' } });

  expect(await bind(code, 'o_alice')).toEqual({ ok: true, data: { phoneMasked: '138****8000' } });
  expect(await charges()).toMatchObject([{ openid: 'o_alice', firstSentBy: 'o_mallory', exchange: 'ok', counted: true }]);
  await expectOneChargeCounted();
});

/** Alice's one tap: used by WeChat, counted once, shown once. */
async function expectOneChargeCounted() {
  const bill = (await t.http<{ codes: Array<{ used: boolean }> }>('GET', '/v1/wechat/charges')).body;
  expect(bill.codes).toMatchObject([{ used: true }]);
  expect(await fireHourlyTimer(t)).toMatchObject({ ok: true, data: { recounted: 0 } });
  expect(await t.docs('usage_daily')).toMatchObject([{ count: 1 }]);
  const summary = await callRoute(t, 'admin', 'usage.summary', {}, BOSS);
  expect(summary).toMatchObject({ ok: true, data: { totals: { quick: 1, realtime: 0 } } });
}
