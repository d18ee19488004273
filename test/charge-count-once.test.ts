/**
 * A charge is counted once even when the day's increment lands and its answer is lost:
 * the request cannot tell a lost answer from a failed write, and whoever counts the
 * record later (a replay, cron) must not add it a second time. Each test checks what the
 * merchant sees against WeChat's bill: usage_daily = counted records = usage.summary =
 * the codes WeChat exchanged.
 */
import { startEmulator, type TestEmulator } from './support/emulator';
import { callRoute } from './support/envelope';
import type { ChargeRecord } from '../cloudfunctions/_shared/domain/charge';

const BOSS = 'o_boss_0001';
let t: TestEmulator;
/** How far a test has moved the emulator's clock (and the functions'). */
let offset = 0;
beforeAll(async () => {
  t = await startEmulator({
    clock: () => Date.now() + offset,
    env: { ADMIN_OPENIDS: BOSS },
    maxContainersPerFunction: 6,
  });
});
afterAll(() => t.stop());
beforeEach(async () => {
  offset = 0;
  await t.reset();
});

let serial = 0;
/** A real code of `openid`'s, bound; answers the envelope. */
async function bindNew(openid: string) {
  const code = await t.mintCode({ phoneNumber: `1380013${String(serial++).padStart(4, '0')}`, openid });
  return callRoute(t, 'auth', 'bindPhone', { code }, openid);
}
const fault = (target: string, spec: Record<string, unknown>) => t.http('POST', '/v1/faults', { target, ...spec });
const clearFaults = () => t.http('DELETE', '/v1/faults');
const charges = () => t.docs<ChargeRecord>('phone_charges');
const usageTotal = async () => (await t.docs<{ count: number }>('usage_daily')).reduce((n, d) => n + d.count, 0);
const cron = async () => {
  const res = (
    await t.http<{ result: { ok: boolean; data: { recounted: number; finished: Record<string, number> } } }>(
      'POST',
      '/v1/functions/cron/triggers/hourly',
    )
  ).body.result;
  if (!res.ok) throw new Error('cron failed');
  return res.data;
};

/** The books agree with WeChat's bill: each exchanged code counted once, everywhere. */
async function expectBooksAgree(exchanged: number) {
  expect((await t.http<{ total: number }>('GET', '/v1/wechat/charges')).body.total).toBe(exchanged);
  expect(await usageTotal()).toBe(exchanged);
  expect((await charges()).filter((c) => c.counted === true)).toHaveLength(exchanged);
  const summary = await callRoute(t, 'admin', 'usage.summary', {}, BOSS);
  if (!summary.ok) throw new Error(summary.error.code);
  expect(summary.data.totals.quick + summary.data.totals.realtime).toBe(exchanged);
}

describe("the day's increment lands and its answer is lost", () => {
  beforeEach(async () => {
    // Someone bound earlier today: the day's counter exists, so the increment is one update.
    expect(await bindNew('o_early')).toMatchObject({ ok: true });
  });

  test('the record is owed, and cron marks it without counting it again', async () => {
    await fault('db:modifyDocument:usage_daily', { errcode: 1, answerLost: true });
    expect(await bindNew('o_alice')).toMatchObject({ ok: true });
    expect(await usageTotal()).toBe(2); // the increment landed
    expect(await charges()).toContainEqual(expect.objectContaining({ openid: 'o_alice', notCounted: 'count-failed' }));
    expect(await cron()).toMatchObject({ recounted: 0 }); // marked, not added
    await expectBooksAgree(2);
    expect(await charges()).toMatchObject([
      { counted: true, notCounted: null },
      { counted: true, notCounted: null },
    ]);
    expect(await cron()).toMatchObject({ recounted: 0 });
    await expectBooksAgree(2);
  });

  test("and the record's update fails for good: the pending record is finished and counted once", async () => {
    await fault('db:modifyDocument:usage_daily', { errcode: 1, answerLost: true, times: 10 });
    await fault('db:modifyDocument:phone_charges', { errcode: 1, times: 10 });
    expect(await bindNew('o_alice')).toMatchObject({ ok: true });
    await clearFaults();
    expect((await charges()).filter((c) => c.exchange === 'pending')).toHaveLength(1);
    expect((await cron()).finished).toMatchObject({ bound: 1 });
    expect(await cron()).toMatchObject({ recounted: 0 });
    await expectBooksAgree(2);
  });
});

test('the first charge of a day: its insert lands with the answer lost, counted once', async () => {
  await fault('db:insertDocument:usage_daily', { errcode: 1, answerLost: true, times: 10 });
  expect(await bindNew('o_alice')).toMatchObject({ ok: true });
  await clearFaults();
  await cron();
  await expectBooksAgree(1);
});

test('an owed record replayed while cron recounts it is counted once', async () => {
  expect(await bindNew('o_early')).toMatchObject({ ok: true });
  // Increments all answer lost, the mark too: the replay and cron both find it owed.
  const code = await t.mintCode({ phoneNumber: '13800138999', openid: 'o_alice' });
  await fault('db:modifyDocument:usage_daily', { errcode: 1, answerLost: true, times: 10 });
  await fault('db:modifyDocument:phone_charges', { errcode: 1, times: 4 });
  expect(await callRoute(t, 'auth', 'bindPhone', { code }, 'o_alice')).toMatchObject({ ok: true });
  await clearFaults();
  const [replayed] = await Promise.all([callRoute(t, 'auth', 'bindPhone', { code }, 'o_alice'), cron()]);
  expect(replayed).toEqual({ ok: true, data: { phoneMasked: '138****8999' } });
  await cron();
  await expectBooksAgree(2);
});

test('a request that dies after counting, with the number never stored: cron ends it number-lost, counted once', async () => {
  expect(await bindNew('o_early')).toMatchObject({ ok: true });
  // The increment lands; then every write of the number and of the record fails, as
  // when the function dies right after counting.
  await fault('db:modifyDocument:users', { errcode: 1, times: 20 });
  await fault('db:insertDocument:users', { errcode: 1, times: 20 });
  await fault('db:modifyDocument:phone_charges', { errcode: 1, times: 20 });
  expect(await bindNew('o_alice')).toMatchObject({ ok: false, error: { code: 'UPSTREAM_UNAVAILABLE' } });
  await clearFaults();
  expect(await usageTotal()).toBe(2);
  expect(await charges()).toContainEqual(expect.objectContaining({ openid: 'o_alice', exchange: 'pending' }));
  offset += 16_000; // past the record's 15-second lease
  expect((await cron()).finished).toMatchObject({ unknown: 0 });
  expect(await charges()).toContainEqual(
    expect.objectContaining({ openid: 'o_alice', exchange: 'failed', failure: 'number-lost', billable: true, counted: true }),
  );
  await expectBooksAgree(2);
});

test("a stranger's refusal retried after a lost answer never overwrites the owner's bind", async () => {
  const code = await t.mintCode({ phoneNumber: '13800138000', openid: 'o_alice' });
  // Mallory sends Alice's code first and is refused; her mark lands with its answer
  // lost, and its retry is held until Alice has taken the record over and bound it.
  await fault('db:modifyDocument:phone_charges', { errcode: 1, answerLost: true });
  const retry = t.emulator.faults.hold('db:modifyDocument:phone_charges');
  const mallory = callRoute(t, 'auth', 'bindPhone', { code }, 'o_mallory');
  try {
    await retry.reached;
    expect(await callRoute(t, 'auth', 'bindPhone', { code }, 'o_alice')).toEqual({ ok: true, data: { phoneMasked: '138****8000' } });
  } finally {
    retry.release();
  }
  expect(await mallory).toMatchObject({ ok: false, error: { code: 'PHONE_CODE_INVALID' } });
  expect(await charges()).toMatchObject([{ openid: 'o_alice', exchange: 'ok', billable: true, counted: true, firstSentBy: 'o_mallory' }]);
  expect(await callRoute(t, 'auth', 'bindPhone', { code }, 'o_alice')).toEqual({ ok: true, data: { phoneMasked: '138****8000' } });
  await cron();
  await expectBooksAgree(1);
});
