/**
 * order-form against the real auth.session: the two merchant flags change what a
 * customer sees and how an order can be submitted.
 */
import path from 'node:path';
import simulate from 'miniprogram-simulate';
import { spawnEmulator, type EmulatorClient } from '../../../test/support/emulator';
import { eventually, routeCloudToEmulator } from '../../../test/support/miniprogram';

let t: EmulatorClient;
beforeAll(async () => {
  t = await spawnEmulator({ env: { ADMIN_OPENIDS: 'o_admin_0001' } });
});
afterAll(() => t.stop());
beforeEach(async () => {
  await t.reset();
  jest.resetModules();
  routeCloudToEmulator(t.url, 'o_customer_01');
});

const setFlags = (flags: { hidePrices?: boolean; hideShippingAddress?: boolean }) =>
  t.call('admin', { $url: 'settings.update', version: 0, patch: flags }, 'o_admin_0001');

async function mount() {
  const id = simulate.load(path.join(__dirname, 'index'), 'order-form');
  const comp = simulate.render(id);
  comp.attach(document.createElement('parent-wrapper'));
  await eventually(() => expect(comp.data.ready).toBe(true));
  return comp;
}
const submitted = (comp: Awaited<ReturnType<typeof mount>>) => {
  const events: unknown[] = [];
  (comp as unknown as { addEventListener(n: string, f: (e: { detail: unknown }) => void): void }).addEventListener('submit', (e) => events.push(e.detail));
  return events;
};

test('by default: unit prices, amounts, total, the address and both ways to submit', async () => {
  const comp = await mount();
  const text = comp.dom!.textContent!;
  expect(text).toContain('单价 ¥12.50');
  expect(text).toContain('金额 ¥25.00');
  expect(text).toContain('合计 ¥28.99');
  expect(comp.querySelector('.order__address')).toBeTruthy();
  expect(comp.querySelector('.order__submit')).toBeTruthy();
  expect(comp.querySelector('.order__bookkeeping')).toBeTruthy();
});

test('hidePrices: no price or amount anywhere, and bookkeeping (记账) is the only submit', async () => {
  await setFlags({ hidePrices: true });
  const comp = await mount();
  const text = comp.dom!.textContent!;
  expect(text).not.toMatch(/¥|单价|金额|合计|\d+\.\d{2}/);
  expect(comp.querySelector('.order__submit')).toBeFalsy();
  const events = submitted(comp);
  comp.querySelector('.order__bookkeeping')!.dispatchEvent('tap');
  await simulate.sleep(0);
  expect(events).toEqual([{ mode: 'bookkeeping', lines: [{ name: '示例商品 A', qty: 2 }, { name: '示例商品 B', qty: 1 }], address: null }]);
  expect(JSON.stringify(events)).not.toContain('Fen');
});

test('hideShippingAddress: the address section is gone', async () => {
  await setFlags({ hideShippingAddress: true });
  const comp = await mount();
  expect(comp.querySelector('.order__address')).toBeFalsy();
  expect(comp.dom!.textContent).not.toContain('收货地址');
  expect(comp.querySelector('.order__submit')).toBeTruthy();
});

test('an order (not bookkeeping) needs the address when it is shown', async () => {
  const comp = await mount();
  const events = submitted(comp);
  comp.querySelector('.order__submit')!.dispatchEvent('tap');
  await simulate.sleep(0);
  expect(events).toEqual([]);
  expect(comp.data.message).toContain('收货地址');
  comp.querySelector('.order__address-input')!.dispatchEvent('input', { detail: { value: '深圳市南山区' } });
  await simulate.sleep(0);
  comp.querySelector('.order__submit')!.dispatchEvent('tap');
  await simulate.sleep(0);
  expect(events).toMatchObject([{ mode: 'order', address: '深圳市南山区' }]);
});
