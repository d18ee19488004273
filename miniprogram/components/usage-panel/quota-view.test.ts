/** quota.status in the merchant's words. */
import type { QuotaStatus } from '../../services/admin';
import { differenceText, quotaView } from './quota-view';

const status: QuotaStatus = {
  kind: 'quick',
  remaining: 1200,
  packs: [
    {
      id: 't',
      source: 'trial',
      calls: 1000,
      used: 1000,
      startsAt: '2026-01-01T00:00:00.000Z',
      expiresAt: null,
      status: 'used-up',
      priceYuan: null,
      perCallYuan: '0.00',
      priceEstimated: false,
      usedCostYuan: '0.00',
      note: null,
    },
    {
      id: 'p',
      source: 'self',
      calls: 1000,
      used: 300,
      startsAt: '2026-03-31T16:00:00.000Z',
      expiresAt: '2027-03-31T16:00:00.000Z',
      status: 'active',
      priceYuan: '30.00',
      perCallYuan: '0.030',
      priceEstimated: false,
      usedCostYuan: '9.00',
      note: '春季',
    },
    {
      id: 'q',
      source: 'provider',
      calls: 500,
      used: 0,
      startsAt: '2026-09-30T16:00:00.000Z',
      expiresAt: '2027-09-30T16:00:00.000Z',
      status: 'pending',
      priceYuan: null,
      perCallYuan: '0.030',
      priceEstimated: true,
      usedCostYuan: '0.00',
      note: null,
    },
  ],
  forecast: { monthlyAverage: 412.4, exhaustsOn: '2026-07-09', monthlyCostYuan: '12.37' },
  recommendation: {
    calls: 5000,
    validityDays: 365,
    priceYuan: '150.00',
    perCallYuan: '0.030',
    coversDays: 365,
    packs: [{ calls: 5000, validityDays: 365, priceYuan: '150.00', perCallYuan: '0.030', count: 1 }],
    alternative: null,
  },
  cost: { costYuan: '9.00', listValueYuan: '39.00', savingYuan: '30.00', estimatedCalls: 0 },
  feeExempt: false,
  uncovered: 0,
  reconciliation: {
    at: '2026-05-01T01:00:00.000Z',
    wechatUsed: 1302,
    localCharges: 1300,
    difference: 2,
    wechatRemaining: 1198,
    correction: null,
  },
  alerts: [
    {
      id: 'a',
      at: '2026-05-01T01:00:00.000Z',
      kind: 'quick',
      type: 'quota-low',
      message: '快速验证剩余 1200 次',
      remaining: 1200,
      daysLeft: 60,
    },
  ],
};

test('packs: source, numbers, China-time dates, status, price and note', () => {
  const [trial, self, provider] = quotaView(status).packs;
  expect(trial).toMatchObject({ sourceText: '试用', expiryText: '永久有效', statusText: '已用完', priceText: '', leftText: '剩 0 次' });
  expect(self).toMatchObject({
    sourceText: '自购',
    callsText: '1000 次',
    usedText: '已用 300 次',
    leftText: '剩 700 次',
    startText: '2026-04-01 00:00 起',
    expiryText: '2027-04-01 00:00 到期',
    statusText: '生效中',
    priceText: '¥30.00',
    note: '春季',
  });
  expect(provider).toMatchObject({ sourceText: '服务商分配', statusText: '未生效' });
  // The server prices the trial at 0.00.
  expect(quotaView({ ...status, packs: [{ ...status.packs[0]!, priceYuan: '0.00' }] }).packs[0]!.priceText).toBe('免费');
});

test('forecast, recommendation, alerts and reconciliation', () => {
  const v = quotaView(status);
  expect(v.monthlyAverageText).toBe('近期月均 412 次');
  expect(v.forecastText).toBe('预计 2026年7月9日 用完');
  expect(v.recommendation).toEqual({
    summaryText: '建议购买 5000 次，有效期 365 天，共 ¥150.00（每次 ¥0.030），按近期用量可用约 365 天',
    packs: ['1 个 5000 次 / 365 天的资源包，每个 ¥150.00（每次 ¥0.030）'],
    alternativeText: '',
  });
  expect(v.alerts).toEqual([
    { id: 'a', typeText: '额度不足', timeText: '2026-05-01 09:00', message: '快速验证剩余 1200 次', urgent: false },
  ]);
  expect(v.reconciliation).toMatchObject({ differenceText: '微信比本地多计 2 次', timeText: '2026-05-01 09:00' });
  expect(differenceText(-3)).toBe('本地比微信多记 3 次');
  expect(differenceText(0)).toBe('与微信一致');
});

test("cron's correction: a line beside the counted figures, with the server's why", () => {
  const correction = {
    month: '2026-05',
    count: 2,
    wechatUsed: 1302,
    localCounted: 1300,
    unknownRecords: 1,
    at: '2026-05-01T01:00:00.000Z',
  };
  const line = (count: number) =>
    quotaView({ ...status, reconciliation: { ...status.reconciliation!, correction: { ...correction, count, explanation: 'why' } } })
      .reconciliation!.correction;
  expect(line(2)).toEqual({ text: '本月按微信计数补记 2 次（未计入上方用量与费用）', explanation: 'why' });
  expect(line(-1)!.text).toBe('本月按微信计数减记 1 次（未计入上方用量与费用）');
  expect(line(0)!.text).toBe('本月无需按微信计数校正');
  expect(quotaView(status).reconciliation!.correction).toBeNull();
});

test('nothing to worry about', () => {
  const v = quotaView({
    ...status,
    forecast: { monthlyAverage: 0, exhaustsOn: null, monthlyCostYuan: '0.00' },
    recommendation: null,
    reconciliation: null,
    alerts: [],
  });
  expect(v.forecastText).toBe('按当前用量不会用完');
  expect(v.recommendation).toBeNull();
  expect(v.reconciliation).toBeNull();
  expect(quotaView({ ...status, reconciliation: { ...status.reconciliation!, difference: 0 } }).reconciliation!.differenceText).toBe(
    '与微信一致',
  );
});

test("per-call prices, the kind's cost, the larger alternative and the exempt account, in words", () => {
  const priced = quotaView({
    ...status,
    packs: [
      { ...status.packs[1]!, perCallYuan: '0.028', priceEstimated: false },
      { ...status.packs[2]!, perCallYuan: '0.03', priceEstimated: true },
    ],
    forecast: { ...status.forecast, monthlyCostYuan: '11.55' },
    cost: { costYuan: '8.40', listValueYuan: '39.00', savingYuan: '30.60', estimatedCalls: 0 },
    recommendation: {
      calls: 9000,
      validityDays: 90,
      priceYuan: '270.00',
      perCallYuan: '0.03',
      coversDays: 90,
      packs: [{ calls: 250, validityDays: 90, priceYuan: '7.50', perCallYuan: '0.03', count: 36 }],
      alternative: {
        calls: 10000,
        validityDays: 365,
        priceYuan: '300.00',
        perCallYuan: '0.03',
        coversDays: 100,
        extraYuan: '30.00',
        packs: [{ calls: 10000, validityDays: 365, priceYuan: '300.00', perCallYuan: '0.03', count: 1 }],
      },
    },
  });
  expect(priced.packs.map((p) => p.perCallText)).toEqual(['每次 ¥0.028', '未填价格，按标价每次 ¥0.03 估算']);
  expect(priced.costText).toBe('至今费用 ¥8.40（按标价 ¥39.00）');
  expect(priced.monthlyCostText).toBe('，预计每月费用 ¥11.55');
  expect(priced.recommendation).toEqual({
    summaryText: '建议购买 9000 次，有效期 90 天，共 ¥270.00（每次 ¥0.03），按近期用量可用约 90 天',
    packs: ['36 个 250 次 / 90 天的资源包，每个 ¥7.50（每次 ¥0.03）'],
    alternativeText: '或：1 个 10000 次 / 365 天的资源包，每个 ¥300.00（每次 ¥0.03），只多 ¥30.00，按近期用量可用约 100 天',
  });
  const exempt = quotaView({ ...status, feeExempt: true, recommendation: null });
  expect(exempt).toMatchObject({ feeExempt: true, noAdviceText: '免费账号：微信不收取费用，无需购买资源包', recommendation: null });
});
