/**
 * Alerts as subscribe messages, end to end: an admin accepts the alert template (WeChat
 * records a credit; alerts.subscribe records ours), a charge trips the daily cap, and
 * the auth request that tripped it sends exactly one message to that admin — none to an
 * admin without a credit; cron then sends nothing new. A send WeChat refuses (43101)
 * spends no credit; 47003 is shown to admins as a configuration problem; bad input is
 * refused and changes nothing; without ALERT_TEMPLATE_ID the feature says it is off.
 */
import { startEmulator, type TestEmulator } from './support/emulator';
import { callData, callRoute } from './support/envelope';

const BOSS = 'o_boss_0001';
const DEPUTY = 'o_deputy_0002';
const TEMPLATE = 'tmpl-quota-alert-0001';
const APPID = 'wx5eed1e0c0ffee001';

interface Message {
  touser: string;
  templateId: string;
  page: string | null;
  data: Record<string, { value: string }>;
  at: string;
}

const messages = async (t: TestEmulator) => (await t.http<{ messages: Message[] }>('GET', '/v1/wechat/subscribe-messages')).body.messages;

/** The admin taps 接收提醒 and accepts: WeChat gives a credit, then the page tells alerts.subscribe. */
async function subscribe(t: TestEmulator, openid: string, { atWechat = true } = {}) {
  if (atWechat) await t.http('POST', '/v1/wechat/subscriptions', { openid, templateIds: [TEMPLATE] });
  return callData(t, 'admin', 'alerts.subscribe', { accepted: [TEMPLATE] }, openid);
}

let users = 0;
/** A user binds a phone: one counted charge (and, under a cap of 1, the trip). */
async function bindOne(t: TestEmulator) {
  const openid = `o_user_${users++}`;
  const code = await t.mintCode({ phoneNumber: `1390000${String(users).padStart(4, '0')}`, openid });
  await t.http('PUT', `/v1/db/users/${openid}`, {
    _openid: openid,
    appid: null,
    phone: null,
    phoneOffer: { kind: 'quick', at: new Date().toISOString() },
  });
  expect(await t.call('auth', { $url: 'bindPhone', code, kind: 'quick' }, openid)).toMatchObject({ ok: true });
}

async function capAtOne(t: TestEmulator) {
  const { version } = await callData(t, 'admin', 'settings.get', {}, BOSS);
  await callData(t, 'admin', 'settings.update', { version, patch: { phoneCapture: { dailyCap: 1 } } }, BOSS);
}

describe('with ALERT_TEMPLATE_ID set', () => {
  let t: TestEmulator;
  beforeAll(async () => {
    t = await startEmulator({ env: { ADMIN_OPENIDS: `${BOSS},${DEPUTY}`, ALERT_TEMPLATE_ID: TEMPLATE } });
  });
  afterAll(() => t.stop());
  beforeEach(() => t.reset());

  test('a tripped breaker sends exactly one message to the subscribed admin, none to the other; cron sends nothing new', async () => {
    expect(await subscribe(t, BOSS)).toEqual({ templateId: TEMPLATE, credits: 1, problem: null });
    await capAtOne(t);
    await bindOne(t);

    const sent = await messages(t);
    expect(sent).toEqual([expect.objectContaining({ touser: BOSS, templateId: TEMPLATE, page: 'admin/usage/index' })]);
    expect(sent[0]!.data.thing1!.value).toBe('手机号登录已暂停（熔断）');
    expect(Array.from(sent[0]!.data.thing3!.value).length).toBeLessThanOrEqual(20);
    expect(sent[0]!.data.time2!.value).toMatch(/^\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}$/);
    expect(await callData(t, 'admin', 'alerts.status', {}, BOSS)).toEqual({ templateId: TEMPLATE, credits: 0, problem: null });

    // The admin subscribes again; the hourly run sees the same trip and sends nothing new.
    await subscribe(t, BOSS);
    expect(await t.http('POST', '/v1/functions/cron/triggers/hourly')).toMatchObject({ status: 200, body: { result: { ok: true } } });
    expect(await messages(t)).toHaveLength(1);
    expect(await callData(t, 'admin', 'alerts.status', {}, BOSS)).toMatchObject({ credits: 1 });
    expect(await t.docs('alert_sends')).toEqual([expect.objectContaining({ openid: BOSS, status: 'sent' })]);
  });

  test('with two admins subscribed and one not, each subscribed admin gets exactly one message', async () => {
    const CLERK = 'o_clerk_0004';
    await callData(t, 'admin', 'admins.add', { openid: CLERK }, BOSS);
    await subscribe(t, BOSS);
    await subscribe(t, DEPUTY);
    await capAtOne(t);
    await bindOne(t);
    await t.http('POST', '/v1/functions/cron/triggers/hourly');
    expect((await messages(t)).map((m) => m.touser).sort()).toEqual([BOSS, DEPUTY].sort());
  });

  test("cron sends the quota alert it writes and the quota breaker's trip, each once", async () => {
    await subscribe(t, BOSS);
    await subscribe(t, BOSS);
    // The whole 1,000-call trial used today: nothing left.
    const day = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    await t.http('PUT', `/v1/db/usage_daily/${day}:quick`, { day, kind: 'quick', count: 1000 });
    const hourly = () => t.http('POST', '/v1/functions/cron/triggers/hourly');
    expect(await hourly()).toMatchObject({ body: { result: { ok: true, data: { breakers: { tripped: 'quota-exhausted' } } } } });
    expect((await messages(t)).map((m) => m.data.thing1!.value).sort()).toEqual(['快速验证额度已用完', '手机号登录已暂停（熔断）']);
    await subscribe(t, BOSS);
    await hourly();
    expect(await messages(t)).toHaveLength(2);
  });

  test('a send WeChat refuses (43101: it holds no subscription) spends no credit and is noted', async () => {
    await subscribe(t, BOSS, { atWechat: false });
    await capAtOne(t);
    await bindOne(t);
    expect(await messages(t)).toEqual([]);
    expect(await callData(t, 'admin', 'alerts.status', {}, BOSS)).toMatchObject({ credits: 1, problem: null });
    expect(await t.docs('alert_sends')).toEqual([expect.objectContaining({ openid: BOSS, status: 'refused', errcode: 43101 })]);
  });

  test('47003 (template data invalid) is a configuration problem every admin sees; the credit is kept', async () => {
    await subscribe(t, BOSS);
    await t.http('POST', '/v1/faults', { target: 'openapi:subscribeMessage.send', errcode: 47003 });
    await capAtOne(t);
    await bindOne(t);
    expect(await messages(t)).toEqual([]);
    const problem = { errcode: 47003, message: expect.stringContaining('ALERT_TEMPLATE_FIELDS'), at: expect.any(String) };
    expect(await callData(t, 'admin', 'alerts.status', {}, BOSS)).toMatchObject({ credits: 1, problem });
    expect(await callData(t, 'admin', 'alerts.status', {}, DEPUTY)).toMatchObject({ credits: 0, problem });
  });

  test('an admin removed after subscribing hears nothing', async () => {
    const FORMER = 'o_former_0003';
    await callData(t, 'admin', 'admins.add', { openid: FORMER }, BOSS);
    await subscribe(t, FORMER);
    await callData(t, 'admin', 'admins.remove', { openid: FORMER }, BOSS);
    await subscribe(t, BOSS);
    await capAtOne(t);
    await bindOne(t);
    expect((await messages(t)).map((m) => m.touser)).toEqual([BOSS]);
  });

  test('bad input is refused with a typed error and changes nothing', async () => {
    await subscribe(t, BOSS);
    const refused = async (params: unknown, code = 'INVALID_ARGUMENT', openid = BOSS) =>
      expect(await t.call('admin', { $url: 'alerts.subscribe', ...(params as object) }, openid)).toMatchObject({
        ok: false,
        error: { code },
      });
    await refused({ accepted: ['tmpl-someone-elses'] });
    await refused({ accepted: [TEMPLATE, 'tmpl-someone-elses'] });
    await refused({ accepted: [] });
    await refused({ accepted: 'tmpl-quota-alert-0001' });
    await refused({ accepted: Array(6).fill(TEMPLATE) });
    await refused({ accepted: [TEMPLATE] }, 'FORBIDDEN', 'o_not_an_admin');
    expect(await callData(t, 'admin', 'alerts.status', {}, BOSS)).toMatchObject({ credits: 1 });
    expect(await t.docs('alert_subscriptions')).toHaveLength(1);
  });

  test('the emulator serves subscribeMessage.send over HTTPS too: 47003 before any credit, 43101 without one', async () => {
    const token = (
      await t.http<{ access_token: string }>('POST', '/wechat/cgi-bin/stable_token', {
        grant_type: 'client_credential',
        appid: APPID,
        secret: 'x',
      })
    ).body.access_token;
    const send = async (data: object) =>
      (
        await t.http<{ errcode: number }>('POST', `/wechat/cgi-bin/message/subscribe/send?access_token=${token}`, {
          touser: BOSS,
          template_id: TEMPLATE,
          page: 'p',
          data,
        })
      ).body;
    await t.http('POST', '/v1/wechat/subscriptions', { openid: BOSS, templateIds: [TEMPLATE] });
    expect(await send({ thing1: { value: '一二三四五六七八九十一二三四五六七八九十一' } })).toMatchObject({ errcode: 47003 });
    expect(await send({ phrase2: { value: '已暂停了吗啊' } })).toMatchObject({ errcode: 47003 });
    expect(await send({ thing1: { value: '已暂停' }, time2: { value: '2026年12月7日 10:05' } })).toMatchObject({ errcode: 0 });
    expect(await send({ thing1: { value: '已暂停' } })).toMatchObject({ errcode: 43101 });
    expect(await messages(t)).toEqual([
      {
        touser: BOSS,
        templateId: TEMPLATE,
        page: 'p',
        data: { thing1: { value: '已暂停' }, time2: { value: '2026年12月7日 10:05' } },
        at: expect.any(String),
      },
    ]);
  });
});

describe('deployed by the CLI (no cloud-call permission)', () => {
  let t: TestEmulator;
  beforeAll(async () => {
    t = await startEmulator({
      openapiPermission: 'none',
      env: { ADMIN_OPENIDS: BOSS, ALERT_TEMPLATE_ID: TEMPLATE, WECHAT_APPID: APPID, WECHAT_APPSECRET: 'x' },
    });
  });
  afterAll(() => t.stop());

  test("the message goes over WeChat's HTTPS API instead, once", async () => {
    await subscribe(t, BOSS);
    await capAtOne(t);
    await bindOne(t);
    expect(await messages(t)).toEqual([expect.objectContaining({ touser: BOSS, templateId: TEMPLATE })]);
    const { body } = await t.http<{ actions: Record<string, number> }>('GET', '/v1/stats');
    expect(body.actions['wechat:/cgi-bin/message/subscribe/send']).toBe(1);
  });
});

describe('with an ALERT_TEMPLATE_FIELDS that cannot be read', () => {
  let t: TestEmulator;
  beforeAll(async () => {
    t = await startEmulator({
      env: { ADMIN_OPENIDS: BOSS, ALERT_TEMPLATE_ID: TEMPLATE, ALERT_TEMPLATE_FIELDS: 'thing1=title,price2=amount' },
    });
  });
  afterAll(() => t.stop());

  test('admins are told, and a trip sends nothing and claims nothing (it goes out once the fields are fixed)', async () => {
    await subscribe(t, BOSS);
    expect(await callData(t, 'admin', 'alerts.status', {}, BOSS)).toMatchObject({
      credits: 1,
      problem: { errcode: null, message: expect.stringContaining('"price2=amount"') },
    });
    await capAtOne(t);
    await bindOne(t);
    expect(await messages(t)).toEqual([]);
    expect(await t.docs('alert_notices')).toEqual([]);
  });
});

describe('without ALERT_TEMPLATE_ID', () => {
  let t: TestEmulator;
  beforeAll(async () => {
    t = await startEmulator({ env: { ADMIN_OPENIDS: BOSS } });
  });
  afterAll(() => t.stop());

  test('the feature says it is off, and subscribing is refused and stores nothing', async () => {
    expect(await callRoute(t, 'admin', 'alerts.status', {}, BOSS)).toEqual({
      ok: true,
      data: { templateId: null, credits: 0, problem: null },
    });
    expect(await callRoute(t, 'admin', 'alerts.subscribe', { accepted: [TEMPLATE] }, BOSS)).toMatchObject({
      ok: false,
      error: { code: 'INVALID_ARGUMENT', message: expect.stringContaining('ALERT_TEMPLATE_ID') },
    });
    expect(await t.docs('alert_subscriptions')).toEqual([]);
  });
});
