/** The admin settings page: the usage link names its page; a save refreshes the session this phone uses. */
import simulate from 'miniprogram-simulate';
import { attr, eventually, routeCloudToEmulator, type CloudRoute } from '../../../test/support/miniprogram';
import { appPages, openPage, pageJson, usePageEmulator } from '../../../test/support/miniprogram-page';
import { ADMIN_ENTRY } from '../../services/admin';

const open = (page: string, query: Record<string, string> = {}) => openPage(simulate, page, query);

const ADMIN = 'o_admin_page';
let cloud: CloudRoute;
const t = usePageEmulator({ admin: ADMIN, warm: ['auth', 'admin', 'provider'] });
beforeEach(() => {
  cloud = routeCloudToEmulator(t.url, ADMIN);
});

/** Each link opens a page the app lists, and its label is that page's title. */
const expectLinks = (page: ReturnType<typeof open>, selectors: string[]) => {
  for (const selector of selectors) {
    const link = page.querySelector(selector)!;
    expect(link).toBeTruthy();
    const target = String(attr(link, 'url')).replace(/^\//, '');
    expect(appPages()).toContain(target);
    expect((link.dom!.textContent ?? '').replace('›', '').trim()).toBe(pageJson(target).navigationBarTitleText);
  }
};

test('the links (usage, the charge list, admins) open the pages their labels name', async () => {
  expectLinks(open('admin/settings/index'), ['.admin-settings__usage', '.admin-settings__charges', '.admin-settings__admins']);
});

test('a provider admin gets a link to the provider page (issue 23, point 9)', async () => {
  const page = open('admin/settings/index');
  await eventually(() => expect(page.querySelector('.admin-settings__provider')).toBeTruthy());
  expectLinks(page, ['.admin-settings__provider']);
});

test('someone the provider function refuses gets no provider link', async () => {
  cloud.openid = 'o_not_provider';
  // The provider function's answer, awaited: the page has heard it before we look.
  const api = (globalThis as unknown as { wx: { cloud: { callFunction(o: { name: string }): Promise<unknown> } } }).wx.cloud;
  const call = api.callFunction.bind(api);
  let answered: Promise<unknown> | undefined;
  api.callFunction = (o) => {
    const p = call(o);
    if (o.name === 'provider') answered = p.catch(() => undefined);
    return p;
  };
  const page = open('admin/settings/index');
  await eventually(() => expect(answered).toBeDefined());
  await answered;
  await simulate.sleep(0);
  expect(page.data.provider).toBe(false);
  expect(page.querySelector('.admin-settings__provider')).toBeFalsy();
});

test('the page title is what the admin entry calls it', async () => {
  expect(ADMIN_ENTRY.url).toBe('/admin/settings/index');
  expect(pageJson('admin/settings/index').navigationBarTitleText).toBe(ADMIN_ENTRY.label);
});

test('saving asks for the session again, so this phone sees the change at once', async () => {
  const page = open('admin/settings/index');
  await eventually(() => expect(page.querySelector('.admin-settings >>> .settings__save')).toBeTruthy());
  page.querySelector('.admin-settings >>> .settings__capture-off')!.dispatchEvent('change', { detail: { value: true } });
  page.querySelector('.admin-settings >>> .settings__save')!.dispatchEvent('tap');
  await eventually(() => expect(page.querySelector('.admin-settings >>> .settings__message')!.dom!.textContent).toBe('已保存'));
  // One session call when the panel opened (whose change was last), one after the save.
  await eventually(() => expect(cloud.calls.filter((c) => c.data.$url === 'session')).toHaveLength(2));
});
