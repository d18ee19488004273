/**
 * quick-login against the real auth function in a spawned emulator: which button it
 * shows, and every branch of the button's callback — success, retry of the same code,
 * denial, no quota, privacy errors, other failures — plus the free fallback.
 */
import path from 'node:path';
import simulate from 'miniprogram-simulate';
import { spawnEmulator, type EmulatorClient } from '../../../test/support/emulator';
import { attr, eventually, routeCloudToEmulator, type CloudRoute } from '../../../test/support/miniprogram';
import { stubWx, type WxStub } from '../../../test/support/miniprogram-wx';

let t: EmulatorClient;
let cloud: CloudRoute;
let wxStub: WxStub;
const inFlight: Array<Promise<unknown>> = [];
const USER = 'o_phone_user';
const ADMIN = 'o_phone_admin';

beforeAll(async () => {
  // The deployed exchange timeout: no test here times an exchange out, and a short one made
  // every exchange on a busy machine a race.
  t = await spawnEmulator({ env: { ADMIN_OPENIDS: ADMIN } });
});
afterAll(() => t.stop());
beforeEach(async () => {
  await t.reset();
  jest.resetModules(); // a fresh session cache, as on a fresh launch
  cloud = routeCloudToEmulator(t.url, USER);
  const api = (globalThis as unknown as { wx: { cloud: { callFunction(o: unknown): Promise<unknown> } } }).wx.cloud;
  const call = api.callFunction.bind(api);
  api.callFunction = (o) => {
    const p = call(o);
    inFlight.push(p.catch(() => undefined));
    return p;
  };
  wxStub = stubWx();
});
afterEach(async () => {
  wxStub.restore();
  // Fire-and-forget reports and retries in flight must land before the next test resets
  // the emulator: wait until no call has started for longer than a retry delay.
  for (let seen = -1; seen !== cloud.calls.length;) {
    seen = cloud.calls.length;
    await Promise.all(inFlight.splice(0));
    await simulate.sleep(50);
  }
});

/** The component as registered in this test's module registry: another page's instance reuses it (same launch). */
let loaded: string | undefined;
beforeEach(() => (loaded = undefined));
async function mount() {
  loaded ??= simulate.load(path.join(__dirname, 'index'), 'quick-login');
  const comp = simulate.render(loaded, { retryDelays: [20, 20] });
  comp.attach(document.createElement('parent-wrapper'));
  await eventually(() => expect(comp.data.state).not.toBe('loading'));
  return comp;
}

type Comp = Awaited<ReturnType<typeof mount>>;
const button = (comp: Comp) => comp.querySelector('.quick-login__button');
/** Fires the button's callback as WeChat does; handlers run on the next tick. */
const tap = async (comp: Comp, detail: Record<string, unknown>) => {
  const b = button(comp)!;
  b.dispatchEvent(attr(b, 'openType') === 'getRealtimePhoneNumber' ? 'getrealtimephonenumber' : 'getphonenumber', { detail });
  await simulate.sleep(0);
};
const press = async (
  node: { dispatchEvent(name: string, options?: { detail?: unknown }): void } | undefined,
  name = 'tap',
  detail?: unknown,
) => {
  node!.dispatchEvent(name, detail === undefined ? undefined : { detail });
  await simulate.sleep(0);
};
const doneEvents = (comp: Comp) => {
  const events: unknown[] = [];
  // j-component supports listening on the root; its typings omit it.
  (comp as unknown as { addEventListener(name: string, fn: (e: { detail: unknown }) => void): void }).addEventListener('done', (e) =>
    events.push(e.detail),
  );
  return events;
};
const routes = () => cloud.calls.map((c) => `${c.name}.${String(c.data.$url)}`);

describe('which button', () => {
  test("a new user sees the quick button, without WeChat's own no-quota toast", async () => {
    const comp = await mount();
    const b = button(comp);
    expect(b).toBeTruthy();
    expect(attr(b!, 'openType')).toBe('getPhoneNumber');
    // {{false}}, the boolean: the string "false" is reported not to switch the toast off.
    expect(attr(b!, 'phoneNumberNoQuotaToast')).toBe(false);
    expect(comp.querySelector('.quick-login__continue')).toBeFalsy();
    expect(routes()).toEqual(['auth.session']);
  });

  test('the real-time kind renders the real-time button', async () => {
    await t.http('PUT', '/v1/db/settings/global', {
      version: 1,
      phoneCapture: { enabled: true, kind: 'realtime', monthlyBudgetYuan: null, dailyCap: null },
    });
    const comp = await mount();
    expect(attr(button(comp)!, 'openType')).toBe('getRealtimePhoneNumber');
  });

  test('when phone capture is off the button is hidden and the free fallback shown', async () => {
    await t.http('PUT', '/v1/db/settings/global', {
      version: 2,
      phoneCapture: { enabled: false, kind: 'quick', monthlyBudgetYuan: null, dailyCap: null },
    });
    const comp = await mount();
    expect(button(comp)).toBeFalsy();
    expect(comp.querySelector('.quick-login__continue')).toBeTruthy();
    expect(comp.data.hiddenBecause).toBe('disabled');
  });

  test('a user whose phone is bound never sees the paid button again', async () => {
    const code = await t.mintCode({ phoneNumber: '13800138000', openid: USER });
    await t.call('auth', { $url: 'bindPhone', code }, USER);
    const comp = await mount();
    expect(button(comp)).toBeFalsy();
    expect(comp.querySelector('.quick-login__bound')!.dom!.textContent).toContain('138****8000');
  });

  test('while the session is asked: 正在加载…, and neither a paid button nor the fallback yet', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const api = (globalThis as unknown as { wx: { cloud: { callFunction(o: { data: Record<string, unknown> }): Promise<unknown> } } }).wx
      .cloud;
    const call = api.callFunction.bind(api);
    api.callFunction = async (o) => {
      if (o.data.$url === 'session') await gate;
      return call(o);
    };
    const comp = simulate.render(simulate.load(path.join(__dirname, 'index'), 'quick-login'), { retryDelays: [20, 20] });
    comp.attach(document.createElement('parent-wrapper'));
    await simulate.sleep(20);
    expect(comp.querySelector('.quick-login__hint')!.dom!.textContent).toBe('正在加载…');
    expect(button(comp)).toBeFalsy();
    expect(comp.querySelector('.quick-login__continue')).toBeFalsy();
    open();
    await eventually(() => expect(button(comp)).toBeTruthy());
    expect(comp.querySelector('.quick-login__hint')).toBeFalsy();
  });

  test('a failed session call offers a retry that works', async () => {
    cloud.offline = true;
    const comp = await mount();
    expect(comp.data.state).toBe('error');
    cloud.offline = false;
    await press(comp.querySelector('.quick-login__retry'));
    await eventually(() => expect(button(comp)).toBeTruthy());
  });
});

describe('the button callback', () => {
  test('success: disabled at once, the code is bound, the masked number shown, done fired', async () => {
    const comp = await mount();
    const done = doneEvents(comp);
    const code = await t.mintCode({ phoneNumber: '13800138000', openid: USER });
    await tap(comp, { code, errMsg: 'getPhoneNumber:ok' });
    expect(comp.data.busy).toBe(true);
    expect(attr(button(comp)!, 'disabled')).toBe(true);
    expect(attr(button(comp)!, 'loading')).toBe(true);
    await eventually(() => expect(done).toEqual([{ phoneMasked: '138****8000', verified: true }]));
    expect(comp.querySelector('.quick-login__bound')!.dom!.textContent).toContain('138****8000');
    expect(button(comp)).toBeFalsy();
    expect((await t.docs('phone_charges')).length).toBe(1);
  });

  test('the real-time button sends its kind', async () => {
    await t.http('PUT', '/v1/db/settings/global', {
      version: 1,
      phoneCapture: { enabled: true, kind: 'realtime', monthlyBudgetYuan: null, dailyCap: null },
    });
    const comp = await mount();
    const code = await t.mintCode({ phoneNumber: '13800138000', openid: USER, kind: 'realtime' });
    await tap(comp, { code, errMsg: 'getRealtimePhoneNumber:ok' });
    await eventually(() => expect(comp.data.phoneMasked).toBe('138****8000'));
    expect(cloud.calls.find((c) => c.data.$url === 'bindPhone')!.data).toMatchObject({ code, kind: 'realtime' });
    expect(await t.docs('phone_charges')).toMatchObject([{ kind: 'realtime', costFen: 4 }]);
  });

  test('network failure: the same code is sent again automatically, and one charge is recorded', async () => {
    const comp = await mount();
    const code = await t.mintCode({ phoneNumber: '13800138000', openid: USER });
    // The first send is lost; the network is back for the automatic resend.
    cloud.dropNext = 1;
    await tap(comp, { code, errMsg: 'getPhoneNumber:ok' });
    await eventually(() => expect(comp.data.phoneMasked).toBe('138****8000'));
    const sent = cloud.calls.filter((c) => c.data.$url === 'bindPhone').map((c) => c.data.code);
    expect(sent).toEqual([code, code]);
    expect(await t.docs('phone_charges')).toHaveLength(1);
  });

  test('still failing after the automatic retries: the code is kept and "重新提交" sends it again', async () => {
    const comp = await mount();
    const code = await t.mintCode({ phoneNumber: '13800138000', openid: USER });
    cloud.offline = true;
    await tap(comp, { code, errMsg: 'getPhoneNumber:ok' });
    await eventually(() => expect(comp.querySelector('.quick-login__resend')).toBeTruthy());
    expect(comp.data.pendingCode).toBe(code);
    expect(comp.querySelector('.quick-login__message')!.dom!.textContent).toContain('重新提交');
    cloud.offline = false;
    await press(comp.querySelector('.quick-login__resend'));
    await eventually(() => expect(comp.data.phoneMasked).toBe('138****8000'));
    expect(await t.docs('phone_charges')).toHaveLength(1);
  });

  test('WeChat busy on the server side is retried with the same code too', async () => {
    await t.http('POST', '/v1/faults', { target: 'openapi:phonenumber.getPhoneNumber', errcode: -1, times: 2 });
    const comp = await mount();
    await tap(comp, { code: await t.mintCode({ phoneNumber: '13800138000', openid: USER }), errMsg: 'getPhoneNumber:ok' });
    await eventually(() => expect(comp.data.phoneMasked).toBe('138****8000'));
  });

  test('deny: reported, the fallback offered, no charge', async () => {
    const comp = await mount();
    await tap(comp, { errMsg: 'getPhoneNumber:fail user deny' });
    await eventually(() => expect(comp.querySelector('.quick-login__continue')).toBeTruthy());
    await eventually(async () => expect(await t.docs('phone_events')).toMatchObject([{ openid: USER, type: 'deny' }]));
    expect(await t.docs('phone_charges')).toHaveLength(0);
  });

  test('errno 1400001: reported as no-quota, the button hidden, the fallback offered', async () => {
    const comp = await mount();
    await tap(comp, { errMsg: 'getPhoneNumber:fail no quota', errno: 1400001 });
    await eventually(() => expect(button(comp)).toBeFalsy());
    expect(comp.querySelector('.quick-login__continue')).toBeTruthy();
    await eventually(async () => expect(await t.docs('phone_events')).toMatchObject([{ type: 'no-quota', errno: 1400001 }]));
  });

  test('deny: the message says so', async () => {
    const comp = await mount();
    await tap(comp, { errMsg: 'getPhoneNumber:fail user deny' });
    await eventually(() => expect(comp.querySelector('.quick-login__message')!.dom!.textContent).toContain('未授权手机号'));
  });

  test('any other failure: a clear message and the fallback', async () => {
    const comp = await mount();
    await tap(comp, { errMsg: 'getPhoneNumber:fail no permission' });
    await eventually(() => expect(comp.querySelector('.quick-login__continue')).toBeTruthy());
    expect(comp.data.message).toContain('失败');
  });

  test('an invalid code: message and fallback, the charge still recorded', async () => {
    const comp = await mount();
    const someoneElses = await t.mintCode({ phoneNumber: '13800138000', openid: 'o_other' });
    await tap(comp, { code: someoneElses, errMsg: 'getPhoneNumber:ok' });
    await eventually(() => expect(comp.querySelector('.quick-login__continue')).toBeTruthy());
    expect(comp.data.message).toContain('失效');
    expect(comp.data.phoneMasked).toBeNull();
    expect(await t.docs('phone_charges')).toHaveLength(1);
  });
});

describe('the fallback', () => {
  beforeEach(async () => {
    await t.http('PUT', '/v1/db/settings/global', {
      version: 1,
      phoneCapture: { enabled: false, kind: 'quick', monthlyBudgetYuan: null, dailyCap: null },
    });
  });

  test('continue with the WeChat identity: done, unverified, nothing charged', async () => {
    const comp = await mount();
    const done = doneEvents(comp);
    await press(comp.querySelector('.quick-login__continue'));
    expect(done).toEqual([{ phoneMasked: null, verified: false }]);
    expect(await t.docs('phone_charges')).toHaveLength(0);
  });

  test('a typed number is checked, then saved as unverified', async () => {
    const comp = await mount();
    const input = comp.querySelector('.quick-login__manual-input');
    await press(input, 'input', { value: '12345' });
    await press(comp.querySelector('.quick-login__manual-save'));
    expect(comp.data.message).toContain('11 位');
    expect(routes()).not.toContain('auth.setManualPhone');

    await press(input, 'input', { value: '138 0013 8000' });
    await press(comp.querySelector('.quick-login__manual-save'));
    await eventually(() => expect(comp.querySelector('.quick-login__manual-saved')!.dom!.textContent).toContain('138****8000（未验证）'));
    expect(await t.docs('users')).toMatchObject([{ phone: null, manualPhone: { number: '13800138000' } }]);
  });
});

const text = (comp: Comp) => comp.dom!.textContent ?? '';
/** The page holding the component shows again (j-component has it; its typings omit it). */
const pageShow = (comp: Comp) => (comp as unknown as { triggerPageLifeTime(name: string): void }).triggerPageLifeTime('show');
const setSettings = (doc: Record<string, unknown>) =>
  t.http('PUT', '/v1/db/settings/global', {
    version: 1,
    phoneCapture: { enabled: true, kind: 'quick', monthlyBudgetYuan: null, dailyCap: null },
    ...doc,
  });
const REALTIME = { phoneCapture: { enabled: true, kind: 'realtime', monthlyBudgetYuan: null, dailyCap: null } };

describe('no second paid tap while a billed code waits', () => {
  test.each([['quick'], ['realtime']])(
    '%s: after the automatic retries fail the paid button stays disabled; 重新提交 or the free fallback are the ways on',
    async (kind) => {
      if (kind === 'realtime') await setSettings(REALTIME);
      const comp = await mount();
      expect(attr(button(comp)!, 'phoneNumberNoQuotaToast')).toBe(false);
      const code = await t.mintCode({ phoneNumber: '13800138000', openid: USER, kind: kind as 'quick' | 'realtime' });
      cloud.offline = true;
      await tap(comp, { code, errMsg: 'getPhoneNumber:ok' });
      expect(attr(button(comp)!, 'disabled')).toBe(true);
      expect(attr(button(comp)!, 'loading')).toBe(true);
      await eventually(() => expect(comp.querySelector('.quick-login__resend')).toBeTruthy());
      expect(attr(button(comp)!, 'disabled')).toBe(true);
      expect(comp.querySelector('.quick-login__continue')).toBeTruthy();
      // A callback reaching us anyway (a second approval) must not replace the waiting code.
      cloud.offline = false;
      const second = await t.mintCode({ phoneNumber: '13800138000', openid: USER, kind: kind as 'quick' | 'realtime' });
      await tap(comp, { code: second, errMsg: 'getPhoneNumber:ok' });
      expect(comp.data.pendingCode).toBe(code);
      await press(comp.querySelector('.quick-login__resend'));
      await eventually(() => expect(comp.data.phoneMasked).toBe('138****8000'));
      expect(new Set(cloud.calls.filter((c) => c.data.$url === 'bindPhone').map((c) => c.data.code))).toEqual(new Set([code]));
    },
  );
});

describe('privacy agreement', () => {
  test('a user who has not agreed sees the notice with the agree button before any phone button; agreeing shows the button', async () => {
    wxStub.privacy = { needAuthorization: true, privacyContractName: '《示例小程序隐私保护指引》' };
    const comp = await mount();
    await eventually(() => expect(comp.querySelector('.quick-login__privacy-agree')).toBeTruthy());
    const agree = comp.querySelector('.quick-login__privacy-agree')!;
    expect(attr(agree, 'openType')).toBe('agreePrivacyAuthorization');
    expect(attr(agree, 'id')).toBe('agree-privacy');
    expect(text(comp)).toContain('《示例小程序隐私保护指引》');
    expect(button(comp)).toBeFalsy();
    await press(comp.querySelector('.quick-login__privacy-link'));
    expect(wxStub.contractOpened).toBe(1);
    await press(agree, 'agreeprivacyauthorization', {});
    expect(button(comp)).toBeTruthy();
    expect(comp.querySelector('.quick-login__privacy')).toBeFalsy();
  });

  test('refusing the notice never dead-ends: 微信身份继续 works and nothing is charged', async () => {
    wxStub.privacy = { needAuthorization: true, privacyContractName: '《隐私保护指引》' };
    const comp = await mount();
    await eventually(() => expect(comp.querySelector('.quick-login__privacy-refuse')).toBeTruthy());
    await press(comp.querySelector('.quick-login__privacy-refuse'));
    expect(button(comp)).toBeFalsy();
    expect(comp.data.message).toContain('隐私');
    const done = doneEvents(comp);
    await press(comp.querySelector('.quick-login__continue'));
    expect(done).toEqual([{ phoneMasked: null, verified: false }]);
    // Changing one's mind: the notice again.
    await press(comp.querySelector('.quick-login__privacy-review'));
    expect(comp.querySelector('.quick-login__privacy-agree')).toBeTruthy();
    expect(await t.docs('phone_charges')).toHaveLength(0);
  });

  test('WeChat asks through onNeedPrivacyAuthorization: the notice shows, agreeing resolves with the agree button’s id', async () => {
    const comp = await mount();
    expect(wxStub.privacyListener).toBeTruthy();
    wxStub.needPrivacy();
    await simulate.sleep(0);
    expect(comp.querySelector('.quick-login__privacy-agree')).toBeTruthy();
    expect(wxStub.resolutions).toEqual([{ event: 'exposureAuthorization' }]);
    await press(comp.querySelector('.quick-login__privacy-agree'), 'agreeprivacyauthorization', {});
    expect(wxStub.resolutions).toEqual([{ event: 'exposureAuthorization' }, { buttonId: 'agree-privacy', event: 'agree' }]);
    expect(button(comp)).toBeTruthy();
  });

  test('refusing what WeChat asked resolves "disagree" and offers the free way on', async () => {
    const comp = await mount();
    wxStub.needPrivacy();
    await simulate.sleep(0);
    await press(comp.querySelector('.quick-login__privacy-refuse'));
    expect(wxStub.resolutions.at(-1)).toEqual({ event: 'disagree' });
    expect(comp.querySelector('.quick-login__continue')).toBeTruthy();
  });

  test.each([
    ['errno 104', { errMsg: 'getPhoneNumber:fail privacy permission is not authorized', errno: 104 }],
    ['no errno', { errMsg: 'getPhoneNumber:fail privacy permission is not authorized' }],
  ])('a privacy refusal (%s): the privacy message, the free fallback, no paid button', async (_name, detail) => {
    const comp = await mount();
    await tap(comp, detail);
    await eventually(() => expect(comp.querySelector('.quick-login__continue')).toBeTruthy());
    expect(comp.data.message).toContain('隐私');
    expect(comp.data.message).not.toContain('失败');
    expect(button(comp)).toBeFalsy();
    expect(comp.querySelector('.quick-login__privacy-review')).toBeTruthy();
  });

  test('errno 112 (phone numbers not declared): the button is hidden, users get the fallback, no "please agree"', async () => {
    const comp = await mount();
    await tap(comp, { errMsg: 'getPhoneNumber:fail api scope is not declared in the privacy agreement', errno: 112 });
    await eventually(() => expect(button(comp)).toBeFalsy());
    expect(comp.querySelector('.quick-login__continue')).toBeTruthy();
    expect(comp.data.message).not.toContain('同意');
    expect(comp.querySelector('.quick-login__privacy-agree')).toBeFalsy();
    expect(comp.querySelector('.quick-login__admin-message')).toBeFalsy();
    await eventually(async () => expect(await t.docs('phone_events')).toMatchObject([{ type: 'fail', errno: 112 }]));
  });

  test('errno 112 seen by an admin: told what to declare and where', async () => {
    cloud.openid = ADMIN;
    const comp = await mount();
    await tap(comp, { errMsg: 'getPhoneNumber:fail api scope is not declared in the privacy agreement', errno: 112 });
    await eventually(() => expect(comp.querySelector('.quick-login__admin-message')).toBeTruthy());
    expect(text(comp)).toContain('用户隐私保护指引');
    expect(text(comp)).toContain('手机号');
  });
});

describe('fresh settings', () => {
  test('an admin switches capture off while the app is open: the button goes when the page shows again, with the reason', async () => {
    const comp = await mount();
    expect(button(comp)).toBeTruthy();
    await t.call('admin', { $url: 'settings.update', version: 0, patch: { phoneCapture: { enabled: false } } }, ADMIN);
    pageShow(comp);
    await eventually(() => expect(button(comp)).toBeFalsy());
    expect(comp.querySelector('.quick-login__hidden-reason')!.dom!.textContent).toContain('未开启');
    expect(comp.querySelector('.quick-login__continue')).toBeTruthy();
  });

  test('a breaker trips while the app is open: the button goes on the next show', async () => {
    const comp = await mount();
    await setSettings({ version: 2, breaker: { tripped: true, reason: 'daily-cap-reached', at: { $date: new Date().toISOString() } } });
    pageShow(comp);
    await eventually(() => expect(button(comp)).toBeFalsy());
    expect(text(comp)).toContain('名额已用完');
  });

  test('after binding, the session is asked again (everyone sees the bound user)', async () => {
    const comp = await mount();
    await tap(comp, { code: await t.mintCode({ phoneNumber: '13800138000', openid: USER }), errMsg: 'getPhoneNumber:ok' });
    await eventually(() => expect(routes().filter((r) => r === 'auth.session')).toHaveLength(2));
  });

  test('a show during a bind does not disturb it', async () => {
    const comp = await mount();
    const code = await t.mintCode({ phoneNumber: '13800138000', openid: USER });
    cloud.offline = true;
    await tap(comp, { code, errMsg: 'getPhoneNumber:ok' });
    pageShow(comp);
    expect(routes().filter((r) => r === 'auth.session')).toHaveLength(1);
  });
});

describe('old base libraries', () => {
  test('below 2.21.2 no paid button is offered (a tap would be billed without a code); the user is told why', async () => {
    wxStub.sdkVersion = '2.20.0';
    const comp = await mount();
    expect(button(comp)).toBeFalsy();
    expect(comp.querySelector('.quick-login__hidden-reason')!.dom!.textContent).toContain('版本');
    expect(comp.querySelector('.quick-login__continue')).toBeTruthy();
  });

  test('a success without a code is a charge we cannot exchange: reported, the fallback offered, no paid button again', async () => {
    const comp = await mount();
    await tap(comp, { errMsg: 'getPhoneNumber:ok', encryptedData: 'x', iv: 'y' });
    await eventually(() => expect(button(comp)).toBeFalsy());
    expect(comp.querySelector('.quick-login__continue')).toBeTruthy();
    expect(comp.data.message).toContain('微信身份继续');
    await eventually(async () => expect(await t.docs('phone_events')).toMatchObject([{ type: 'fail' }]));
    expect(routes()).not.toContain('auth.bindPhone');
  });

  test('real-time asked but the base library is below 2.24.4: the quick button instead, bound as quick', async () => {
    await setSettings(REALTIME);
    wxStub.sdkVersion = '2.23.0';
    const comp = await mount();
    expect(attr(button(comp)!, 'openType')).toBe('getPhoneNumber');
    await tap(comp, { code: await t.mintCode({ phoneNumber: '13800138000', openid: USER }), errMsg: 'getPhoneNumber:ok' });
    await eventually(() => expect(comp.data.phoneMasked).toBe('138****8000'));
    expect(cloud.calls.find((c) => c.data.$url === 'bindPhone')!.data).toMatchObject({ kind: 'quick' });
  });

  test('real-time asked, canIUse says no: the quick button', async () => {
    await setSettings(REALTIME);
    wxStub.cannotUse.add('button.open-type.getRealtimePhoneNumber');
    const comp = await mount();
    expect(attr(button(comp)!, 'openType')).toBe('getPhoneNumber');
  });

  test('neither button available: the free path with the reason', async () => {
    await setSettings(REALTIME);
    wxStub.sdkVersion = '2.10.0';
    const comp = await mount();
    expect(button(comp)).toBeFalsy();
    expect(comp.querySelector('.quick-login__continue')).toBeTruthy();
  });
});

// ---- Issue 23: a paid code is never thrown away, never forgotten, booked as billed ----

const PENDING_KEY = 'quickphone.pendingPhoneCode';
const bindCalls = () => cloud.calls.filter((c) => c.data.$url === 'bindPhone');
const storage = () =>
  (globalThis as unknown as { wx: { getStorageSync(k: string): unknown; setStorageSync(k: string, v: unknown): void } }).wx;
/** Holds every bindPhone call until `release()`: a latch, not a timer. `held` lists the codes waiting. */
const holdBinds = () => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const held: unknown[] = [];
  const api = (globalThis as unknown as { wx: { cloud: { callFunction(o: { data: Record<string, unknown> }): Promise<unknown> } } }).wx
    .cloud;
  const call = api.callFunction.bind(api);
  api.callFunction = async (o) => {
    if (o.data.$url === 'bindPhone') {
      held.push(o.data.code);
      await gate;
    }
    return call(o);
  };
  return { release, held };
};

describe('WeChat throttling (45011) keeps the code (point 1)', () => {
  test('the code is kept, no second paid tap is invited, and 重新提交 binds it once WeChat lets go', async () => {
    await t.http('POST', '/v1/faults', { target: 'openapi:phonenumber.getPhoneNumber', errcode: 45011, times: 20 });
    const comp = await mount();
    const code = await t.mintCode({ phoneNumber: '13800138000', openid: USER });
    await tap(comp, { code, errMsg: 'getPhoneNumber:ok' });
    await eventually(() => expect(comp.querySelector('.quick-login__resend')).toBeTruthy());
    expect(comp.data.pendingCode).toBe(code);
    expect(attr(button(comp)!, 'disabled')).toBe(true);
    expect(comp.data.message).toContain('重新提交');
    expect(comp.data.message).not.toContain('请稍后再试');
    await t.http('DELETE', '/v1/faults');
    await press(comp.querySelector('.quick-login__resend'));
    await eventually(() => expect(comp.data.phoneMasked).toBe('138****8000'));
    expect(new Set(bindCalls().map((c) => c.data.code))).toEqual(new Set([code]));
    expect(await t.docs('phone_charges')).toMatchObject([{ counted: true }]);
  });

  test('our own limit (too many invalid codes today) is a different message and forgets the code', async () => {
    for (let i = 0; i < 5; i++) await t.call('auth', { $url: 'bindPhone', code: `junk-code-${i}` }, USER);
    const comp = await mount();
    await tap(comp, { code: 'junk-code-next', errMsg: 'getPhoneNumber:ok' });
    await eventually(() => expect(comp.data.message).toContain('次数已用完'));
    expect(comp.data.pendingCode).toBe('');
    expect(storage().getStorageSync(PENDING_KEY)).toBe('');
  });
});

describe('a code waiting for 重新提交 is kept across pages and restarts (point 2)', () => {
  const waitingCode = async () => {
    const comp = await mount();
    const code = await t.mintCode({ phoneNumber: '13800138000', openid: USER });
    cloud.offline = true;
    await tap(comp, { code, errMsg: 'getPhoneNumber:ok' });
    await eventually(() => expect(comp.querySelector('.quick-login__resend')).toBeTruthy());
    return { comp, code };
  };

  test('another page (a new component) sends the kept code again, with no paid button offered meanwhile', async () => {
    const { comp, code } = await waitingCode();
    await press(comp.querySelector('.quick-login__continue'));
    comp.detach();
    cloud.offline = false;
    const { release, held } = holdBinds();
    const again = await mount();
    // The kept code is on its way: the paid button is not clickable.
    await eventually(() => expect(held).toEqual([code]));
    expect(again.data.pendingCode).toBe(code);
    expect(attr(button(again)!, 'disabled')).toBe(true);
    release();
    await eventually(() => expect(again.data.phoneMasked).toBe('138****8000'));
    expect(new Set(bindCalls().map((c) => c.data.code))).toEqual(new Set([code]));
    expect(await t.docs('phone_charges')).toHaveLength(1);
    expect(storage().getStorageSync(PENDING_KEY)).toBe('');
  });

  test('a restart (fresh modules, storage kept) sends it again too', async () => {
    const { comp, code } = await waitingCode();
    comp.detach();
    jest.resetModules();
    loaded = undefined;
    cloud.offline = false;
    const again = await mount();
    await eventually(() => expect(again.data.phoneMasked).toBe('138****8000'));
    expect(bindCalls().at(-1)!.data.code).toBe(code);
  });

  test('a launch (app.ts onLaunch) sends a kept code before any page mounts: bound, one charge', async () => {
    const code = await t.mintCode({ phoneNumber: '13800138000', openid: USER });
    storage().setStorageSync(PENDING_KEY, { code, kind: 'quick', at: Date.now() });
    let app: { onLaunch(): void } | undefined;
    const g = globalThis as { App?: unknown };
    g.App = (config: { onLaunch(): void }) => (app = config);
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require('../../app');
    } finally {
      delete g.App;
    }
    app!.onLaunch();
    await eventually(() => expect(storage().getStorageSync(PENDING_KEY)).toBe(''));
    expect(bindCalls().map((c) => c.data.code)).toEqual([code]);
    expect(await t.docs('users')).toMatchObject([{ phone: { phoneNumber: '13800138000' } }]);
    expect(await t.docs('phone_charges')).toHaveLength(1);
  });

  test('a kept code past its 5 minutes is reported, not resent, and the paid button is offered again', async () => {
    storage().setStorageSync(PENDING_KEY, { code: 'old-code', kind: 'quick', at: Date.now() - 6 * 60 * 1000 });
    const comp = await mount();
    await eventually(() => expect(comp.data.message).toContain('失效'));
    expect(bindCalls()).toHaveLength(0);
    expect(attr(button(comp)!, 'disabled')).toBe(false);
    await eventually(async () =>
      expect(await t.docs('phone_events')).toMatchObject([{ type: 'fail', errMsg: expect.stringContaining('expired') }]),
    );
  });

  test('重新提交 after the code’s life reports it instead of sending it', async () => {
    const { comp } = await waitingCode();
    cloud.offline = false;
    const sent = bindCalls().length;
    const now = Date.now();
    jest.spyOn(Date, 'now').mockReturnValue(now + 5 * 60 * 1000 + 1);
    try {
      await press(comp.querySelector('.quick-login__resend'));
    } finally {
      jest.restoreAllMocks();
    }
    expect(bindCalls()).toHaveLength(sent);
    expect(comp.querySelector('.quick-login__resend')).toBeFalsy();
    expect(comp.data.message).toContain('失效');
    await eventually(async () => expect(await t.docs('phone_events')).toMatchObject([{ type: 'fail' }]));
  });
});

describe('privacy asked on a tap (point 3)', () => {
  test('the notice is laid over the page: the tapped button stays mounted, and WeChat can continue it after agree', async () => {
    const comp = await mount();
    // The rendered element itself: a button rebuilt after the notice would be another element.
    const rendered = () => comp.dom!.querySelector('wx-button[class$="quick-login__button"]');
    const tapped = rendered();
    expect(tapped).toBeTruthy();
    wxStub.needPrivacy();
    await simulate.sleep(0);
    expect(comp.querySelector('.quick-login__privacy--overlay')).toBeTruthy();
    expect(rendered()).toBe(tapped);
    await press(comp.querySelector('.quick-login__privacy-agree'), 'agreeprivacyauthorization', {});
    expect(wxStub.resolutions.at(-1)).toEqual({ buttonId: 'agree-privacy', event: 'agree' });
    expect(rendered()).toBe(tapped);
    // WeChat continues the tapped button: its callback arrives and binds.
    await tap(comp, { code: await t.mintCode({ phoneNumber: '13800138000', openid: USER }), errMsg: 'getPhoneNumber:ok' });
    await eventually(() => expect(comp.data.phoneMasked).toBe('138****8000'));
  });
});

describe('the kind on the books is the kind WeChat billed (point 4)', () => {
  test('real-time chosen, the phone shows quick: WeChat bills quick and so do we (3 fen, the quick count)', async () => {
    await setSettings(REALTIME);
    wxStub.sdkVersion = '2.23.0';
    const comp = await mount();
    expect(cloud.calls[0]!.data).toMatchObject({ $url: 'session', phoneButtons: ['quick'] });
    expect(attr(button(comp)!, 'openType')).toBe('getPhoneNumber');
    await tap(comp, { code: await t.mintCode({ phoneNumber: '13800138000', openid: USER, kind: 'quick' }), errMsg: 'getPhoneNumber:ok' });
    await eventually(() => expect(comp.data.phoneMasked).toBe('138****8000'));
    expect(await t.docs('phone_charges')).toMatchObject([{ kind: 'quick', costFen: 3 }]);
    expect(await t.docs('usage_daily')).toMatchObject([{ kind: 'quick', count: 1 }]);
  });
});

describe('loops and silence (point 5)', () => {
  test('after errno 1400001 the paid button does not come back on the next page show, nor on another page', async () => {
    const comp = await mount();
    await tap(comp, { errMsg: 'getPhoneNumber:fail no quota', errno: 1400001 });
    await eventually(() => expect(button(comp)).toBeFalsy());
    pageShow(comp);
    await eventually(() => expect(routes().filter((r) => r === 'auth.session')).toHaveLength(2));
    // The second session's answer has arrived and been applied, not merely been asked for.
    await Promise.all(inFlight.splice(0));
    await simulate.sleep(0);
    expect(button(comp)).toBeFalsy();
    const other = await mount();
    expect(button(other)).toBeFalsy();
    expect(other.querySelector('.quick-login__continue')).toBeTruthy();
  });

  test('a second callback while a code waits is reported, not dropped silently', async () => {
    const comp = await mount();
    cloud.offline = true;
    await tap(comp, { code: await t.mintCode({ phoneNumber: '13800138000', openid: USER }), errMsg: 'getPhoneNumber:ok' });
    await eventually(() => expect(comp.querySelector('.quick-login__resend')).toBeTruthy());
    cloud.offline = false;
    await tap(comp, { code: await t.mintCode({ phoneNumber: '13800138000', openid: USER }), errMsg: 'getPhoneNumber:ok' });
    await eventually(async () =>
      expect(await t.docs('phone_events')).toMatchObject([{ type: 'fail', errMsg: expect.stringContaining('while a code waited') }]),
    );
  });
});

describe('no session (point 9)', () => {
  test('when the session call fails there is a free way on besides 重试', async () => {
    cloud.offline = true;
    const comp = simulate.render(simulate.load(path.join(__dirname, 'index'), 'quick-login'), { retryDelays: [20, 20] });
    comp.attach(document.createElement('parent-wrapper'));
    await eventually(() => expect(comp.data.state).toBe('error'));
    const done = doneEvents(comp);
    await press(comp.querySelector('.quick-login__continue'));
    expect(done).toEqual([{ phoneMasked: null, verified: false }]);
  });
});

describe('no personal data after a privacy refusal (point 7)', () => {
  test('after 不同意 no phone number can be typed, on this mount or the next', async () => {
    wxStub.privacy = { needAuthorization: true, privacyContractName: '《隐私保护指引》' };
    const comp = await mount();
    await eventually(() => expect(comp.querySelector('.quick-login__privacy-refuse')).toBeTruthy());
    await press(comp.querySelector('.quick-login__privacy-refuse'));
    expect(comp.querySelector('.quick-login__continue')).toBeTruthy();
    expect(comp.querySelector('.quick-login__manual-input')).toBeFalsy();
    const next = await mount();
    await eventually(() => expect(next.data.privacy).toBe('refused'));
    expect(next.querySelector('.quick-login__manual-input')).toBeFalsy();
  });
});
