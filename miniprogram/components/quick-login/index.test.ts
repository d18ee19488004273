/**
 * quick-login against the real auth function in the emulator: the paid button is
 * shown only when the session allows it, in the admin's chosen kind.
 */
import path from 'node:path';
import simulate from 'miniprogram-simulate';
import { spawnEmulator, type EmulatorClient } from '../../../test/support/emulator';
import { attr, eventually, routeCloudToEmulator, type CloudRoute } from '../../../test/support/miniprogram';

let t: EmulatorClient;
let cloud: CloudRoute;

beforeAll(async () => {
  t = await spawnEmulator();
});
afterAll(() => t.stop());
beforeEach(async () => {
  await t.reset();
  jest.resetModules(); // a fresh session cache, as on a fresh launch
  cloud = routeCloudToEmulator(t.url, 'o_phone_user');
});

function mount() {
  const id = simulate.load(path.join(__dirname, 'index'), 'quick-login');
  const comp = simulate.render(id);
  comp.attach(document.createElement('parent-wrapper'));
  return comp;
}

test('a new user sees the quick phone button, without WeChat\'s own no-quota toast', async () => {
  const comp = mount();
  await eventually(() => expect(comp.data.state).toBe('ready'));
  const button = comp.querySelector('.quick-login__button');
  expect(button).toBeTruthy();
  expect(attr(button!, 'openType')).toBe('getPhoneNumber');
  // {{false}}, the boolean: the string "false" is reported not to switch the toast off.
  expect(attr(button!, 'phoneNumberNoQuotaToast')).toBe(false);
  expect(comp.querySelector('.quick-login__continue')).toBeFalsy();
  expect(cloud.calls).toEqual([{ name: 'auth', data: { $url: 'session' } }]);
});

test('the real-time kind renders the real-time button', async () => {
  await t.http('PUT', '/v1/db/settings/global', { version: 1, phoneCapture: { enabled: true, kind: 'realtime', monthlyBudgetYuan: null, dailyCap: null } });
  const comp = mount();
  await eventually(() => expect(comp.data.state).toBe('ready'));
  expect(attr(comp.querySelector('.quick-login__button')!, 'openType')).toBe('getRealtimePhoneNumber');
});

test('when phone capture is off the button is hidden and the free fallback shown', async () => {
  await t.http('PUT', '/v1/db/settings/global', { version: 2, phoneCapture: { enabled: false, kind: 'quick', monthlyBudgetYuan: null, dailyCap: null } });
  const comp = mount();
  await eventually(() => expect(comp.data.state).toBe('ready'));
  expect(comp.querySelector('.quick-login__button')).toBeFalsy();
  expect(comp.querySelector('.quick-login__continue')).toBeTruthy();
  expect(comp.data.hiddenBecause).toBe('disabled');
});

test('a user whose phone is bound never sees the paid button again', async () => {
  await t.http('PUT', '/v1/db/users/o_phone_user', {
    _openid: 'o_phone_user',
    phone: { phoneNumber: '13800138000', purePhoneNumber: '13800138000', countryCode: '86', kind: 'quick', verifiedAt: { $date: '2026-01-01T00:00:00Z' } },
  });
  const comp = mount();
  await eventually(() => expect(comp.data.state).toBe('ready'));
  expect(comp.querySelector('.quick-login__button')).toBeFalsy();
  expect(comp.querySelector('.quick-login__bound')!.dom!.textContent).toContain('138****8000');
});

test('a failed session call offers a retry that works', async () => {
  cloud.offline = true;
  const comp = mount();
  await eventually(() => expect(comp.data.state).toBe('error'));
  cloud.offline = false;
  comp.querySelector('.quick-login__retry')!.dispatchEvent('tap');
  await eventually(() => expect(comp.querySelector('.quick-login__button')).toBeTruthy());
});
