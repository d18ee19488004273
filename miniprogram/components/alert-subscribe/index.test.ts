/**
 * alert-subscribe against the real admin and auth functions in a spawned emulator: the
 * admin taps 接收提醒, WeChat's sheet (played here: it records the acceptance with the
 * emulator's WeChat, as the real sheet does) is accepted, the credit shows, and a breaker
 * trip then reaches that admin as exactly one WeChat message. A rejection records
 * nothing; without ALERT_TEMPLATE_ID the feature says it is off.
 */
import path from 'node:path';
import simulate from 'miniprogram-simulate';
import { spawnEmulator, type EmulatorClient } from '../../../test/support/emulator';
import { eventually, routeCloudToEmulator, type CloudRoute } from '../../../test/support/miniprogram';

const ADMIN = 'o_admin_alerts';
const TEMPLATE = 'tmpl-alert-component';

async function mount() {
  const comp = simulate.render(simulate.load(path.join(__dirname, 'index'), 'alert-subscribe'));
  comp.attach(document.createElement('parent-wrapper'));
  await eventually(() => expect(comp.data.state).not.toBe('loading'));
  return comp;
}
type Comp = Awaited<ReturnType<typeof mount>>;
const text = (comp: Comp) => comp.dom!.textContent ?? '';

/** WeChat's subscribe sheet, answering `choice`; an acceptance is recorded with WeChat (the emulator). */
function playSheet(t: EmulatorClient, openid: string, choice: 'accept' | 'reject') {
  const asked: string[][] = [];
  (globalThis as unknown as { wx: Record<string, unknown> }).wx.requestSubscribeMessage = ({
    tmplIds,
    success,
  }: {
    tmplIds: string[];
    success(res: Record<string, string>): void;
  }) => {
    asked.push(tmplIds);
    const answer = Object.fromEntries(tmplIds.map((id) => [id, choice]));
    const recorded = choice === 'accept' ? t.http('POST', '/v1/wechat/subscriptions', { openid, templateIds: tmplIds }) : Promise.resolve();
    void recorded.then(() => success({ errMsg: 'requestSubscribeMessage:ok', ...answer }));
  };
  return asked;
}

describe('with ALERT_TEMPLATE_ID', () => {
  let t: EmulatorClient;
  let cloud: CloudRoute;
  beforeAll(async () => {
    t = await spawnEmulator({ env: { ADMIN_OPENIDS: ADMIN, ALERT_TEMPLATE_ID: TEMPLATE } });
    // A warm admin container: a cold one can take seconds on a busy machine, longer than a mount's wait.
    await t.call('admin', { $url: 'warm-up' }, 'o_warm_up');
  });
  afterAll(() => t.stop());
  beforeEach(async () => {
    await t.reset();
    jest.resetModules();
    cloud = routeCloudToEmulator(t.url, ADMIN);
  });

  test('the admin accepts on a tap; the next breaker trip reaches them as one WeChat message', async () => {
    const asked = playSheet(t, ADMIN, 'accept');
    const comp = await mount();
    expect(text(comp)).toContain('还可接收 0 条提醒');
    // The tap's handler opens the sheet before it awaits anything: WeChat opens it only inside a tap.
    (comp.instance as unknown as { onSubscribe(): void }).onSubscribe();
    expect(asked).toEqual([[TEMPLATE]]);
    await eventually(() => expect(text(comp)).toContain('还可接收 1 条提醒'));
    expect(text(comp)).toContain('已订阅');

    // A daily cap of 1 and one login: the breaker trips, and the admin hears of it.
    await t.call('admin', { $url: 'settings.update', version: 0, patch: { phoneCapture: { dailyCap: 1 } } }, ADMIN);
    const code = await t.mintCode({ phoneNumber: '13900001111', openid: 'o_shopper' });
    await t.http('PUT', '/v1/db/users/o_shopper', {
      _openid: 'o_shopper',
      appid: null,
      phone: null,
      phoneOffer: { kind: 'quick', at: new Date().toISOString() },
    });
    await t.call('auth', { $url: 'bindPhone', code, kind: 'quick' }, 'o_shopper');
    const { body } = await t.http<{ messages: Array<{ touser: string; page: string }> }>('GET', '/v1/wechat/subscribe-messages');
    expect(body.messages).toEqual([expect.objectContaining({ touser: ADMIN, page: 'admin/usage/index' })]);
  });

  test('a rejection records nothing and says how to subscribe later', async () => {
    playSheet(t, ADMIN, 'reject');
    const comp = await mount();
    comp.querySelector('.alert-subscribe__button')!.dispatchEvent('tap');
    await eventually(() => expect(text(comp)).toContain('暂不接收'));
    expect(cloud.calls.map((c) => c.data.$url)).toEqual(['alerts.status']);
    expect(await t.docs('alert_subscriptions')).toEqual([]);
  });
});

describe('without ALERT_TEMPLATE_ID', () => {
  let t: EmulatorClient;
  beforeAll(async () => {
    t = await spawnEmulator({ env: { ADMIN_OPENIDS: ADMIN } });
    // A warm admin container: a cold one can take seconds on a busy machine, longer than a mount's wait.
    await t.call('admin', { $url: 'warm-up' }, 'o_warm_up');
  });
  afterAll(() => t.stop());

  test('the feature says it is off and offers no button', async () => {
    jest.resetModules();
    routeCloudToEmulator(t.url, ADMIN);
    const comp = await mount();
    expect(comp.data.state).toBe('off');
    expect(text(comp)).toContain('提醒未开启');
    expect(comp.querySelector('.alert-subscribe__button')).toBeFalsy();
  });
});
