/**
 * provider-panel against the real provider function in a spawned emulator: a provider
 * staff member picks a bulk order, assigns a pack to a merchant mini program through
 * the form and its confirmation, watches it settle, withdraws it; a bad appid is
 * stopped on the phone; a retry after a failure in transit reuses the key and never
 * assigns twice; a non-admin sees 无权限.
 */
import path from 'node:path';
import simulate from 'miniprogram-simulate';
import { spawnEmulator, type EmulatorClient } from '../../../test/support/emulator';
import { eventually, routeCloudToEmulator, type CloudRoute } from '../../../test/support/miniprogram';

const ADMIN = 'o_sp_admin_01';
const MERCHANT = 'wx0123456789abcdef';
let t: EmulatorClient;
let cloud: CloudRoute;

beforeAll(async () => {
  // PROVIDER_PUSH_TOKEN: the emulator's push Token, so WeChat's signed result pushes settle assignments.
  t = await spawnEmulator({
    env: {
      ADMIN_OPENIDS: ADMIN,
      PROVIDER_APPID: 'wx5eed1e0c0ffee001',
      PROVIDER_APPSECRET: 'x',
      PROVIDER_PUSH_TOKEN: 'quickphone-local-push-token',
    },
  });
});
afterAll(() => t.stop());
beforeEach(async () => {
  await t.reset();
  jest.resetModules();
  cloud = routeCloudToEmulator(t.url, ADMIN);
});

interface SpOrders {
  orders: Array<{
    orderId: string;
    calls: number;
    assigned: number;
    assignments: Array<{ requestId: string; receiverAppId: string; skuId: string; calls: number; status: unknown }>;
  }>;
}
const seedOrder = async (calls = 1_000_000) => {
  const res = await t.http<{ orderId: string }>('POST', '/v1/wechat/sp-orders', { calls });
  expect(res.status).toBe(200);
  return res.body.orderId;
};
const spOrders = async () => (await t.http<SpOrders>('GET', '/v1/wechat/sp-orders')).body.orders;

const mounted: Array<{ detach(): void }> = [];
afterEach(() => {
  // Stops the panel's refresh timer.
  for (const comp of mounted.splice(0)) comp.detach();
});

async function mount() {
  const comp = simulate.render(simulate.load(path.join(__dirname, 'index'), 'provider-panel'), { pollMs: 100 });
  comp.attach(document.createElement('parent-wrapper'));
  mounted.push(comp);
  await eventually(() => expect(comp.data.state).not.toBe('loading'), 15000);
  return comp;
}
type Comp = Awaited<ReturnType<typeof mount>>;
type Node = NonNullable<ReturnType<Comp['querySelector']>>;
const fire = async (node: Node | undefined | null, event = 'tap', detail?: unknown) => {
  expect(node).toBeTruthy();
  node!.dispatchEvent(event, detail === undefined ? undefined : { detail });
  await simulate.sleep(0);
};
const text = (node: Comp | Node) => node.dom!.textContent ?? '';
const assignCalls = () => cloud.calls.filter((c) => c.name === 'provider' && c.data.$url === 'assign');

/** Picks the order, waits for its SKUs, fills the form with the 10000-call SKU. */
async function fillForm(comp: Comp, orderId: string, appid: string) {
  const orderNode = comp.querySelectorAll('.provider__order').find((n) => text(n).includes(orderId));
  await fire(orderNode);
  await eventually(() => expect(comp.data.skusState).toBe('ready'), 10000);
  const sku = (comp.data.skus as Array<{ skuId: string; calls: number }>).find((s) => s.calls === 10000);
  expect(sku).toBeDefined();
  await fire(comp.querySelector('.provider__skus'), 'change', { value: sku!.skuId });
  await fire(comp.querySelector('.provider__appid'), 'input', { value: appid });
}

/** A panel with one order and one assignment to MERCHANT made through the form, settled done. */
async function mountWithDoneAssignment() {
  const orderId = await seedOrder();
  const comp = await mount();
  await fillForm(comp, orderId, MERCHANT);
  await fire(comp.querySelector('.provider__assign'));
  await fire(comp.querySelector('.provider__confirm-ok'));
  await eventually(() => expect(comp.data.assignments.map((a: { status: string }) => a.status)).toEqual(['done']), 15000);
  return { orderId, comp };
}

test('orders with calls/used/remaining; assigning 10000 through the form and its confirmation; it becomes 已分配', async () => {
  const orderId = await seedOrder();
  const comp = await mount();
  expect(text(comp)).toContain(orderId);
  expect(text(comp)).toContain('总次数 1000000 · 已分配 0 · 剩余 1000000');
  expect(text(comp)).toContain('暂无分配记录');

  await fillForm(comp, orderId, MERCHANT);
  await fire(comp.querySelector('.provider__assign'));
  // The confirmation shows what will happen; nothing sent yet.
  const confirm = comp.querySelector('.provider__confirm')!;
  expect(text(confirm)).toContain('确认分配');
  expect(text(confirm)).toContain(orderId);
  expect(text(confirm)).toContain('10000 次');
  expect(text(confirm)).toContain(MERCHANT);
  expect(assignCalls()).toHaveLength(0);

  await fire(comp.querySelector('.provider__confirm-ok'));
  await eventually(() => expect(comp.data.formMessage).toContain('已提交分配'), 15000);
  expect(assignCalls()).toHaveLength(1);
  expect(assignCalls()[0]!.data).toMatchObject({ orderId, receiverAppId: MERCHANT });
  expect(String(assignCalls()[0]!.data.idempotencyKey).length).toBeGreaterThanOrEqual(16);

  await eventually(() => {
    const row = comp.querySelectorAll('.provider__assignment').find((n) => text(n).includes(MERCHANT));
    expect(row && text(row)).toContain('已分配');
  }, 15000);
  expect(comp.data.assignments).toHaveLength(1);
  expect(comp.data.assignments[0]).toMatchObject({ receiverAppId: MERCHANT, calls: 10000, status: 'done' });
  await eventually(() => expect(text(comp)).toContain('已分配 10000 · 剩余 990000'), 15000);

  const [order] = await spOrders();
  expect(order!.assignments).toHaveLength(1);
  expect(order!.assignments[0]).toMatchObject({ receiverAppId: MERCHANT, calls: 10000 });
});

test('a bad appid is refused on the phone with a message; nothing is assigned', async () => {
  const orderId = await seedOrder();
  const comp = await mount();
  for (const bad of ['wx0123456789ABCDEF', 'wx0123', 'merchant-app']) {
    await fillForm(comp, orderId, bad);
    await fire(comp.querySelector('.provider__assign'));
    expect(comp.data.formMessage).toContain('AppID 格式不正确');
    expect(text(comp)).toContain('AppID 格式不正确');
    expect(comp.querySelector('.provider__confirm')).toBeFalsy();
  }
  expect(assignCalls()).toHaveLength(0);
  const [order] = await spOrders();
  expect(order!.assigned).toBe(0);
  expect(order!.assignments).toEqual([]);
});

test('a retry after a dropped connection reuses the key; a retry after a lost answer never assigns twice', async () => {
  const orderId = await seedOrder();
  const comp = await mount();
  await fillForm(comp, orderId, MERCHANT);
  await fire(comp.querySelector('.provider__assign'));

  // 1. The request never leaves the phone.
  cloud.offline = true;
  await fire(comp.querySelector('.provider__confirm-ok'));
  await eventually(() => expect(comp.data.formMessage).toContain('网络异常'));
  expect(text(comp.querySelector('.provider__confirm-ok')!)).toContain('重试');

  // 2. The request reaches the function, which assigns; the answer is lost on the way back.
  cloud.offline = false;
  const g = globalThis as unknown as { wx: { cloud: { callFunction(o: unknown): Promise<unknown> } } };
  const real = g.wx.cloud.callFunction.bind(g.wx.cloud);
  let dropAnswers = 1;
  g.wx.cloud.callFunction = async (o: unknown) => {
    const res = await real(o);
    if (dropAnswers > 0 && (o as { data: { $url: string } }).data.$url === 'assign') {
      dropAnswers -= 1;
      throw { errMsg: 'cloud.callFunction:fail request:fail socket hang up' };
    }
    return res;
  };
  await fire(comp.querySelector('.provider__confirm-ok'));
  await eventually(() => expect(dropAnswers).toBe(0));
  await eventually(() => expect(comp.data.assigning).toBe(false));
  expect(comp.data.formMessage).toContain('网络异常');

  // Leaving the confirmation and submitting the same form again still keeps the key.
  await fire(comp.querySelector('.provider__confirm-back'));
  await fire(comp.querySelector('.provider__assign'));
  await fire(comp.querySelector('.provider__confirm-ok'));
  await eventually(() => expect(comp.data.formMessage).toContain('已提交分配'), 15000);

  const keys = assignCalls().map((c) => c.data.idempotencyKey);
  expect(keys).toHaveLength(3);
  expect(new Set(keys).size).toBe(1);
  await eventually(async () => {
    const [order] = await spOrders();
    expect(order!.assignments).toHaveLength(1);
    expect(order!.assigned).toBe(10000);
  });
  await eventually(() => expect(comp.data.assignments.map((a: { status: string }) => a.status)).toEqual(['done']), 15000);

  // A new assignment after that one gets a new key.
  await fillForm(comp, orderId, MERCHANT);
  await fire(comp.querySelector('.provider__assign'));
  await fire(comp.querySelector('.provider__confirm-ok'));
  await eventually(() => expect(assignCalls()).toHaveLength(4));
  expect(assignCalls()[3]!.data.idempotencyKey).not.toBe(keys[0]);
  // Finished before the next test resets the emulator.
  await eventually(() => expect(comp.data.assignments).toHaveLength(2), 15000);
  await eventually(async () => expect((await spOrders())[0]!.assigned).toBe(20000));
});

test('a done assignment can be withdrawn (→ 已撤回); one WeChat refuses to withdraw shows a clear CONFLICT message', async () => {
  const { comp } = await mountWithDoneAssignment();

  // WeChat refuses (the pack is used, or older than 7 days): CONFLICT, in words; still 已分配.
  const fault = await t.http('POST', '/v1/faults', {
    target: 'wechat:/wxa/charge/service-provider/package/cancel_assign',
    errcode: 10121014,
    times: 1,
  });
  expect(fault.status).toBe(200);
  await fire(comp.querySelector('.provider__withdraw'));
  expect(text(comp)).toContain('确定撤回');
  await fire(comp.querySelector('.provider__withdraw-ok'));
  await eventually(() => expect(comp.data.listMessage).toContain('无法撤回'), 15000);
  expect(text(comp)).toContain('无法撤回：资源包已被使用、已撤回，或分配已超过 7 天');
  expect(comp.data.assignments[0].status).toBe('done');

  // Withdrawn for real.
  await fire(comp.querySelector('.provider__withdraw'));
  await fire(comp.querySelector('.provider__withdraw-ok'));
  await eventually(() => expect(comp.data.listMessage).toContain('已提交撤回'), 15000);
  await eventually(() => expect(comp.data.assignments[0].status).toBe('cancelled'), 15000);
  expect(text(comp)).toContain('已撤回');
  expect(comp.querySelector('.provider__withdraw')).toBeFalsy();
  await eventually(async () => expect((await spOrders())[0]!.assigned).toBe(0));
});

test('an assign WeChat refuses at once (48001) shows 失败 with its reason in Chinese; nothing assigned', async () => {
  const orderId = await seedOrder();
  const comp = await mount();
  await t.http('POST', '/v1/faults', { target: 'wechat:/wxa/charge/service-provider/package/assign', errcode: 48001, times: 1 });
  await fillForm(comp, orderId, MERCHANT);
  await fire(comp.querySelector('.provider__assign'));
  await fire(comp.querySelector('.provider__confirm-ok'));
  await eventually(() => expect(comp.data.assignments.map((a: { status: string }) => a.status)).toEqual(['failed']), 15000);
  const row = comp.querySelector('.provider__assignment')!;
  expect(text(row)).toContain('失败');
  expect(text(row)).toContain('未分配：服务商令牌无权调用该接口（48001）');
  expect(comp.querySelector('.provider__withdraw')).toBeFalsy();
  expect((await spOrders())[0]!.assignments).toEqual([]);
});

test('a bulk product WeChat refuses is said above the orders, not hidden', async () => {
  const orderId = (await t.http<{ orderId: string }>('POST', '/v1/wechat/sp-orders', { calls: 50_000, spuId: '10000120' })).body.orderId;
  await t.http('POST', '/v1/faults', { target: 'wechat:/wxa/charge/service-provider/order/query_list', errcode: 10120002, times: 1 });
  const comp = await mount();
  expect(text(comp)).toContain(orderId);
  expect(text(comp.querySelector('.provider__orders-notice')!)).toContain('商品 10000117 查询失败');
});

test('the fleet lists the merchant assigned to; a top-up rule is set from the form and listed with its state', async () => {
  const { orderId, comp } = await mountWithDoneAssignment();
  await fire(comp.querySelector('.provider__fleet-refresh'));
  await eventually(() => expect(comp.querySelectorAll('.provider__merchant')).toHaveLength(1), 15000);
  // No token source is configured for it here: the row says so instead of showing zero.
  expect(text(comp.querySelector('.provider__merchant')!)).toContain(MERCHANT);
  expect(text(comp.querySelector('.provider__merchant')!)).toContain('未配置该商户的令牌来源');
  expect(text(comp.querySelector('.provider__merchant')!)).not.toContain('剩余 0');

  await fillForm(comp, orderId, MERCHANT);
  await fire(comp.querySelector('.provider__rule-below'), 'input', { value: 'abc' });
  await fire(comp.querySelector('.provider__rule-save'));
  expect(comp.data.ruleMessage).toContain('补充阈值');
  await fire(comp.querySelector('.provider__rule-below'), 'input', { value: '500' });
  await fire(comp.querySelector('.provider__rule-max'), 'input', { value: '3' });
  await fire(comp.querySelector('.provider__rule-save'));
  await eventually(() => expect(comp.querySelectorAll('.provider__rule')).toHaveLength(1), 15000);
  const rule = text(comp.querySelector('.provider__rule')!);
  expect(rule).toContain('剩余低于 500 次时');
  expect(rule).toContain('每月最多 3 次');
  expect(rule).toContain('生效中');
  await fire(comp.querySelector('.provider__rule-remove'));
  await eventually(() => expect(comp.querySelectorAll('.provider__rule')).toHaveLength(0), 15000);
});

test('a non-admin sees 无权限 and no orders', async () => {
  await seedOrder();
  routeCloudToEmulator(t.url, 'o_plain_staff');
  const comp = await mount();
  expect(comp.data.state).toBe('forbidden');
  expect(text(comp)).toContain('无权限');
  expect(comp.querySelector('.provider__order')).toBeFalsy();
});
