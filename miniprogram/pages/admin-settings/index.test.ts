/** The admin settings page: the usage link names its page; a save refreshes the session this phone uses. */
import simulate from 'miniprogram-simulate';
import { attr, eventually, routeCloudToEmulator, type CloudRoute } from '../../../test/support/miniprogram';
import { appPages, openPage, pageJson, usePageEmulator } from '../../../test/support/miniprogram-page';
import { ADMIN_ENTRY } from '../../services/admin';

const open = (page: string, query: Record<string, string> = {}) => openPage(simulate, page, query);

const ADMIN = 'o_admin_page';
let cloud: CloudRoute;
const t = usePageEmulator({ admin: ADMIN, warm: ['auth', 'admin'] });
beforeEach(() => {
  cloud = routeCloudToEmulator(t.url, ADMIN);
});

test('the usage link opens the page its label names', async () => {
  const page = open('pages/admin-settings/index');
  const link = page.querySelector('.admin-settings__usage')!;
  const target = String(attr(link, 'url')).replace(/^\//, '');
  expect(appPages()).toContain(target);
  expect((link.dom!.textContent ?? '').replace('›', '').trim()).toBe(pageJson(target).navigationBarTitleText);
});

test('the page title is what the admin entry calls it', async () => {
  expect(ADMIN_ENTRY.url).toBe('/pages/admin-settings/index');
  expect(pageJson('pages/admin-settings/index').navigationBarTitleText).toBe(ADMIN_ENTRY.label);
});

test('saving asks for the session again, so this phone sees the change at once', async () => {
  const page = open('pages/admin-settings/index');
  await eventually(() => expect(page.querySelector('.admin-settings >>> .settings__save')).toBeTruthy());
  page.querySelector('.admin-settings >>> .settings__capture-off')!.dispatchEvent('change', { detail: { value: true } });
  page.querySelector('.admin-settings >>> .settings__save')!.dispatchEvent('tap');
  await eventually(() => expect(page.querySelector('.admin-settings >>> .settings__message')!.dom!.textContent).toBe('已保存'));
  // One session call when the panel opened (whose change was last), one after the save.
  await eventually(() => expect(cloud.calls.filter((c) => c.data.$url === 'session')).toHaveLength(2));
});
