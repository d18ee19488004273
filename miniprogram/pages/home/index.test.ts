/**
 * The home page: who is signed in, the way to order, and the admin entry for admins.
 * Every link leads to a page the app lists, and its label is that page's title.
 */
import simulate from 'miniprogram-simulate';
import { attr, eventually, routeCloudToEmulator } from '../../../test/support/miniprogram';
import { appPages, openPage, pageJson, usePageEmulator } from '../../../test/support/miniprogram-page';
import { stubWx } from '../../../test/support/miniprogram-wx';

const open = (page: string, query: Record<string, string> = {}) => openPage(simulate, page, query);

const ADMIN = 'o_admin_home';
const CUSTOMER = 'o_customer_home';
const t = usePageEmulator({ admin: ADMIN, warm: ['auth', 'admin'] });

type Page = ReturnType<typeof open>;
const text = (page: Page) => page.dom!.textContent ?? '';

/** Each navigator: the page it opens exists, and its label is that page's title. */
function expectLinksMatchPages(page: Page, selectors: string[]) {
  for (const selector of selectors) {
    const link = page.querySelector(selector);
    expect(link).toBeTruthy();
    const url = String(attr(link!, 'url'));
    const target = url.replace(/^\//, '').replace(/\?.*$/, '');
    expect(appPages()).toContain(target);
    const label = (link!.dom!.textContent ?? '').replace('›', '').trim();
    expect(label).toBe(pageJson(target).navigationBarTitleText);
  }
}

test('an admin sees the admin entry on the home page; it opens the page its label names', async () => {
  routeCloudToEmulator(t.url, ADMIN);
  const page = open('pages/home/index');
  await eventually(() => expect(page.querySelector('.home >>> .admin-entry')).toBeTruthy());
  expectLinksMatchPages(page, ['.home >>> .admin-entry', '.home__order']);
});

test('a customer sees who they are and the way to order, no admin entry', async () => {
  routeCloudToEmulator(t.url, CUSTOMER);
  const code = await t.mintCode({ phoneNumber: '13800138000', openid: CUSTOMER });
  await t.call('auth', { $url: 'bindPhone', code }, CUSTOMER);
  const page = open('pages/home/index');
  await eventually(() => expect(page.data.ready).toBe(true));
  expect(text(page)).toContain('已登录，手机号 138****8000');
  expect(page.querySelector('.home >>> .admin-entry')).toBeFalsy();
  expect(page.querySelector('.home__login')).toBeFalsy();
  expectLinksMatchPages(page, ['.home__order']);
});

test('someone without a phone may go back to bind one (the link names its page)', async () => {
  routeCloudToEmulator(t.url, CUSTOMER);
  const page = open('pages/home/index');
  await eventually(() => expect(page.data.ready).toBe(true));
  expect(text(page)).toContain('已用微信身份登录');
  expectLinksMatchPages(page, ['.home__login']);
});

test('an admin added while the app is open sees the entry when the page shows again', async () => {
  routeCloudToEmulator(t.url, CUSTOMER);
  const page = open('pages/home/index');
  await eventually(() => expect(page.data.ready).toBe(true));
  expect(page.querySelector('.home >>> .admin-entry')).toBeFalsy();
  await t.call('admin', { $url: 'admins.add', openid: CUSTOMER }, ADMIN);
  (page as unknown as { triggerPageLifeTime(n: string): void }).triggerPageLifeTime('show');
  await eventually(() => expect(page.querySelector('.home >>> .admin-entry')).toBeTruthy());
});

test('the first page is usable without a phone: ordering is offered and no paid button is on it', async () => {
  routeCloudToEmulator(t.url, CUSTOMER);
  const page = open(appPages()[0]!);
  await eventually(() => expect(page.data.ready).toBe(true));
  expect(page.querySelector('.home__order')).toBeTruthy();
  expect(page.querySelector('.home >>> .quick-login__button')).toBeFalsy();
  expect(text(page)).not.toContain('手机号快捷登录');
});

test('while a billed phone code waits to be resent, no 登录 link (to a paid button) is offered', async () => {
  const wxStub = stubWx();
  try {
    routeCloudToEmulator(t.url, CUSTOMER);
    (globalThis as unknown as { wx: { setStorageSync(k: string, v: unknown): void } }).wx.setStorageSync('quickphone.pendingPhoneCode', {
      code: 'kept-code',
      kind: 'quick',
      at: Date.now(),
    });
    const page = open('pages/home/index');
    await eventually(() => expect(page.data.ready).toBe(true));
    expect(page.querySelector('.home__login')).toBeFalsy();
    expect(page.querySelector('.home__order')).toBeTruthy();
  } finally {
    wxStub.restore();
  }
});
