/**
 * settings-panel against the real admin function: the merchant's toggles, validation,
 * conflict handling and re-enabling a tripped breaker.
 */
import path from 'node:path';
import simulate from 'miniprogram-simulate';
import { spawnEmulator, type EmulatorClient } from '../../../test/support/emulator';
import { attr, eventually, routeCloudToEmulator, type CloudRoute } from '../../../test/support/miniprogram';

const ADMIN = 'o_admin_0001';
let t: EmulatorClient;
let cloud: CloudRoute;

beforeAll(async () => {
  t = await spawnEmulator({ env: { ADMIN_OPENIDS: `${ADMIN},o_admin_0002` } });
});
afterAll(() => t.stop());
beforeEach(async () => {
  await t.reset();
  jest.resetModules();
  cloud = routeCloudToEmulator(t.url, ADMIN);
});
const updates = () => cloud.calls.filter((c) => c.data.$url === 'settings.update').length;

async function mount() {
  const id = simulate.load(path.join(__dirname, 'index'), 'settings-panel');
  const comp = simulate.render(id);
  comp.attach(document.createElement('parent-wrapper'));
  await eventually(() => expect(comp.data.state).not.toBe('loading'));
  return comp;
}
type Comp = Awaited<ReturnType<typeof mount>>;
const fire = async (comp: Comp, selector: string, event: string, detail?: unknown) => {
  comp.querySelector(selector)!.dispatchEvent(event, detail === undefined ? undefined : { detail });
  await simulate.sleep(0);
};
const text = (comp: Comp) => comp.dom!.textContent ?? '';
const stored = async () => (await t.docs<Record<string, unknown>>('settings'))[0];

test("shows the merchant's three toggles with their labels and the breaker state", async () => {
  const comp = await mount();
  for (const label of [
    '关闭获取手机号',
    '隐藏单价金额且只能以记账方式提交订单',
    '隐藏收货地址',
    '手机号验证方式',
    '每月预算',
    '每日上限',
    '手机号登录正常',
  ])
    expect(text(comp)).toContain(label);
  // 熔断 in the merchant's words: when it happens and what it does.
  expect(text(comp)).toContain('自动暂停');
  expect(text(comp)).toMatch(/资源包.*用完.*预算.*上限/);
  expect(comp.data.form).toEqual({
    captureOff: false,
    hidePrices: false,
    hideShippingAddress: false,
    feeExempt: false,
    kind: 'quick',
    budgetText: '',
    capText: '',
  });
});

test('the fee-exemption switch: says who is exempt, saves only that field, audited', async () => {
  const comp = await mount();
  expect(text(comp)).toContain('免费账号（微信不收费）');
  expect(text(comp)).toContain('政务民生');
  expect(text(comp)).toContain('预算按实际费用计：试用额度内的调用不计费');
  await fire(comp, '.settings__fee-exempt', 'change', { value: true });
  await fire(comp, '.settings__save', 'tap');
  await eventually(() => expect(comp.data.message).toBe('已保存'));
  expect(cloud.calls.find((c) => c.data.$url === 'settings.update')!.data.patch).toEqual({ feeExempt: true });
  expect(await stored()).toMatchObject({ version: 1, feeExempt: true, updatedBy: ADMIN });
  expect(await t.docs('settings_audit')).toEqual([expect.objectContaining({ field: 'feeExempt', from: false, to: true, by: ADMIN })]);
});

test('saving sends only what changed; the last change shows who and when', async () => {
  const comp = await mount();
  await fire(comp, '.settings__hide-address', 'change', { value: true });
  await fire(comp, '.settings__capture-off', 'change', { value: true });
  await fire(comp, '.settings__budget', 'input', { value: '50.5' });
  await fire(comp, '.settings__save', 'tap');
  await eventually(() => expect(comp.data.message).toBe('已保存'));
  expect(await stored()).toMatchObject({
    version: 1,
    hideShippingAddress: true,
    hidePrices: false,
    phoneCapture: { enabled: false, monthlyBudgetYuan: 50.5 },
    updatedBy: ADMIN,
  });
  // Who is "you" comes from our own session, which may answer after the save (a cold auth container).
  await eventually(() => expect(text(comp)).toMatch(/最近修改：你 \d{4}-\d{2}-\d{2} \d{2}:\d{2}/));
  // No raw openid on screen.
  expect(text(comp)).not.toContain(ADMIN);
  const fields = (await t.docs<{ field: string }>('settings_audit')).map((a) => a.field).sort();
  expect(fields).toEqual(['hideShippingAddress', 'phoneCapture.enabled', 'phoneCapture.monthlyBudgetYuan']);
});

test.each([
  ['.settings__budget', '12.345', '每月预算'],
  ['.settings__budget', '-3', '每月预算'],
  ['.settings__cap', '2.5', '每日上限'],
  ['.settings__cap', '0', '每日上限'],
])('%s = %s is refused on the phone with a message, nothing saved', async (selector, value, label) => {
  const comp = await mount();
  await fire(comp, selector, 'input', { value });
  await fire(comp, '.settings__save', 'tap');
  expect(comp.data.message).toContain(label);
  expect(await stored()).toBeUndefined();
});

test('another admin saved first: the panel reloads and says what they changed', async () => {
  const comp = await mount();
  await t.call('admin', { $url: 'settings.update', version: 0, patch: { hidePrices: true } }, 'o_admin_0002');
  await fire(comp, '.settings__capture-off', 'change', { value: true });
  await fire(comp, '.settings__save', 'tap');
  await eventually(() => expect(comp.data.message).toContain('其他管理员'));
  expect(comp.data.message).toContain('隐藏单价金额且只能以记账方式提交订单');
  expect(comp.data.settings.version).toBe(1);
  expect(comp.data.form.hidePrices).toBe(true);
  // Our change was not written over theirs.
  expect(await stored()).toMatchObject({ version: 1, phoneCapture: { enabled: true } });
});

test('a tripped breaker shows its reason and can be re-enabled', async () => {
  await t.http('PUT', '/v1/db/settings/global', {
    version: 4,
    phoneCapture: { enabled: true, kind: 'quick', monthlyBudgetYuan: null, dailyCap: 100 },
    breaker: { tripped: true, reason: 'daily-cap-reached', at: { $date: '2026-05-01T02:00:00Z' } },
    hidePrices: false,
    hideShippingAddress: false,
  });
  const comp = await mount();
  expect(text(comp)).toContain('手机号登录已自动暂停（熔断）：今日次数已达上限');
  expect(text(comp)).toContain('暂停期间用户看不到手机号按钮');
  await fire(comp, '.settings__reenable', 'tap');
  await eventually(() => expect(text(comp)).toContain('手机号登录正常'));
  expect(await stored()).toMatchObject({ version: 5, breaker: { tripped: false, reason: null } });
});

test('a non-admin gets a clear refusal', async () => {
  routeCloudToEmulator(t.url, 'o_plain_user');
  const comp = await mount();
  expect(comp.data.state).toBe('error');
  expect(text(comp)).toContain('只有管理员');
});

describe('double taps', () => {
  test('保存 tapped twice: one save, the button disabled while it runs, no "another admin" message', async () => {
    const comp = await mount();
    await fire(comp, '.settings__hide-prices', 'change', { value: true });
    comp.querySelector('.settings__save')!.dispatchEvent('tap');
    comp.querySelector('.settings__save')!.dispatchEvent('tap');
    await simulate.sleep(0);
    expect(attr(comp.querySelector('.settings__save')!, 'disabled')).toBe(true);
    await eventually(() => expect(comp.data.message).toBe('已保存'));
    await simulate.sleep(50);
    expect(comp.data.message).toBe('已保存');
    expect(updates()).toBe(1);
    expect(await stored()).toMatchObject({ version: 1, hidePrices: true });
    expect(await t.docs('settings_audit')).toHaveLength(1);
  });

  test('重新启用 tapped twice: re-enabled once, no conflict message', async () => {
    await t.http('PUT', '/v1/db/settings/global', {
      version: 4,
      phoneCapture: { enabled: true, kind: 'quick', monthlyBudgetYuan: null, dailyCap: 100 },
      breaker: { tripped: true, reason: 'daily-cap-reached', at: { $date: '2026-05-01T02:00:00Z' } },
      hidePrices: false,
      hideShippingAddress: false,
    });
    const comp = await mount();
    comp.querySelector('.settings__reenable')!.dispatchEvent('tap');
    comp.querySelector('.settings__reenable')!.dispatchEvent('tap');
    await simulate.sleep(0);
    expect(attr(comp.querySelector('.settings__reenable')!, 'disabled')).toBe(true);
    expect(attr(comp.querySelector('.settings__save')!, 'disabled')).toBe(true);
    await eventually(() => expect(comp.data.message).toBe('已重新启用手机号登录'));
    await simulate.sleep(50);
    expect(comp.data.message).toBe('已重新启用手机号登录');
    expect(updates()).toBe(1);
    expect(await stored()).toMatchObject({ version: 5, breaker: { tripped: false } });
  });
});

test('a save before our own session has answered never says 另一位管理员; 你 once it answers', async () => {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const api = (
    globalThis as unknown as { wx: { cloud: { callFunction(o: { name: string; data: Record<string, unknown> }): Promise<unknown> } } }
  ).wx.cloud;
  const call = api.callFunction.bind(api);
  api.callFunction = async (o) => {
    if (o.name === 'auth' && o.data.$url === 'session') await gate;
    return call(o);
  };
  const comp = await mount();
  await fire(comp, '.settings__hide-address', 'change', { value: true });
  await fire(comp, '.settings__save', 'tap');
  await eventually(() => expect(comp.data.message).toBe('已保存'));
  expect(text(comp)).not.toContain('另一位管理员');
  open();
  await eventually(() => expect(text(comp)).toMatch(/最近修改：你 \d{4}-\d{2}-\d{2} \d{2}:\d{2}/));
});

test("another admin's change shows as such, never their openid", async () => {
  await t.call('admin', { $url: 'settings.update', version: 0, patch: { hidePrices: true } }, 'o_admin_0002');
  const comp = await mount();
  await eventually(() => expect(text(comp)).toContain('最近修改：另一位管理员'));
  expect(text(comp)).not.toContain('o_admin_0002');
});

test("a refusal from the server is told in Chinese, not in the server's English", async () => {
  const comp = await mount();
  routeCloudToEmulator(t.url, 'o_plain_user'); // no longer an admin when saving
  await fire(comp, '.settings__hide-prices', 'change', { value: true });
  await fire(comp, '.settings__save', 'tap');
  await eventually(() => expect(comp.data.message).toContain('保存失败'));
  expect(comp.data.message).not.toMatch(/[A-Za-z]{3,}/);
  expect(comp.data.message).toContain('管理员');
});
