/**
 * quick-login against the real auth function in a spawned emulator: which button it
 * shows, and every branch of the button's callback — success, retry of the same code,
 * denial, no quota, privacy errors, other failures — plus the free fallback.
 */
import path from 'node:path';
import simulate from 'miniprogram-simulate';
import { spawnEmulator, type EmulatorClient } from '../../../test/support/emulator';
import { attr, eventually, routeCloudToEmulator, type CloudRoute } from '../../../test/support/miniprogram';

let t: EmulatorClient;
let cloud: CloudRoute;
const USER = 'o_phone_user';

beforeAll(async () => {
  t = await spawnEmulator({ env: { PHONE_EXCHANGE_TIMEOUT_MS: '300' } });
});
afterAll(() => t.stop());
beforeEach(async () => {
  await t.reset();
  jest.resetModules(); // a fresh session cache, as on a fresh launch
  cloud = routeCloudToEmulator(t.url, USER);
});

async function mount() {
  const id = simulate.load(path.join(__dirname, 'index'), 'quick-login');
  const comp = simulate.render(id, { retryDelays: [20, 20] });
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
const press = async (node: { dispatchEvent(name: string, options?: { detail?: unknown }): void } | undefined, name = 'tap', detail?: unknown) => {
  node!.dispatchEvent(name, detail === undefined ? undefined : { detail });
  await simulate.sleep(0);
};
const doneEvents = (comp: Comp) => {
  const events: unknown[] = [];
  // j-component supports listening on the root; its typings omit it.
  (comp as unknown as { addEventListener(name: string, fn: (e: { detail: unknown }) => void): void }).addEventListener('done', (e) => events.push(e.detail));
  return events;
};
const routes = () => cloud.calls.map((c) => `${c.name}.${String(c.data.$url)}`);

describe('which button', () => {
  test('a new user sees the quick button, without WeChat\'s own no-quota toast', async () => {
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
    await t.http('PUT', '/v1/db/settings/global', { version: 1, phoneCapture: { enabled: true, kind: 'realtime', monthlyBudgetYuan: null, dailyCap: null } });
    const comp = await mount();
    expect(attr(button(comp)!, 'openType')).toBe('getRealtimePhoneNumber');
  });

  test('when phone capture is off the button is hidden and the free fallback shown', async () => {
    await t.http('PUT', '/v1/db/settings/global', { version: 2, phoneCapture: { enabled: false, kind: 'quick', monthlyBudgetYuan: null, dailyCap: null } });
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
    await eventually(() => expect(done).toEqual([{ phoneMasked: '138****8000', verified: true }]));
    expect(comp.querySelector('.quick-login__bound')!.dom!.textContent).toContain('138****8000');
    expect(button(comp)).toBeFalsy();
    expect((await t.docs('phone_charges')).length).toBe(1);
  });

  test('the real-time button sends its kind', async () => {
    await t.http('PUT', '/v1/db/settings/global', { version: 1, phoneCapture: { enabled: true, kind: 'realtime', monthlyBudgetYuan: null, dailyCap: null } });
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
    cloud.offline = true;
    setTimeout(() => (cloud.offline = false), 30);
    await tap(comp, { code, errMsg: 'getPhoneNumber:ok' });
    await eventually(() => expect(comp.data.phoneMasked).toBe('138****8000'));
    const sent = cloud.calls.filter((c) => c.data.$url === 'bindPhone').map((c) => c.data.code);
    expect(sent.length).toBeGreaterThan(1);
    expect(new Set(sent)).toEqual(new Set([code]));
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

  test.each([[104], [112]])('privacy errno %i: a clear message, the button usable again', async (errno) => {
    const comp = await mount();
    await tap(comp, { errMsg: 'getPhoneNumber:fail privacy permission is not authorized', errno });
    await eventually(() => expect(comp.data.message).toContain('隐私'));
    expect(comp.data.busy).toBe(false);
    expect(button(comp)).toBeTruthy();
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
    await t.http('PUT', '/v1/db/settings/global', { version: 1, phoneCapture: { enabled: false, kind: 'quick', monthlyBudgetYuan: null, dailyCap: null } });
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
