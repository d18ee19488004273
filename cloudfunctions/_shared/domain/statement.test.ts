import { chinaDayStart } from './china-time';
import type { PricedPack } from './cost';
import { applyCharges, type DayCount, type LedgerState } from './quota-ledger';
import { explainDifference, monthStatement } from './statement';

const at = chinaDayStart('2026-12-20');
const trial = (kind: 'quick' | 'realtime', calls: number): PricedPack => ({
  id: `trial-${kind}`,
  kind,
  source: 'trial',
  calls,
  startsAt: chinaDayStart('2026-11-01'),
  expiresAt: null,
  priceFen: 0,
});
// 1,000,000 calls for 28,000.00: 2.8 fen a call.
const million: PricedPack = {
  id: 'p-1m',
  kind: 'quick',
  source: 'self',
  calls: 1_000_000,
  startsAt: chinaDayStart('2026-12-02'),
  expiresAt: chinaDayStart('2027-12-02'),
  priceFen: 2_800_000,
};
const states = (quick: DayCount[]): Record<'quick' | 'realtime', LedgerState<PricedPack>> => ({
  quick: applyCharges([trial('quick', 2), million], quick, at),
  realtime: applyCharges([trial('realtime', 1000)], [], at),
});

test('rows carry their exact cost; the total is the exact sum rounded once, and only the month counts', () => {
  const s = monthStatement(
    '2026-12',
    states([
      { day: '2026-11-30', count: 1 }, // last month: the trial's first call
      { day: '2026-12-03', count: 4 }, // 1 trial, then 3 × 2.8 fen
      { day: '2026-12-04', count: 3 },
    ]),
    false,
    [],
  );
  expect(s.rows.map((r) => [r.day, r.calls, r.pack?.id ?? null, r.unitPriceYuan, r.costYuan])).toEqual([
    ['2026-12-03', 1, 'trial-quick', '0.00', '0.00'],
    ['2026-12-03', 3, 'p-1m', '0.028', '0.084'],
    ['2026-12-04', 3, 'p-1m', '0.028', '0.084'],
  ]);
  // 16.8 fen exactly: 0.17, where the rounded rows would add to 0.16.
  expect(s.totals).toEqual({ quick: 7, realtime: 0, costYuan: '0.17', listValueYuan: '0.21', savingYuan: '0.04', estimatedCalls: 0 });
  expect(s.packs).toEqual([expect.objectContaining({ id: 'p-1m', priceYuan: '28000.00' })]);
  expect(s.csv).toContain('2026-12-03,手机号快速验证,3,自购资源包 p-1m,0.028,0.084,0.09,');
});

test('a fee-exempt account: every row and the total cost nothing, the list value stays', () => {
  const s = monthStatement('2026-12', states([{ day: '2026-12-03', count: 4 }]), true, []);
  expect(s.rows.every((r) => r.unitPriceYuan === '0.00' && r.costYuan === '0.00')).toBe(true);
  expect(s.totals).toMatchObject({ costYuan: '0.00', listValueYuan: '0.12' });
  expect(s.csv.split('\r\n')[0]).toBe('\uFEFF账单月份,2026-12,免费账号：微信不收取费用');
});

test("WeChat's count beside ours, explained either way", () => {
  expect(explainDifference(0)).toBe('一致');
  expect(explainDifference(3)).toMatch(/^微信多计 3 次/);
  expect(explainDifference(-2)).toMatch(/^我们多计 2 次/);
  const s = monthStatement('2026-12', states([]), false, [
    { kind: 'quick', at: new Date('2026-12-20T01:30:00Z'), wechatUsed: 10, localCharges: 7, difference: 3 },
  ]);
  expect(s.csv).toContain('手机号快速验证,2026-12-20 09:30,10,7,3,微信多计 3 次');
});
