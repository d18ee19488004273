/**
 * usage-panel against the real admin and cron functions in a spawned emulator: what
 * the merchant sees of usage, cost and quota, recording a purchased pack (checked on
 * the phone first), the kind switch, and the refusal for non-admins.
 */
import path from 'node:path';
import simulate from 'miniprogram-simulate';
import { spawnEmulator, type EmulatorClient } from '../../../test/support/emulator';
import { routesOf } from '../../../test/support/envelope';
import { attr, eventually, routeCloudToEmulator, type CloudRoute } from '../../../test/support/miniprogram';

const ADMIN = 'o_admin_0001';
let t: EmulatorClient;
let cloud: CloudRoute;

beforeAll(async () => {
  t = await spawnEmulator({ env: { ADMIN_OPENIDS: ADMIN } });
});
afterAll(() => t.stop());
beforeEach(async () => {
  await t.reset();
  jest.resetModules();
  cloud = routeCloudToEmulator(t.url, ADMIN);
});

const admin = routesOf(() => t, 'admin', ADMIN).data;

/** China-time day `daysAgo` days before today, "YYYY-MM-DD" (as the server counts). */
const chinaDay = (daysAgo = 0) => new Date(Date.now() + 8 * 3600 * 1000 - daysAgo * 86400 * 1000).toISOString().slice(0, 10);
/** The China month `monthsAgo` before this one, "YYYY-MM". */
function chinaMonth(monthsAgo: number): string {
  const [y, m] = chinaDay().split('-').map(Number) as [number, number];
  const index = y * 12 + (m - 1) - monthsAgo;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}
/** History as the charge path leaves it: one counter per China day and kind. */
const seedUsage = (day: string, kind: 'quick' | 'realtime', count: number) =>
  t.http('PUT', `/v1/db/usage_daily/${day}:${kind}`, { day, kind, count });

async function mount(props: Record<string, unknown> = {}) {
  const comp = simulate.render(simulate.load(path.join(__dirname, 'index'), 'usage-panel'), props);
  comp.attach(document.createElement('parent-wrapper'));
  await eventually(() => expect(comp.data.state).not.toBe('loading'));
  return comp;
}
type Comp = Awaited<ReturnType<typeof mount>>;
type Node = NonNullable<ReturnType<Comp['querySelector']>>;
const fire = async (node: Node | undefined, event = 'tap', detail?: unknown) => {
  node!.dispatchEvent(event, detail === undefined ? undefined : { detail });
  await simulate.sleep(0);
};
const text = (node: Comp | Node) => node.dom!.textContent ?? '';
const input = (comp: Comp, selector: string, value: string) => fire(comp.querySelector(selector)!, 'input', { value });
const quotaReady = (comp: Comp) => eventually(() => expect(comp.data.quotaState).toBe('ready'));
const routes = () => cloud.calls.map((c) => `${c.name}.${String(c.data.$url)}`);

describe('usage from the summary', () => {
  test('this month: counts of each kind; inside the free trial the cost is 0, the list value beside it, and one line says why', async () => {
    await seedUsage(chinaDay(), 'quick', 5);
    await seedUsage(chinaDay(), 'realtime', 2);
    const comp = await mount();
    const month = text(comp.querySelector('.usage__this-month')!);
    expect(month).toContain('费用 ¥0.00');
    expect(text(comp.querySelector('.usage__list-value')!)).toBe('按标价 ¥0.23，节省 ¥0.23'); // 5 × 0.03 + 2 × 0.04
    expect(text(comp.querySelector('.usage__explain')!)).toContain('试用额度免费');
    expect(comp.querySelector('.usage__estimate')).toBeFalsy();
    expect(month).toContain('快速验证 5 次 · 实时验证 2 次');
    expect(month).toContain(`${Number(chinaMonth(0).slice(0, 4))}年${Number(chinaMonth(0).slice(5))}月`);
  });

  test('a bar per month, oldest first, each labelled "MM" with its count in text', async () => {
    await seedUsage(`${chinaMonth(3)}-15`, 'quick', 100);
    await seedUsage(`${chinaMonth(3)}-16`, 'realtime', 20);
    await seedUsage(chinaDay(), 'quick', 30);
    const comp = await mount();
    // Queried from the root: j-component does not search inside built-in views.
    const bars = comp.querySelectorAll('.bars__item');
    const labels = comp.querySelectorAll('.bars__label').map(text);
    const values = comp.querySelectorAll('.bars__value').map(text);
    const heights = comp.querySelectorAll('.bars__bar').map((b) => attr(b, 'style'));
    expect(bars).toHaveLength(12);
    const months = Array.from({ length: 12 }, (_, i) => chinaMonth(11 - i));
    expect(labels).toEqual(months.map((m) => m.slice(5)));
    const busy = bars[8]!;
    expect(values[8]).toBe('120');
    // All inside the free trials: nothing to pay.
    expect(attr(busy, 'ariaLabel')).toContain('共 120 次，快速验证 100 次，实时验证 20 次，费用 ¥0.00（按标价 ¥3.80）');
    // The busiest month fills the chart's round top (120 → 120).
    expect(comp.data.monthTop).toBe(120);
    expect(heights[8]).toBe('height: 100%;');
    expect(heights[11]).toBe('height: 25%;');
    expect(values[0]).toBe('0');
    expect(heights[0]).toBe('height: 0%;');
    // Tapping a bar spells the month out.
    await fire(busy);
    expect(text(comp.querySelector('.usage__month-detail')!)).toContain('费用 ¥0.00');
  });

  test("after the trial each call costs its pack's price: 10 calls from a 1M pack at 28,000.00 cost 0.28, not 0.30", async () => {
    // The trial went two months ago; a 1,000,000-call pack bought last month serves now.
    await seedUsage(`${chinaMonth(2)}-10`, 'quick', 1000);
    await admin('quota.addPack', {
      idempotencyKey: 'test-pack-15',
      calls: 1_000_000,
      validityDays: 365,
      priceYuan: 28000,
      startsAt: `${chinaMonth(1)}-01`,
    });
    await seedUsage(chinaDay(), 'quick', 10);
    const comp = await mount();
    expect(text(comp.querySelector('.usage__cost')!)).toBe('费用 ¥0.28');
    expect(text(comp.querySelector('.usage__list-value')!)).toBe('按标价 ¥0.30，节省 ¥0.02');
    await quotaReady(comp);
    const pack = comp.querySelectorAll('.pack').find((p) => text(p).includes('自购'))!;
    expect(text(pack)).toContain('每次 ¥0.028');
    expect(text(comp.querySelector('.usage__kind-cost')!)).toBe('至今费用 ¥0.28（按标价 ¥30.30）');
  });

  test('recording what a provider pack cost: its calls are priced by it, on the page and on the server', async () => {
    await seedUsage(`${chinaMonth(2)}-10`, 'quick', 1000); // the trial is spent
    const pack = await admin('quota.addPack', {
      idempotencyKey: 'test-pack-16',
      calls: 500,
      validityDays: 365,
      source: 'provider',
      startsAt: `${chinaMonth(1)}-01`,
    });
    await seedUsage(chinaDay(), 'quick', 40);
    const comp = await mount();
    await quotaReady(comp);
    expect(text(comp.querySelector('.usage__cost')!)).toBe('费用 ¥0.00'); // nothing recorded: the provider charged nothing
    const row = () => comp.querySelectorAll('.pack').find((p) => text(p).includes('服务商分配'))!;
    // The trial's price is fixed: the provider pack's is the only one to fill in
    // (queried from the root: j-component does not search inside views).
    expect(comp.querySelectorAll('.pack__price-edit')).toHaveLength(1);
    await fire(comp.querySelector('.pack__price-edit')!);
    await input(comp, '.pack__price-input', '12.345');
    await fire(comp.querySelector('.pack__price-save')!);
    expect(text(comp.querySelector('.pack__price-message')!)).toContain('最多两位小数');
    expect(routes()).not.toContain('admin.quota.setPrice');
    await input(comp, '.pack__price-input', '12.5');
    await fire(comp.querySelector('.pack__price-save')!);
    await eventually(() => expect(text(row())).toContain('每次 ¥0.025'));
    expect(cloud.calls.find((c) => c.data.$url === 'quota.setPrice')!.data).toEqual({
      $url: 'quota.setPrice',
      id: pack.id,
      priceYuan: 12.5,
    });
    expect((await t.docs<{ _id: string; priceFen: number }>('quota_packs')).find((d) => d._id === pack.id)!.priceFen).toBe(1250);
    // 40 calls at 2.5 fen.
    await eventually(() => expect(text(comp.querySelector('.usage__cost')!)).toBe('费用 ¥1.00'));
  });

  test('calls beyond every recorded pack are priced at the list price, and the page says it is an estimate', async () => {
    await seedUsage(chinaDay(), 'quick', 1004);
    const comp = await mount();
    expect(text(comp.querySelector('.usage__cost')!)).toBe('费用 ¥0.12');
    expect(text(comp.querySelector('.usage__estimate')!)).toContain('其中 4 次没有已知单价');
  });

  test('a fee-exempt account: cost 0, the page says why, no pack advice', async () => {
    for (let d = 1; d <= 20; d++) await seedUsage(chinaDay(d), 'quick', 100);
    const settings = await admin('settings.get', {});
    await admin('settings.update', { version: settings.version, patch: { feeExempt: true } });
    const comp = await mount();
    expect(text(comp.querySelector('.usage__cost')!)).toBe('费用 ¥0.00');
    expect(text(comp.querySelector('.usage__explain')!)).toContain('免费账号');
    await quotaReady(comp);
    expect(text(comp.querySelector('.usage__no-advice')!)).toBe('免费账号：微信不收取费用，无需购买资源包');
    expect(text(comp.querySelector('.usage__forecast')!)).toContain('不会用完');
  });

  test('the 30-day curve: a point per day, today last, each with its value in text', async () => {
    await seedUsage(chinaDay(), 'quick', 8);
    await seedUsage(chinaDay(2), 'realtime', 4);
    const comp = await mount();
    const points = comp.querySelectorAll('.curve__point');
    expect(points).toHaveLength(30);
    expect(comp.querySelectorAll('.curve__segment')).toHaveLength(29);
    expect(attr(points[29]!, 'ariaLabel')).toContain('共 8 次');
    expect(attr(points[27]!, 'ariaLabel')).toContain('实时验证 4 次');
    expect(attr(points[29]!, 'style')).toBe('left: 100%; bottom: 100%;');
    expect(attr(points[27]!, 'style')).toContain('bottom: 50%;');
    // Today is selected at first; tapping another day shows it.
    expect(text(comp.querySelector('.usage__day-detail')!)).toContain('共 8 次');
    await fire(points[27]);
    expect(text(comp.querySelector('.usage__day-detail')!)).toContain('共 4 次');
    expect(text(comp.querySelector('.curve__labels')!)).toContain(chinaDay().slice(8));
  });
});

describe('quota', () => {
  test('remaining quota and each pack as the server reports them', async () => {
    await admin('quota.addPack', { idempotencyKey: 'test-pack-17', calls: 1000, validityDays: 365, priceYuan: 30, note: '春季采购' });
    const status = await admin('quota.status', { kind: 'quick' });
    const comp = await mount();
    await quotaReady(comp);
    expect(text(comp)).toContain('剩余额度（快速验证）');
    expect(text(comp.querySelector('.usage__remaining')!)).toBe(`${status.remaining} 次`);
    expect(comp.data.quota!.remaining).toBe(status.remaining);
    const packs = comp.querySelectorAll('.pack');
    expect(packs).toHaveLength(status.packs.length);
    const self = packs[status.packs.findIndex((p) => p.source === 'self')]!;
    expect(text(self)).toContain('自购');
    expect(text(self)).toContain('1000 次');
    expect(text(self)).toContain('生效中');
    expect(text(self)).toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2} 到期/);
    expect(text(self)).toContain('¥30.00');
    expect(text(self)).toContain('春季采购');
    const trial = packs[status.packs.findIndex((p) => p.source === 'trial')]!;
    expect(text(trial)).toContain('试用');
    expect(text(trial)).toContain('永久有效');
  });

  test('no usage yet: nothing runs out, nothing to buy, no alerts, never reconciled', async () => {
    const comp = await mount();
    await quotaReady(comp);
    const all = text(comp);
    expect(all).toContain('近期月均 0 次，按当前用量不会用完');
    expect(all).toContain('暂无需购买');
    expect(all).toContain('暂无提醒');
    // No WeChat credentials in this emulator.
    expect(text(comp.querySelector('.usage__reconciliation')!)).toBe('尚未与微信对账');
  });

  test('steady usage: the forecast gives the run-out day and a recommendation', async () => {
    for (let d = 1; d <= 20; d++) await seedUsage(chinaDay(d), 'quick', 40);
    const status = await admin('quota.status', { kind: 'quick' });
    expect(status.forecast.exhaustsOn).not.toBeNull();
    const comp = await mount();
    await quotaReady(comp);
    const [y, m, d] = status.forecast.exhaustsOn!.split('-').map(Number);
    expect(text(comp.querySelector('.usage__forecast')!)).toBe(
      `近期月均 ${status.forecast.monthlyAverage} 次，预计 ${y}年${m}月${d}日 用完，预计每月费用 ¥${status.forecast.monthlyCostYuan}`,
    );
    expect(status.recommendation).not.toBeNull();
    expect(text(comp.querySelector('.usage__recommendation')!)).toContain(
      `建议购买 ${status.recommendation!.calls} 次，有效期 ${status.recommendation!.validityDays} 天，共 ¥${status.recommendation!.priceYuan}`,
    );
  });

  test('3,000 calls a month: one line per pack type with its quantity, and a larger pack that costs little more and lasts longer', async () => {
    // 100 a day for 21 days, today included: 3,000 a month.
    for (let d = 0; d <= 20; d++) await seedUsage(chinaDay(d), 'quick', 100);
    const comp = await mount();
    await quotaReady(comp);
    expect(text(comp.querySelector('.usage__recommendation')!)).toBe(
      '建议购买 9000 次，有效期 90 天，共 ¥270.00（每次 ¥0.03），按近期用量可用约 90 天',
    );
    expect(comp.querySelectorAll('.usage__pack-line').map(text)).toEqual(['36 个 250 次 / 90 天的资源包，每个 ¥7.50（每次 ¥0.03）']);
    expect(text(comp.querySelector('.usage__alternative')!)).toBe(
      '或：1 个 10000 次 / 365 天的资源包，每个 ¥300.00（每次 ¥0.03），只多 ¥30.00，按近期用量可用约 100 天',
    );
    // The merchant is told where to buy.
    expect(text(comp.querySelector('.usage__where-to-buy')!)).toContain('微信公众平台 › 付费管理');
    // The next 30 days: 3,000 calls at the 0.03 the advice buys them at.
    expect(text(comp.querySelector('.usage__forecast')!)).toContain('预计每月费用 ¥90.00');
  });

  test('recording a pack through the form: remaining goes up, a quota_packs document is stored', async () => {
    const comp = await mount();
    await quotaReady(comp);
    const before = comp.data.quota!.remaining;
    const packsBefore = (await t.docs('quota_packs')).length;
    await input(comp, '.pack-form__calls', '500');
    await input(comp, '.pack-form__days', '90');
    await input(comp, '.pack-form__price', '15.5');
    await input(comp, '.pack-form__note', '双十一');
    await fire(comp.querySelector('.pack-form__submit')!);
    await eventually(() => expect(comp.data.formMessage).toBe('已记录：快速验证 500 次'));
    await eventually(() => expect(comp.data.quota?.remaining).toBe(before + 500));
    expect(comp.data.form).toMatchObject({ callsText: '', daysText: '', priceText: '', note: '' });
    const docs = await t.docs<Record<string, unknown>>('quota_packs');
    expect(docs).toHaveLength(packsBefore + 1);
    expect(docs.find((d) => d.note === '双十一')).toMatchObject({ calls: 500, kind: 'quick', source: 'self' });
    expect(text(comp)).toContain('双十一');
    const sent = cloud.calls.find((c) => c.data.$url === 'quota.addPack')!.data;
    expect(sent).toEqual({
      $url: 'quota.addPack',
      calls: 500,
      validityDays: 90,
      kind: 'quick',
      source: 'self',
      priceYuan: 15.5,
      note: '双十一',
      idempotencyKey: expect.stringMatching(/^p\w+$/),
    });
  });

  test('记录购买 whose answer is lost: submitting again records the pack once, not twice (issue 23, point 9)', async () => {
    const comp = await mount();
    await quotaReady(comp);
    const before = comp.data.quota!.remaining;
    // The first request reaches the server; its answer is lost on the way back.
    const api = (globalThis as unknown as { wx: { cloud: { callFunction(o: { data: Record<string, unknown> }): Promise<unknown> } } }).wx
      .cloud;
    const call = api.callFunction.bind(api);
    let lose = true;
    api.callFunction = async (o) => {
      const answer = await call(o);
      if (o.data.$url === 'quota.addPack' && lose) {
        lose = false;
        throw { errMsg: 'cloud.callFunction:fail request:fail timeout' };
      }
      return answer;
    };
    await input(comp, '.pack-form__calls', '500');
    await input(comp, '.pack-form__days', '90');
    await fire(comp.querySelector('.pack-form__submit')!);
    await eventually(() => expect(comp.data.formMessage).toContain('不会重复记录'));
    await fire(comp.querySelector('.pack-form__submit')!);
    await eventually(() => expect(comp.data.formMessage).toBe('已记录：快速验证 500 次'));
    await eventually(() => expect(comp.data.quota?.remaining).toBe(before + 500));
    const keys = cloud.calls.filter((c) => c.data.$url === 'quota.addPack').map((c) => c.data.idempotencyKey);
    expect(keys).toHaveLength(2);
    expect(keys[0]).toBe(keys[1]);
    expect((await t.docs<{ calls: number }>('quota_packs')).filter((p) => p.calls === 500)).toHaveLength(1);
  });

  test('a start date from the picker is sent as a China day; a later pack is not yet active', async () => {
    const comp = await mount();
    await quotaReady(comp);
    const before = comp.data.quota!.remaining;
    const nextYear = `${Number(chinaDay().slice(0, 4)) + 1}-01-01`;
    await input(comp, '.pack-form__calls', '200');
    await input(comp, '.pack-form__days', '365');
    await fire(comp.querySelector('.pack-form__start')!, 'change', { value: nextYear });
    await fire(comp.querySelector('.pack-form__source')!, 'change', { value: 'provider' });
    await fire(comp.querySelector('.pack-form__submit')!);
    await eventually(() => expect(comp.data.formMessage).toContain('已记录'));
    await eventually(() => expect(text(comp)).toContain('未生效'));
    expect(comp.data.quota!.remaining).toBe(before);
    expect(text(comp)).toContain('服务商分配');
    expect(cloud.calls.find((c) => c.data.$url === 'quota.addPack')!.data).toMatchObject({ startsAt: nextYear, source: 'provider' });
  });

  test.each([
    ['.pack-form__calls', '0', '购买次数'],
    ['.pack-form__calls', '12.5', '购买次数'],
    ['.pack-form__days', '', '有效天数'],
    ['.pack-form__price', '9.999', '价格'],
  ])('%s = "%s" is refused on the phone with a message; nothing is sent or stored', async (selector, value, label) => {
    const comp = await mount();
    await quotaReady(comp);
    const packsBefore = (await t.docs('quota_packs')).length;
    await input(comp, '.pack-form__calls', '100');
    await input(comp, '.pack-form__days', '30');
    await input(comp, selector, value);
    await fire(comp.querySelector('.pack-form__submit')!);
    expect(text(comp.querySelector('.pack-form__message')!)).toContain(label);
    expect(routes()).not.toContain('admin.quota.addPack');
    expect(await t.docs('quota_packs')).toHaveLength(packsBefore);
  });

  test('a refusal from the server is shown, naming the field; nothing stored', async () => {
    const comp = await mount();
    await quotaReady(comp);
    const packsBefore = (await t.docs('quota_packs')).length;
    await input(comp, '.pack-form__calls', '100');
    await input(comp, '.pack-form__days', '30');
    // The picker is bounded to 2023–2100; a date outside passes the phone's calendar check, not the server's.
    await fire(comp.querySelector('.pack-form__start')!, 'change', { value: '2001-01-01' });
    await fire(comp.querySelector('.pack-form__submit')!);
    await eventually(() => expect(comp.data.formMessage).toMatch(/^未保存：开始日期有误/));
    expect(comp.data.formMessage).not.toMatch(/[A-Za-z]{3,}/); // the server's English stays off the screen
    expect(comp.data.saving).toBe(false);
    expect(comp.data.form.callsText).toBe('100'); // kept, to fix and send again
    expect(await t.docs('quota_packs')).toHaveLength(packsBefore);
  });

  test('charges beyond every recorded pack: the page says a pack is probably missing', async () => {
    const status = await admin('quota.status', { kind: 'quick' });
    const trial = status.packs.find((p) => p.source === 'trial')!.calls;
    await seedUsage(chinaDay(), 'quick', trial + 40);
    const comp = await mount();
    await quotaReady(comp);
    expect(text(comp.querySelector('.usage__remaining')!)).toBe('0 次');
    expect(text(comp.querySelector('.usage__uncovered')!)).toContain('有 40 次调用不在已记录的资源包内');
  });

  test('quota running low: 立即检查 writes an alert and the page shows it', async () => {
    const status = await admin('quota.status', { kind: 'quick' });
    const trial = status.packs.find((p) => p.source === 'trial')!.calls;
    await seedUsage(chinaDay(), 'quick', trial - 1);
    const comp = await mount();
    await quotaReady(comp);
    expect(text(comp)).toContain('暂无提醒');
    await fire(comp.querySelector('.usage__check')!);
    await eventually(() => expect(comp.querySelectorAll('.alert')).toHaveLength(1));
    expect(text(comp.querySelector('.alert')!)).toContain('额度不足');
    expect(text(comp.querySelector('.alert')!)).toContain('剩余 1 次');
    // Something to buy now, in the catalogue's words.
    expect(text(comp)).toMatch(/建议购买 \d+ 次，有效期 \d+ 天，共 ¥\d+\.\d{2}/);
  });

  test('real-time quota used up: the alert and the where-to-buy line name the real-time component, not the quick one (issue 23, point 10)', async () => {
    const status = await admin('quota.status', { kind: 'realtime' });
    const trial = status.packs.find((p) => p.source === 'trial')!.calls;
    await seedUsage(chinaDay(), 'realtime', trial);
    const comp = await mount({ initialKind: 'realtime' });
    await quotaReady(comp);
    await fire(comp.querySelector('.usage__check')!);
    await eventually(() => expect(comp.querySelectorAll('.alert--urgent')).toHaveLength(1));
    expect(text(comp.querySelector('.alert--urgent')!)).toContain('手机号实时验证组件');
    expect(text(comp.querySelector('.usage__where-to-buy')!)).toContain('手机号实时验证组件');
    expect(text(comp)).not.toContain('快速验证组件');
  });

  test("the kind switch loads that kind's quota; the form then records that kind", async () => {
    await admin('quota.addPack', { idempotencyKey: 'test-pack-18', kind: 'realtime', calls: 777, validityDays: 365 });
    const realtime = await admin('quota.status', { kind: 'realtime' });
    const comp = await mount();
    await quotaReady(comp);
    expect(text(comp)).not.toContain('777 次');
    await fire(comp.querySelector('.usage__kind--realtime')!);
    await eventually(() => expect(text(comp)).toContain('777 次'));
    expect(comp.data.kind).toBe('realtime');
    expect(comp.data.quota!.remaining).toBe(realtime.remaining);
    expect(text(comp)).toContain('剩余额度（实时验证）');
    expect(cloud.calls.filter((c) => c.data.$url === 'quota.status').map((c) => c.data.kind)).toEqual(['quick', 'realtime']);
    // The summary is for both kinds: switching does not reload it.
    expect(routes().filter((r) => r === 'admin.usage.summary')).toHaveLength(1);

    await input(comp, '.pack-form__calls', '100');
    await input(comp, '.pack-form__days', '30');
    await fire(comp.querySelector('.pack-form__submit')!);
    await eventually(() => expect(comp.data.formMessage).toBe('已记录：实时验证 100 次'));
    expect(cloud.calls.find((c) => c.data.$url === 'quota.addPack')!.data.kind).toBe('realtime');
  });

  test('the page can open on the kind phone login uses', async () => {
    const comp = await mount({ initialKind: 'realtime' });
    await quotaReady(comp);
    expect(comp.data.quota).not.toBeNull();
    expect(cloud.calls.find((c) => c.data.$url === 'quota.status')!.data.kind).toBe('realtime');
  });

  test('立即检查 runs the cron checks, says why reconciliation was skipped, and reloads', async () => {
    const comp = await mount();
    await quotaReady(comp);
    const statusCalls = () => routes().filter((r) => r === 'admin.quota.status').length;
    const before = statusCalls();
    await fire(comp.querySelector('.usage__check')!);
    await eventually(() => expect(comp.data.checkMessage).not.toBe(''));
    expect(routes()).toContain('cron.run');
    // No WeChat credentials here, so the cron cannot ask WeChat.
    expect(comp.data.checkMessage).toMatch(/^已检查。未与微信对账：.+/);
    // Chinese; only the variables to set are named as they are spelled.
    expect(comp.data.checkMessage).toContain('WECHAT_APPID');
    expect(comp.data.checkMessage).not.toMatch(/[a-z]{3,}/);
    await eventually(() => expect(statusCalls()).toBe(before + 1));
  });

  test("立即检查 without a network: a Chinese message, not the transport's English", async () => {
    const comp = await mount();
    await quotaReady(comp);
    cloud.offline = true;
    await fire(comp.querySelector('.usage__check')!);
    await eventually(() => expect(comp.data.checkMessage).not.toBe(''));
    expect(comp.data.checkMessage).toMatch(/^检查失败：/);
    expect(comp.data.checkMessage).not.toMatch(/[A-Za-z]{3,}/);
    cloud.offline = false;
  });
});

test('a non-admin gets a clear 无权限 message and no data', async () => {
  routeCloudToEmulator(t.url, 'o_plain_user');
  const comp = await mount();
  expect(comp.data.state).toBe('error');
  expect(text(comp)).toContain('无权限');
  expect(comp.querySelector('.usage__reload')).toBeFalsy();
  expect(comp.querySelector('.bars')).toBeFalsy();
});

test('the quota part fails on its own: the charts stay, with a retry for the quota', async () => {
  // quota_alerts is read by quota.status only (the summary reads packs too: they price its calls).
  await t.http('POST', '/v1/faults', { target: 'db:getDocument:quota_alerts', errcode: -1, times: 5 });
  const comp = await mount();
  expect(comp.data.state).toBe('ready');
  expect(comp.querySelectorAll('.bars__item')).toHaveLength(12);
  await eventually(() => expect(comp.data.quotaState).toBe('error'));
  expect(text(comp)).toContain('额度加载失败');
  await t.http('DELETE', '/v1/faults');
  await fire(comp.querySelector('.usage__quota-reload')!);
  await quotaReady(comp);
});

describe('with WeChat credentials', () => {
  let w: EmulatorClient;
  beforeAll(async () => {
    // The emulator's WeChat fakes accept any secret when it has none of its own.
    w = await spawnEmulator({ env: { ADMIN_OPENIDS: ADMIN, WECHAT_APPID: 'wx5eed1e0c0ffee001', WECHAT_APPSECRET: 'test-secret' } });
  });
  afterAll(() => w.stop());

  test('立即检查 reconciles with WeChat and the page shows the difference', async () => {
    cloud = routeCloudToEmulator(w.url, ADMIN);
    // Two users tapped and were bound; a third tap's code never reached us: WeChat counts 3, we count 2.
    for (const [i, openid] of ['o_user_a', 'o_user_b'].entries()) {
      const code = await w.mintCode({ phoneNumber: `1380013800${i}`, openid });
      await w.call('auth', { $url: 'bindPhone', code }, openid);
    }
    await w.mintCode({ phoneNumber: '13800138009', openid: 'o_user_c' });
    const comp = await mount();
    await quotaReady(comp);
    expect(text(comp)).toContain('尚未与微信对账');
    await fire(comp.querySelector('.usage__check')!);
    await eventually(() => expect(comp.data.quota?.reconciliation).not.toBeNull());
    expect(comp.data.checkMessage).toBe('已检查');
    expect(comp.data.quota!.reconciliation).toMatchObject({ wechatUsed: 3, localCharges: 2 });
    const shown = text(comp.querySelector('.usage__reconciliation')!);
    // One sign, in words: WeChat counted one more call than we did.
    expect(shown).toContain('微信比本地多计 1 次');
    expect(shown).toContain('微信统计已用 3 次，本地记录 2 次；');
    expect(shown).not.toMatch(/差异|相差/);
    // Cron's correction for the month, beside the counted figures and explained.
    const correction = text(comp.querySelector('.usage__correction')!);
    expect(correction).toContain('本月按微信计数补记 1 次（未计入上方用量与费用）');
    expect(correction).toContain('微信计 3 次，本地已计 2 次');
    expect(correction).not.toMatch(/[A-Za-z]{3,}/);
  });

  test("a pack bought in WeChat's console appears after 立即检查, described in Chinese", async () => {
    cloud = routeCloudToEmulator(w.url, ADMIN);
    await w.http('POST', '/v1/wechat/packs', { calls: 5000, validityDays: 365 });
    const comp = await mount();
    await quotaReady(comp);
    await fire(comp.querySelector('.usage__check')!);
    await eventually(() => expect(text(comp)).toContain('5000 次'));
    const pack = comp.querySelectorAll('.pack').find((p) => text(p).includes('5000 次'))!;
    expect(text(pack)).toContain('微信');
    expect(text(pack)).not.toMatch(/[A-Za-z]{3,}/);
  });

  test("立即检查 when WeChat refuses: says reconciliation failed, with WeChat's errcode, in Chinese", async () => {
    cloud = routeCloudToEmulator(w.url, ADMIN);
    await w.http('POST', '/v1/faults', { target: 'wechat:/wxa/charge/usage/get', errcode: 48001, times: 10 });
    const comp = await mount();
    await quotaReady(comp);
    await fire(comp.querySelector('.usage__check')!);
    await eventually(() => expect(comp.data.checkMessage).not.toBe(''));
    expect(comp.data.checkMessage).toMatch(/^已检查，但与微信对账失败/);
    expect(comp.data.checkMessage).toContain('48001');
    expect(comp.data.checkMessage).not.toMatch(/[A-Za-z]{3,}/);
    await w.http('DELETE', '/v1/faults');
  });
});
