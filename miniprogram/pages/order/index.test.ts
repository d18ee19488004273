/** The order page: an order submitted appears in 我的订单 as the server stored it; the admin entry for admins. */
import simulate from 'miniprogram-simulate';
import { eventually, routeCloudToEmulator } from '../../../test/support/miniprogram';
import { openPage, usePageEmulator } from '../../../test/support/miniprogram-page';

const open = (page: string, query: Record<string, string> = {}) => openPage(simulate, page, query);

const ADMIN = 'o_admin_order';
const CUSTOMER = 'o_customer_order';
const t = usePageEmulator({ admin: ADMIN, warm: ['auth', 'orders', 'admin'] });

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

test('an order to ship is listed as 订单, not with the button’s verb 提交订单 (issue 23, point 10)', async () => {
  routeCloudToEmulator(t.url, CUSTOMER);
  const page = open('pages/order/index');
  await ready(page);
  page.querySelector('.order-page >>> .order__address-input')!.dispatchEvent('input', { detail: { value: '深圳市南山区' } });
  page.querySelector('.order-page >>> .order__submit')!.dispatchEvent('tap');
  await eventually(() => expect(page.querySelectorAll('.order-page >>> .order-list__row')).toHaveLength(1));
  const title = page.querySelector('.order-page >>> .order-list__row-title')!.dom!.textContent ?? '';
  expect(title).toMatch(/^订单 · /);
  expect(title).not.toContain('提交订单');
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
