/**
 * statement-panel against the real admin function in a spawned emulator: the month's
 * totals (equal to the usage summary's), a row per day, kind and pack, and the CSV to
 * copy (BOM and Chinese headers) — or to send as a file where WeChat can.
 */
import path from 'node:path';
import simulate from 'miniprogram-simulate';
import { spawnEmulator, type EmulatorClient } from '../../../test/support/emulator';
import { eventually, routeCloudToEmulator } from '../../../test/support/miniprogram';

const ADMIN = 'o_admin_statement';
let t: EmulatorClient;
beforeAll(async () => {
  t = await spawnEmulator({ env: { ADMIN_OPENIDS: ADMIN, TRIAL_CALLS: '2' } });
  // A warm admin container: a cold one can take seconds on a busy machine, longer than a mount's wait.
  await t.call('admin', { $url: 'warm-up' }, 'o_warm_up');
});
afterAll(() => t.stop());
beforeEach(async () => {
  await t.reset();
  jest.resetModules();
  routeCloudToEmulator(t.url, ADMIN);
});

const chinaToday = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
const g = globalThis as unknown as { wx: Record<string, unknown> };

async function mount() {
  const comp = simulate.render(simulate.load(path.join(__dirname, 'index'), 'statement-panel'));
  comp.attach(document.createElement('parent-wrapper'));
  await eventually(() => expect(comp.data.state).not.toBe('loading'));
  return comp;
}

test("this month's calls and cost, a row per pack drawn, and the CSV copied as it is", async () => {
  const day = chinaToday();
  await t.http('PUT', `/v1/db/usage_daily/${day}:quick`, { day, kind: 'quick', count: 3 });
  let copied = '';
  g.wx.setClipboardData = ({ data, success }: { data: string; success(): void }) => {
    copied = data;
    success();
  };
  const comp = await mount();
  const text = comp.dom!.textContent ?? '';
  // Two trial calls free, the third has no recorded pack: the list price, estimated.
  expect(text).toContain('快速验证 3 次 · 实时验证 0 次 · 实际费用 ¥0.03（按标价 ¥0.09，节省 ¥0.06）');
  expect(text).toContain('其中 1 次没有已知单价');
  expect(comp.querySelectorAll('.statement__row')).toHaveLength(2);
  comp.querySelector('.statement__copy')!.dispatchEvent('tap');
  await eventually(() => expect(comp.data.notice).toContain('已复制'));
  expect(copied.startsWith('\uFEFF账单月份,')).toBe(true);
  expect(copied).toContain('日期,组件,调用次数,扣减资源包');
});

test('a month with nothing says so', async () => {
  const comp = await mount();
  expect(comp.dom!.textContent).toContain('本月没有计费调用');
  expect(comp.data.totals).toMatchObject({ quick: 0, realtime: 0, costYuan: '0.00' });
});
