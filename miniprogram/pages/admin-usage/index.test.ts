/** The admin usage page: the panel opens on the kind phone login uses (from the session), with the page's Chinese title. */
import simulate from 'miniprogram-simulate';
import { spawnEmulator, type EmulatorClient } from '../../../test/support/emulator';
import { eventually, routeCloudToEmulator, type CloudRoute } from '../../../test/support/miniprogram';
import { loadPage, pageJson } from '../../../test/support/miniprogram-page';

/** Opens a page: its code runs, onLoad and onShow fire, its components attach. */
function open(page: string, query: Record<string, string> = {}) {
  const comp = simulate.render(loadPage(simulate, page, query));
  comp.attach(document.createElement('parent-wrapper'));
  return comp;
}

const ADMIN = 'o_admin_usage_page';
let t: EmulatorClient;
let cloud: CloudRoute;
beforeAll(async () => {
  t = await spawnEmulator({ env: { ADMIN_OPENIDS: ADMIN } });
  await t.call('auth', { $url: 'warm-up' }, 'o_warm_up'); // a cold container can take seconds on a busy machine
  await t.call('admin', { $url: 'warm-up' }, 'o_warm_up');
});
afterAll(() => t.stop());
beforeEach(async () => {
  await t.reset();
  jest.resetModules();
  cloud = routeCloudToEmulator(t.url, ADMIN);
});

const quotaKinds = () => cloud.calls.filter((c) => c.name === 'admin' && c.data.$url === 'quota.status').map((c) => c.data.kind);

test('the title is Chinese and names what the page shows', () => {
  expect(pageJson('pages/admin-usage/index').navigationBarTitleText).toBe('用量、费用与资源包');
});

test('phone login uses the real-time kind: the panel opens on its quota', async () => {
  await t.call('admin', { $url: 'settings.update', version: 0, patch: { phoneCapture: { kind: 'realtime' } } }, ADMIN);
  const page = open('pages/admin-usage/index');
  await eventually(() => expect(page.querySelector('#usage >>> .usage__check')).toBeTruthy());
  await eventually(() => expect(quotaKinds()).toEqual(['realtime']));
  expect(page.dom!.textContent).toContain('实时验证');
});

test('by default the panel opens on the quick kind', async () => {
  const page = open('pages/admin-usage/index');
  await eventually(() => expect(page.querySelector('#usage >>> .usage__check')).toBeTruthy());
  await eventually(() => expect(quotaKinds()).toEqual(['quick']));
});
