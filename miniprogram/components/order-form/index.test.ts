/**
 * order-form against the real orders function: what a customer sees under the two
 * merchant flags, that hidden prices never reach the phone (not even the component's
 * data), and that what the page shows after submitting is the order the server stored.
 */
import path from 'node:path';
import simulate from 'miniprogram-simulate';
import { spawnEmulator, type EmulatorClient } from '../../../test/support/emulator';
import { callData } from '../../../test/support/envelope';
import { attr, eventually, routeCloudToEmulator, type CloudRoute } from '../../../test/support/miniprogram';
import { stubWx } from '../../../test/support/miniprogram-wx';

const ADMIN = 'o_admin_0001';
const CUSTOMER = 'o_customer_01';
let t: EmulatorClient;
let cloud: CloudRoute;
/** When set, `orders.products.list` answers only once this promise resolves. */
let productsGate: Promise<void> | null = null;

beforeAll(async () => {
  t = await spawnEmulator({ env: { ADMIN_OPENIDS: ADMIN } });
});
afterAll(() => t.stop());
beforeEach(async () => {
  await t.reset();
  jest.resetModules();
  productsGate = null;
  cloud = routeCloudToEmulator(t.url, CUSTOMER);
  const api = (
    globalThis as unknown as { wx: { cloud: { callFunction(o: { name: string; data: Record<string, unknown> }): Promise<unknown> } } }
  ).wx.cloud;
  const call = api.callFunction.bind(api);
  api.callFunction = async (o) => {
    if (o.name === 'orders' && o.data.$url === 'products.list' && productsGate) await productsGate;
    return call(o);
  };
});

let version = 0;
const setFlags = async (flags: { hidePrices?: boolean; hideShippingAddress?: boolean }) => {
  version = (await callData(t, 'admin', 'settings.get', {}, ADMIN)).version;
  await callData(t, 'admin', 'settings.update', { version, patch: flags }, ADMIN);
};

async function mount(waitReady = true) {
  const id = simulate.load(path.join(__dirname, 'index'), 'order-form');
  const comp = simulate.render(id);
  comp.attach(document.createElement('parent-wrapper'));
  if (waitReady) await eventually(() => expect(comp.data.state).toBe('ready'));
  return comp;
}
type Comp = Awaited<ReturnType<typeof mount>>;
const text = (comp: Comp) => comp.dom!.textContent ?? '';
const tap = async (comp: Comp, selector: string, event = 'tap', detail?: unknown) => {
  comp.querySelector(selector)!.dispatchEvent(event, detail === undefined ? undefined : { detail });
  await simulate.sleep(0);
};
const submitted = (comp: Comp) => {
  const events: Array<Record<string, unknown>> = [];
  (comp as unknown as { addEventListener(n: string, f: (e: { detail: Record<string, unknown> }) => void): void }).addEventListener(
    'submitted',
    (e) => events.push(e.detail),
  );
  return events;
};
const pageShow = (comp: Comp) => (comp as unknown as { triggerPageLifeTime(name: string): void }).triggerPageLifeTime('show');
const PRICE = /¥|单价|金额|合计|\d+\.\d{2}/;
/** Any trace of a price in the component's data. */
const priceInData = (comp: Comp) => /Fen|¥|1250|399|12\.5|3\.99/.test(JSON.stringify(comp.data));

test('by default: prices from the server, the address, both ways to submit; the page shows the stored order', async () => {
  const comp = await mount();
  expect(text(comp)).toContain('单价 ¥12.50');
  expect(text(comp)).toContain('合计 ¥16.49');
  await tap(comp, '.order__plus');
  expect(text(comp)).toContain('合计 ¥28.99');
  expect(comp.querySelector('.order__submit')).toBeTruthy();
  expect(comp.querySelector('.order__bookkeeping')).toBeTruthy();
  const events = submitted(comp);
  await tap(comp, '.order__address-input', 'input', { value: '深圳市南山区' });
  await tap(comp, '.order__submit');
  await eventually(() => expect(comp.querySelector('.order__done')).toBeTruthy());
  const stored = await t.docs<Record<string, unknown>>('orders');
  expect(stored).toMatchObject([
    {
      _openid: CUSTOMER,
      mode: 'order',
      totalFen: 2899,
      address: '深圳市南山区',
      lines: [
        { productId: 'sample-a', qty: 2 },
        { productId: 'sample-b', qty: 1 },
      ],
    },
  ]);
  expect(text(comp)).toContain('订单已提交');
  expect(text(comp)).toContain(String(stored[0]!._id).slice(0, 12));
  expect(text(comp)).toContain('合计 ¥28.99');
  expect(events).toMatchObject([{ orderId: stored[0]!._id, totalFen: 2899 }]);
});

test('nothing, and no price, is shown before the settings arrive', async () => {
  let open!: () => void;
  productsGate = new Promise((resolve) => (open = resolve));
  const comp = await mount(false);
  await simulate.sleep(20);
  expect(text(comp)).not.toMatch(PRICE);
  expect(priceInData(comp)).toBe(false);
  expect(comp.querySelector('.order__submit')).toBeFalsy();
  expect(comp.querySelector('.order__bookkeeping')).toBeFalsy();
  open();
  await eventually(() => expect(comp.data.state).toBe('ready'));
});

test('hidePrices: no price on screen or in the component, 记账 the only way, the stored order shown without prices', async () => {
  await setFlags({ hidePrices: true });
  const comp = await mount();
  expect(text(comp)).not.toMatch(PRICE);
  expect(priceInData(comp)).toBe(false);
  expect(comp.querySelector('.order__submit')).toBeFalsy();
  await tap(comp, '.order__bookkeeping');
  await eventually(() => expect(comp.querySelector('.order__done')).toBeTruthy());
  expect(text(comp)).toContain('已记账');
  expect(text(comp)).not.toMatch(PRICE);
  expect(priceInData(comp)).toBe(false);
  expect(await t.docs('orders')).toMatchObject([{ mode: 'bookkeeping', pricesHidden: true }]);
});

test('hidePrices switched on after the page loaded: the server refuses the order, the page says why and shows 记账 only', async () => {
  const comp = await mount();
  await setFlags({ hidePrices: true });
  await tap(comp, '.order__address-input', 'input', { value: '深圳市南山区' });
  await tap(comp, '.order__submit');
  await eventually(() => expect(comp.data.message).toContain('只能以记账方式'));
  expect(comp.querySelector('.order__submit')).toBeFalsy();
  expect(text(comp)).not.toMatch(PRICE);
  expect(priceInData(comp)).toBe(false);
  expect(await t.docs('orders')).toEqual([]);
});

test('hideShippingAddress: no address section, the order stored without one', async () => {
  await setFlags({ hideShippingAddress: true });
  const comp = await mount();
  expect(comp.querySelector('.order__address')).toBeFalsy();
  expect(text(comp)).not.toContain('收货地址');
  await tap(comp, '.order__submit');
  await eventually(() => expect(comp.querySelector('.order__done')).toBeTruthy());
  expect(await t.docs('orders')).toMatchObject([{ mode: 'order', address: null }]);
});

test('an order (not bookkeeping) needs the address when it is shown', async () => {
  const comp = await mount();
  await tap(comp, '.order__submit');
  expect(comp.data.message).toContain('收货地址');
  expect(cloud.calls.map((c) => c.data.$url)).not.toContain('submit');
});

test('a double tap stores one order; the button is disabled while it is sent', async () => {
  const comp = await mount();
  comp.querySelector('.order__bookkeeping')!.dispatchEvent('tap');
  comp.querySelector('.order__bookkeeping')!.dispatchEvent('tap');
  await simulate.sleep(0);
  expect(attr(comp.querySelector('.order__bookkeeping')!, 'disabled')).toBe(true);
  await eventually(() => expect(comp.querySelector('.order__done')).toBeTruthy());
  expect(await t.docs('orders')).toHaveLength(1);
});

test('the settings are asked again when the page shows', async () => {
  const comp = await mount();
  expect(comp.querySelector('.order__address')).toBeTruthy();
  await setFlags({ hideShippingAddress: true, hidePrices: true });
  pageShow(comp);
  await eventually(() => expect(comp.querySelector('.order__address')).toBeFalsy());
  expect(text(comp)).not.toMatch(PRICE);
  expect(priceInData(comp)).toBe(false);
});

test('after a privacy refusal no address is collected: no field, no order to ship, 记账 still works (issue 23, point 7)', async () => {
  const wxStub = stubWx();
  try {
    (globalThis as unknown as { wx: { setStorageSync(k: string, v: unknown): void } }).wx.setStorageSync('quickphone.privacyRefused', true);
    const comp = await mount();
    expect(comp.querySelector('.order__address-input')).toBeFalsy();
    expect(comp.querySelector('.order__submit')).toBeFalsy();
    expect(text(comp)).toContain('隐私保护指引');
    await tap(comp, '.order__bookkeeping');
    await eventually(() => expect(comp.querySelector('.order__done')).toBeTruthy());
    expect(await t.docs('orders')).toMatchObject([{ mode: 'bookkeeping', address: null }]);
  } finally {
    wxStub.restore();
  }
});
