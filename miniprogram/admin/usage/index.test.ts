/** The admin usage page: the panel opens on the kind phone login uses (from the session), with the page's Chinese title. */
import simulate from 'miniprogram-simulate';
import { eventually, routeCloudToEmulator, type CloudRoute } from '../../../test/support/miniprogram';
import { openPage, pageJson, usePageEmulator } from '../../../test/support/miniprogram-page';

const open = (page: string, query: Record<string, string> = {}) => openPage(simulate, page, query);

const ADMIN = 'o_admin_usage_page';
let cloud: CloudRoute;
const t = usePageEmulator({ admin: ADMIN, warm: ['auth', 'admin'] });
beforeEach(() => {
  cloud = routeCloudToEmulator(t.url, ADMIN);
});

const quotaKinds = () => cloud.calls.filter((c) => c.name === 'admin' && c.data.$url === 'quota.status').map((c) => c.data.kind);

test('the title is Chinese and names what the page shows', () => {
  expect(pageJson('admin/usage/index').navigationBarTitleText).toBe('用量、费用与资源包');
});

test('phone login uses the real-time kind: the panel opens on its quota', async () => {
  await t.call('admin', { $url: 'settings.update', version: 0, patch: { phoneCapture: { kind: 'realtime' } } }, ADMIN);
  const page = open('admin/usage/index');
  await eventually(() => expect(page.querySelector('#usage >>> .usage__check')).toBeTruthy());
  await eventually(() => expect(quotaKinds()).toEqual(['realtime']));
  expect(page.dom!.textContent).toContain('实时验证');
});

test('by default the panel opens on the quick kind', async () => {
  const page = open('admin/usage/index');
  await eventually(() => expect(page.querySelector('#usage >>> .usage__check')).toBeTruthy());
  await eventually(() => expect(quotaKinds()).toEqual(['quick']));
});

test('below the panel: alert messages (off without a template) and the month statement', async () => {
  const page = open('admin/usage/index');
  await eventually(() => expect(page.querySelector('#alerts >>> .alert-subscribe__off')).toBeTruthy());
  await eventually(() => expect(page.querySelector('#statement >>> .statement__copy')).toBeTruthy());
  expect(page.dom!.textContent).toContain('月度账单');
  const urls = cloud.calls.map((c) => c.data.$url);
  expect(urls).toEqual(expect.arrayContaining(['alerts.status', 'statement.month']));
});
