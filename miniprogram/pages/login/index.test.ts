/** The login page: quick-login, then the home page; the admin entry for admins here too. */
import simulate from 'miniprogram-simulate';
import { eventually, routeCloudToEmulator } from '../../../test/support/miniprogram';
import { appPages, type Navigation, openPage, recordNavigation, usePageEmulator } from '../../../test/support/miniprogram-page';
import { stubWx, type WxStub } from '../../../test/support/miniprogram-wx';

const open = (page: string, query: Record<string, string> = {}) => openPage(simulate, page, query);

const ADMIN = 'o_admin_login';
let nav: Navigation[];
let wxStub: WxStub;
const t = usePageEmulator({ admin: ADMIN, warm: ['auth'] });
beforeEach(() => {
  nav = recordNavigation();
  wxStub = stubWx();
});
afterEach(() => wxStub.restore());

test('continuing with the WeChat identity opens the home page, which exists', async () => {
  routeCloudToEmulator(t.url, 'o_customer_login');
  await t.http('PUT', '/v1/db/settings/global', {
    version: 1,
    phoneCapture: { enabled: false, kind: 'quick', monthlyBudgetYuan: null, dailyCap: null },
  });
  const page = open('pages/login/index');
  await eventually(() => expect(page.querySelector('.login >>> .quick-login__continue')).toBeTruthy());
  page.querySelector('.login >>> .quick-login__continue')!.dispatchEvent('tap');
  await simulate.sleep(0);
  expect(nav).toEqual([{ how: 'reLaunch', url: '/pages/home/index' }]);
  expect(appPages()).toContain('pages/home/index');
});

test('a phone bound on this page leads home too', async () => {
  routeCloudToEmulator(t.url, 'o_customer_login');
  const page = open('pages/login/index');
  await eventually(() => expect(page.querySelector('.login >>> .quick-login__button')).toBeTruthy());
  const code = await t.mintCode({ phoneNumber: '13800138000', openid: 'o_customer_login' });
  page.querySelector('.login >>> .quick-login__button')!.dispatchEvent('getphonenumber', { detail: { code, errMsg: 'getPhoneNumber:ok' } });
  await eventually(() => expect(nav).toEqual([{ how: 'reLaunch', url: '/pages/home/index' }]));
});

test('the login page never sends anyone away by itself: it is opened where a feature needs a phone', async () => {
  routeCloudToEmulator(t.url, 'o_customer_login');
  // What the old first page read to skip itself; it means nothing now.
  (globalThis as unknown as { wx: { setStorageSync(k: string, v: unknown): void } }).wx.setStorageSync('quickphone.signedIn', true);
  const page = open('pages/login/index');
  await eventually(() => expect(page.querySelector('.login >>> .quick-login__button')).toBeTruthy());
  expect(nav).toEqual([]);
});

test('an admin sees the admin entry on the login page', async () => {
  routeCloudToEmulator(t.url, ADMIN);
  const page = open('pages/login/index');
  await eventually(() => expect(page.querySelector('.login >>> .admin-entry')).toBeTruthy());
});
