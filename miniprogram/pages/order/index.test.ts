/** The order page: an order submitted appears in 我的订单 as the server stored it; the admin entry for admins. */
import simulate from 'miniprogram-simulate';
import { spawnEmulator, type EmulatorClient } from '../../../test/support/emulator';
import { eventually, routeCloudToEmulator } from '../../../test/support/miniprogram';
import { loadPage } from '../../../test/support/miniprogram-page';

/** Opens a page: its code runs, onLoad and onShow fire, its components attach. */
function open(page: string, query: Record<string, string> = {}) {
  const comp = simulate.render(loadPage(simulate, page, query));
  comp.attach(document.createElement('parent-wrapper'));
  return comp;
}

const ADMIN = 'o_admin_order';
const CUSTOMER = 'o_customer_order';
let t: EmulatorClient;
beforeAll(async () => {
  t = await spawnEmulator({ env: { ADMIN_OPENIDS: ADMIN } });
  await t.call('auth', { $url: 'warm-up' }, 'o_warm_up'); // a cold container can take seconds on a busy machine
  await t.call('orders', { $url: 'warm-up' }, 'o_warm_up');
  await t.call('admin', { $url: 'warm-up' }, 'o_warm_up');
});
afterAll(() => t.stop());
beforeEach(async () => {
  await t.reset();
  jest.resetModules();
});

type Page = ReturnType<typeof open>;
const text = (page: Page) => page.dom!.textContent ?? '';
const ready = (page: Page) =>
  eventually(() => {
    expect(page.querySelector('.order-page >>> .order__bookkeeping')).toBeTruthy();
    expect(text(page)).toContain('还没有订单');
  });

test('a booked order shows in 我的订单, priced by the server', async () => {
  routeCloudToEmulator(t.url, CUSTOMER);
  const page = open('pages/order/index');
  await ready(page);
  page.querySelector('.order-page >>> .order__bookkeeping')!.dispatchEvent('tap');
  await simulate.sleep(0);
  await eventually(() => expect(page.querySelectorAll('.order-page >>> .order-list__row')).toHaveLength(1));
  const stored = await t.docs<{ _id: string }>('orders');
  expect(text(page)).toContain(`单号 ${stored[0]!._id.slice(0, 12)}`);
  expect(page.querySelector('.order-page >>> .order-list__row')!.dom!.textContent).toContain('合计 ¥16.49');
  expect(page.querySelector('.order-page >>> .admin-entry')).toBeFalsy();
});

test('with prices hidden, 我的订单 has no price either', async () => {
  await t.call('admin', { $url: 'settings.update', version: 0, patch: { hidePrices: true } }, ADMIN);
  routeCloudToEmulator(t.url, CUSTOMER);
  const page = open('pages/order/index');
  await ready(page);
  page.querySelector('.order-page >>> .order__bookkeeping')!.dispatchEvent('tap');
  await eventually(() => expect(page.querySelectorAll('.order-page >>> .order-list__row')).toHaveLength(1));
  expect(text(page)).not.toMatch(/¥|单价|合计/);
});

test('an admin ordering sees the admin entry here too', async () => {
  routeCloudToEmulator(t.url, ADMIN);
  const page = open('pages/order/index');
  await eventually(() => expect(page.querySelector('.order-page >>> .admin-entry')).toBeTruthy());
});
