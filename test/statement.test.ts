/**
 * admin.statement.month end to end: one row per China day, kind and pack drawn, whose
 * totals equal usage.summary's month — here a month in which the free trial runs out
 * mid-day, a pack expires and the next one starts, and calls no pack covers are priced
 * at the list price; CSV that Excel opens (BOM, Chinese headers); bad months refused.
 */
import { startEmulator, type TestEmulator } from './support/emulator';
import { callData, callRoute } from './support/envelope';

const BOSS = 'o_boss_0001';
let t: TestEmulator;
beforeAll(async () => {
  t = await startEmulator({ env: { ADMIN_OPENIDS: BOSS, TRIAL_CALLS: '5' } });
});
afterAll(() => t.stop());
beforeEach(() => t.reset());

const chinaMonthAgo = (months: number) => {
  const china = new Date(Date.now() + 8 * 3600_000);
  const index = china.getUTCFullYear() * 12 + china.getUTCMonth() - months;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
};
/** The instant China day `day` starts, as the store keeps dates. */
const dayStart = (day: string) => ({ $date: new Date(Date.parse(`${day}T00:00:00Z`) - 8 * 3600_000).toISOString() });

const M = chinaMonthAgo(2);
const PREVIOUS = chinaMonthAgo(3);

async function seed() {
  const counts: Array<[string, 'quick' | 'realtime', number]> = [
    [`${M}-03`, 'quick', 3], // trial (5): 3
    [`${M}-10`, 'quick', 4], // trial's last 2, then pack A: 2
    [`${M}-12`, 'realtime', 2], // the real-time trial
    [`${M}-14`, 'quick', 1], // pack A, the day before it expires
    [`${M}-20`, 'quick', 6], // pack A expired; pack B's 4, then 2 no pack covers
  ];
  for (const [day, kind, count] of counts) await t.http('PUT', `/v1/db/usage_daily/${day}:${kind}`, { day, kind, count });
  const pack = (id: string, calls: number, priceFen: number, startsAt: object, expiresAt: object) =>
    t.http('PUT', `/v1/db/quota_packs/${id}`, {
      kind: 'quick',
      source: 'self',
      calls,
      startsAt,
      expiresAt,
      priceFen,
      note: null,
      createdAt: startsAt,
      createdBy: BOSS,
      wechatPkgId: null,
    });
  await pack('pack-a', 10, 50, dayStart(`${PREVIOUS}-20`), dayStart(`${M}-15`)); // 5 fen a call
  await pack('pack-b', 4, 10, dayStart(`${M}-16`), dayStart(`${M}-28`)); // 2.5 fen a call
  await t.http('PUT', '/v1/db/quota_reconciliations/quick', {
    kind: 'quick',
    at: { $date: new Date().toISOString() },
    wechatUsed: 16,
    localCharges: 14,
    difference: 2,
    wechatRemaining: 0,
  });
}

test("the statement's totals equal usage.summary's month across the trial's end and a pack's expiry", async () => {
  await seed();
  const statement = await callData(t, 'admin', 'statement.month', { month: M }, BOSS);
  const summary = await callData(t, 'admin', 'usage.summary', { months: 4 }, BOSS);
  const { month: _month, ...monthFigures } = summary.months.find((m) => m.month === M)!;
  expect(statement.totals).toEqual(monthFigures);
  // 2 × 5 + 1 × 5 + 4 × 2.5 fen from packs, 2 × 3 fen at list price; the trials free.
  expect(statement.totals).toEqual({
    quick: 14,
    realtime: 2,
    costYuan: '0.31',
    listValueYuan: '0.50',
    savingYuan: '0.19',
    estimatedCalls: 2,
  });
  const row = (day: string, calls: number, pack: object | null, unitPriceYuan: string, costYuan: string, estimated = false) =>
    expect.objectContaining({ day: `${M}-${day}`, calls, pack, unitPriceYuan, costYuan, estimated });
  expect(statement.rows).toEqual([
    row('03', 3, { id: 'trial-quick', source: 'trial' }, '0.00', '0.00'),
    row('10', 2, { id: 'trial-quick', source: 'trial' }, '0.00', '0.00'),
    row('10', 2, { id: 'pack-a', source: 'self' }, '0.05', '0.10'),
    row('12', 2, { id: 'trial-realtime', source: 'trial' }, '0.00', '0.00'),
    row('14', 1, { id: 'pack-a', source: 'self' }, '0.05', '0.05'),
    row('20', 4, { id: 'pack-b', source: 'self' }, '0.025', '0.10'),
    row('20', 2, null, '0.03', '0.06', true),
  ]);
  expect(statement.packs).toEqual([expect.objectContaining({ id: 'pack-b', calls: 4, priceYuan: '0.10' })]);
  expect(statement.wechat).toEqual([
    expect.objectContaining({
      kind: 'quick',
      wechatUsed: 16,
      localCharges: 14,
      difference: 2,
      explanation: expect.stringContaining('微信多计 2 次'),
    }),
  ]);

  const lines = statement.csv.split('\r\n');
  expect(statement.csv.startsWith('\uFEFF账单月份,')).toBe(true);
  expect(lines[1]).toBe('日期,组件,调用次数,扣减资源包,单价(元),实际费用(元),标价金额(元),说明');
  expect(lines).toContain(`${M}-20,手机号快速验证,2,无对应资源包,0.03,0.06,0.06,未记录价格，按标价估算`);
  expect(lines.find((l) => l.startsWith('合计,'))).toMatch(/^合计,快速验证 14 次；实时验证 2 次,16,,,0\.31,0\.50,节省 0\.19 元/);
});

test('a month with nothing is all zeros and still equals the summary; the current month is allowed', async () => {
  const month = chinaMonthAgo(0);
  const statement = await callData(t, 'admin', 'statement.month', { month }, BOSS);
  expect(statement).toMatchObject({ month, rows: [], totals: { quick: 0, realtime: 0, costYuan: '0.00' }, packs: [], wechat: [] });
  expect(statement.csv).toContain('尚未对账');
  const summary = await callData(t, 'admin', 'usage.summary', { months: 1 }, BOSS);
  const { month: _current, ...figures } = summary.months[0]!;
  expect(statement.totals).toEqual(figures);
});

test('a month not written YYYY-MM, in the future or before 2023 is refused, and nothing is written', async () => {
  await seed();
  const before = await Promise.all(['quota_packs', 'usage_daily', 'settings'].map((c) => t.docs(c)));
  for (const month of ['2026-13', '2026-1', '2026/11', ' 2026-11', '2022-12', chinaMonthAgo(-1), chinaMonthAgo(-13), 202611, null])
    expect(await t.call('admin', { $url: 'statement.month', month }, BOSS)).toMatchObject({
      ok: false,
      error: { code: 'INVALID_ARGUMENT' },
    });
  expect(await callRoute(t, 'admin', 'statement.month', { month: M }, 'o_not_an_admin')).toMatchObject({
    ok: false,
    error: { code: 'FORBIDDEN' },
  });
  expect(await Promise.all(['quota_packs', 'usage_daily', 'settings'].map((c) => t.docs(c)))).toEqual(before);
});
