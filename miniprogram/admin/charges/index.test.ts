/** 手机号验证记录 (issue 23, point 9): the charge list the server had with no screen. */
import simulate from 'miniprogram-simulate';
import { eventually, routeCloudToEmulator } from '../../../test/support/miniprogram';
import { openPage, usePageEmulator } from '../../../test/support/miniprogram-page';

const ADMIN = 'o_admin_charges';
const t = usePageEmulator({ admin: ADMIN, warm: ['auth', 'admin'] });

test('each charge: masked number, China time, kind, verified or not; 加载更多 pages on; no raw number', async () => {
  for (const [i, phone] of ['13800138000', '13900139000'].entries()) {
    const openid = `o_user_${i}`;
    await t.call('auth', { $url: 'bindPhone', code: await t.mintCode({ phoneNumber: phone, openid }) }, openid);
  }
  routeCloudToEmulator(t.url, ADMIN);
  const page = openPage(simulate, 'admin/charges/index');
  await eventually(() => expect(page.data.state).toBe('ready'));
  const text = page.dom!.textContent ?? '';
  expect(text).toContain('139****9000');
  expect(text).toContain('138****8000');
  expect(text).toContain('快速验证');
  expect(text).toContain('已验证');
  expect(text).not.toContain('13800138000');
  expect(page.querySelector('.charges__more')).toBeFalsy();
});

test('a non-admin is told so in Chinese, with no data', async () => {
  routeCloudToEmulator(t.url, 'o_not_admin');
  const page = openPage(simulate, 'admin/charges/index');
  await eventually(() => expect(page.data.message).toContain('没有权限'));
  expect(page.data.rows).toEqual([]);
});
