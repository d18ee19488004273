/** quota.status in the merchant's words. */
import type { QuotaStatus } from '../../services/admin';
import { quotaView } from './quota-view';

const status: QuotaStatus = {
  kind: 'quick',
  remaining: 1200,
  packs: [
    { id: 't', source: 'trial', calls: 1000, used: 1000, startsAt: '2026-01-01T00:00:00.000Z', expiresAt: null, status: 'used-up', priceYuan: null, note: null },
    { id: 'p', source: 'self', calls: 1000, used: 300, startsAt: '2026-03-31T16:00:00.000Z', expiresAt: '2027-03-31T16:00:00.000Z', status: 'active', priceYuan: '30.00', note: '春季' },
    { id: 'q', source: 'provider', calls: 500, used: 0, startsAt: '2026-09-30T16:00:00.000Z', expiresAt: '2027-09-30T16:00:00.000Z', status: 'pending', priceYuan: null, note: null },
  ],
  forecast: { monthlyAverage: 412.4, exhaustsOn: '2026-07-09' },
  recommendation: { calls: 5000, validityDays: 365, priceYuan: '150.00', packs: [{ calls: 5000, validityDays: 365, priceYuan: '150.00', count: 1 }] },
  reconciliation: { at: '2026-05-01T01:00:00.000Z', wechatUsed: 1302, localCharges: 1300, difference: 2, wechatRemaining: 1198 },
  alerts: [{ id: 'a', at: '2026-05-01T01:00:00.000Z', kind: 'quick', type: 'quota-low', message: '快速验证剩余 1200 次', remaining: 1200, daysLeft: 60 }],
};

test('packs: source, numbers, China-time dates, status, price and note', () => {
  const [trial, self, provider] = quotaView(status).packs;
  expect(trial).toMatchObject({ sourceText: '试用', expiryText: '永久有效', statusText: '已用完', priceText: '', leftText: '剩 0 次' });
  expect(self).toMatchObject({ sourceText: '自购', callsText: '1000 次', usedText: '已用 300 次', leftText: '剩 700 次', startText: '2026-04-01 00:00 起', expiryText: '2027-04-01 00:00 到期', statusText: '生效中', priceText: '¥30.00', note: '春季' });
  expect(provider).toMatchObject({ sourceText: '服务商分配', statusText: '未生效' });
  // The server prices the trial at 0.00.
  expect(quotaView({ ...status, packs: [{ ...status.packs[0]!, priceYuan: '0.00' }] }).packs[0]!.priceText).toBe('免费');
});

test('forecast, recommendation, alerts and reconciliation', () => {
  const v = quotaView(status);
  expect(v.monthlyAverageText).toBe('近期月均 412 次');
  expect(v.forecastText).toBe('预计 2026年7月9日 用完');
  expect(v.recommendation).toEqual({ summaryText: '建议购买 5000 次，有效期 365 天，共 ¥150.00', packs: ['5000 次 / 365 天的资源包 1 个，每个 ¥150.00'] });
  expect(v.alerts).toEqual([{ id: 'a', typeText: '额度不足', timeText: '2026-05-01 09:00', message: '快速验证剩余 1200 次', urgent: false }]);
  expect(v.reconciliation).toMatchObject({ differenceText: '相差 2 次', timeText: '2026-05-01 09:00' });
});

test('nothing to worry about', () => {
  const v = quotaView({ ...status, forecast: { monthlyAverage: 0, exhaustsOn: null }, recommendation: null, reconciliation: null, alerts: [] });
  expect(v.forecastText).toBe('按当前用量不会用完');
  expect(v.recommendation).toBeNull();
  expect(v.reconciliation).toBeNull();
  expect(quotaView({ ...status, reconciliation: { ...status.reconciliation!, difference: 0 } }).reconciliation!.differenceText).toBe('与微信一致');
});
