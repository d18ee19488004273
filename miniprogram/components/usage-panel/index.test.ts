/**
 * usage-panel against the real admin and cron functions in a spawned emulator: what
 * the merchant sees of usage, cost and quota, recording a purchased pack (checked on
 * the phone first), the kind switch, and the refusal for non-admins.
 */
import path from 'node:path';
import simulate from 'miniprogram-simulate';
import { spawnEmulator, type EmulatorClient } from '../../../test/support/emulator';
import { attr, eventually, routeCloudToEmulator, type CloudRoute } from '../../../test/support/miniprogram';
import type { QuotaStatus } from '../../services/admin';

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

type Envelope<T> = { ok: true; data: T } | { ok: false; error: { code: string; message: string } };
async function admin<T>(url: string, params: Record<string, unknown> = {}): Promise<T> {
  const res = await t.call<Envelope<T>>('admin', { $url: url, ...params }, ADMIN);
  if (!res.ok) throw new Error(`${url}: ${res.error.code} ${res.error.message}`);
  return res.data;
}

/** China-time day `daysAgo` days before today, "YYYY-MM-DD" (as the server counts). */
const chinaDay = (daysAgo = 0) => new Date(Date.now() + 8 * 3600 * 1000 - daysAgo * 86400 * 1000).toISOString().slice(0, 10);
/** The China month `monthsAgo` before this one, "YYYY-MM". */
function chinaMonth(monthsAgo: number): string {
  const [y, m] = chinaDay().split('-').map(Number) as [number, number];
  const index = y * 12 + (m - 1) - monthsAgo;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}
/** History as the charge path leaves it: one counter per China day and kind. */
const seedUsage = (day: string, kind: 'quick' | 'realtime', count: number) => t.http('PUT', `/v1/db/usage_daily/${day}:${kind}`, { day, kind, count });

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
  test('this month: counts of each kind and the exact cost', async () => {
    await seedUsage(chinaDay(), 'quick', 5);
    await seedUsage(chinaDay(), 'realtime', 2);
    const comp = await mount();
    const month = text(comp.querySelector('.usage__this-month')!);
    expect(month).toContain('费用 ¥0.23'); // 5 × 0.03 + 2 × 0.04
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
    expect(attr(busy, 'ariaLabel')).toContain('共 120 次，快速验证 100 次，实时验证 20 次，费用 ¥3.80');
    // The busiest month fills the chart's round top (120 → 120).
    expect(comp.data.monthTop).toBe(120);
    expect(heights[8]).toBe('height: 100%;');
    expect(heights[11]).toBe('height: 25%;');
    expect(values[0]).toBe('0');
    expect(heights[0]).toBe('height: 0%;');
    // Tapping a bar spells the month out.
    await fire(busy);
    expect(text(comp.querySelector('.usage__month-detail')!)).toContain('费用 ¥3.80');
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
    await admin('quota.addPack', { calls: 1000, validityDays: 365, priceYuan: 30, note: '春季采购' });
    const status = await admin<QuotaStatus>('quota.status', { kind: 'quick' });
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
    const trial = status.packs.findIndex((p) => p.source === 'trial');
    if (trial >= 0) expect(text(packs[trial]!)).toContain('试用');
  });

  test('forecast, recommendation, alerts and reconciliation read as the merchant expects', async () => {
    const status = await admin<QuotaStatus>('quota.status', { kind: 'quick' });
    const comp = await mount();
    await quotaReady(comp);
    const all = text(comp);
    expect(all).toContain(`近期月均 ${Math.round(status.forecast.monthlyAverage)} 次`);
    if (status.forecast.exhaustsOn === null) expect(all).toContain('按当前用量不会用完');
    else expect(all).toContain('用完');
    if (status.recommendation === null) expect(all).toContain('暂无需购买');
    else expect(all).toContain(`建议购买 ${status.recommendation.calls} 次`);
    if (status.alerts.length === 0) expect(all).toContain('暂无提醒');
    // No WeChat credentials in this emulator: never reconciled.
    expect(status.reconciliation).toBeNull();
    expect(all).toContain('尚未与微信对账');
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
    expect(sent).toEqual({ $url: 'quota.addPack', calls: 500, validityDays: 90, kind: 'quick', source: 'self', priceYuan: 15.5, note: '双十一' });
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

  test('a refusal from the server is shown, naming the field', async () => {
    const comp = await mount();
    await quotaReady(comp);
    // Passes the phone's checks (a positive integer) but no pack is that large.
    await input(comp, '.pack-form__calls', '999999999');
    await input(comp, '.pack-form__days', '99999999');
    await fire(comp.querySelector('.pack-form__submit')!);
    await eventually(() => expect(comp.data.saving).toBe(false));
    expect(comp.data.formMessage).toMatch(/^未保存：(购买次数|有效天数)有误/);
  });

  test('the kind switch loads that kind\'s quota; the form then records that kind', async () => {
    await admin('quota.addPack', { kind: 'realtime', calls: 777, validityDays: 365 });
    const realtime = await admin<QuotaStatus>('quota.status', { kind: 'realtime' });
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
    await eventually(() => expect(statusCalls()).toBe(before + 1));
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
  await t.http('POST', '/v1/faults', { target: 'db:database.getDocument:quota_packs', errcode: -1, times: 5 });
  const comp = await mount();
  expect(comp.data.state).toBe('ready');
  expect(comp.querySelectorAll('.bars__item')).toHaveLength(12);
  await eventually(() => expect(comp.data.quotaState).toBe('error'));
  expect(text(comp)).toContain('额度加载失败');
  await t.http('DELETE', '/v1/faults');
  await fire(comp.querySelector('.usage__quota-reload')!);
  await quotaReady(comp);
});
