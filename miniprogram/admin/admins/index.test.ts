/**
 * 管理员 and 成为管理员 (issue 23, point 9): a second admin is added by sharing an invite,
 * never by typing an openid; removing keeps the last admin, said in Chinese.
 */
import simulate from 'miniprogram-simulate';
import { callData } from '../../../test/support/envelope';
import { attr, eventually, routeCloudToEmulator, type CloudRoute } from '../../../test/support/miniprogram';
import { appPages, openPage, usePageEmulator } from '../../../test/support/miniprogram-page';

const open = (page: string, query: Record<string, string> = {}) => openPage(simulate, page, query);
type Page = ReturnType<typeof open>;
const text = (page: Page) => page.dom!.textContent ?? '';
const tap = async (page: Page, selector: string, event = 'tap', detail?: unknown) => {
  page.querySelector(selector)!.dispatchEvent(event, detail === undefined ? undefined : { detail });
  await simulate.sleep(0);
};

const BOSS = 'o_admin_boss';
const DEPUTY = 'o_deputy_user';
let cloud: CloudRoute;
const t = usePageEmulator({ admin: 'o_env_admin', warm: ['auth', 'admin'] });
beforeEach(async () => {
  await t.http('PUT', `/v1/db/admins/${BOSS}`, { addedBy: 'test', addedAt: { $date: new Date().toISOString() } });
  cloud = routeCloudToEmulator(t.url, BOSS);
});

test('invite → share card → the other user accepts on 成为管理员 and is an admin; no openid typed anywhere', async () => {
  const page = open('admin/admins/index');
  await eventually(() => expect(page.data.state).toBe('ready'));
  expect(text(page)).toContain('你');
  expect(page.querySelector('input')).toBeFalsy();
  await tap(page, '.admins__invite');
  await eventually(() => expect(page.data.invite).toBeTruthy());
  const { code } = page.data.invite as { code: string };
  expect(text(page)).toContain(code);
  const share = (page as unknown as { instance: { onShareAppMessage(): { path: string } } }).instance.onShareAppMessage();
  expect(share.path).toBe(`/admin/join/index?code=${code}`);
  expect(appPages()).toContain('admin/join/index');

  // The card opens on the deputy's phone.
  cloud.openid = DEPUTY;
  const join = open('admin/join/index', { code });
  expect(join.data.code).toBe(code);
  await tap(join, '.join__accept');
  await eventually(() => expect(join.data.done).toBe(true));
  expect(text(join)).toContain('你已成为管理员');
  expect(join.querySelector('.join__admin')).toBeTruthy();
  await eventually(() => expect(cloud.calls.some((c) => c.data.$url === 'session')).toBe(true));
  expect((await t.docs<{ _id: string }>('admins')).map((a) => a._id).sort()).toEqual([BOSS, DEPUTY].sort());
});

test('a used invite says so in Chinese and makes nobody an admin', async () => {
  const made = await callData(t, 'admin', 'admins.invite', {}, BOSS);
  await callData(t, 'auth', 'acceptAdminInvite', { code: made.code }, DEPUTY);
  cloud.openid = 'o_late_user';
  const join = open('admin/join/index', { code: made.code });
  await tap(join, '.join__accept');
  await eventually(() => expect(join.data.message).toContain('已被使用或已过期'));
  expect(text(join)).not.toMatch(/[A-Za-z]{4,}/);
});

test('remove: another admin goes; one set at deploy cannot be, and the page says why in Chinese', async () => {
  await t.http('PUT', `/v1/db/admins/${DEPUTY}`, { addedBy: BOSS, addedAt: { $date: new Date().toISOString() } });
  const page = open('admin/admins/index');
  await eventually(() => expect(page.data.admins).toHaveLength(3));
  // The deploy-time admin (ADMIN_OPENIDS) has no remove button; each button names whom it removes.
  const buttons = page.querySelectorAll('.admins__remove');
  expect(buttons).toHaveLength(2);
  const deputy = buttons.find((b) => String(attr(b, 'ariaLabel')).includes('o_depu…user'))!;
  expect(String(attr(buttons[0]!, 'ariaLabel'))).toMatch(/^移除/);
  deputy.dispatchEvent('tap');
  await eventually(() => expect(page.data.message).toBe('已移除'));
  expect((await t.docs<{ _id: string }>('admins')).map((a) => a._id)).toEqual([BOSS]);

  const remove = (page as unknown as { instance: { onRemove(e: unknown): void } }).instance;
  remove.onRemove({ currentTarget: { dataset: { openid: 'o_env_admin' } } });
  await eventually(() => expect(page.data.message).toContain('至少要保留一位管理员'));
});
