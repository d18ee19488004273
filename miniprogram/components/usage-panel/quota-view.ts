/**
 * `quota.status` as the merchant reads it: Chinese labels, China-time dates, money
 * exactly as the server wrote it. Pure, so the wording is tested without a phone.
 */
import { ALERT_TYPES, chinaTimeText, PACK_SOURCES, PACK_STATUSES, type QuotaStatus } from '../../services/admin';

export interface PackRow {
  id: string;
  sourceText: string;
  callsText: string;
  usedText: string;
  leftText: string;
  startText: string;
  expiryText: string;
  status: string;
  statusText: string;
  priceText: string;
  note: string;
}

export interface QuotaView {
  remaining: number;
  /** Charges no recorded pack covers (0 when the ledger is complete). */
  uncovered: number;
  packs: PackRow[];
  monthlyAverageText: string;
  forecastText: string;
  recommendation: { summaryText: string; packs: string[] } | null;
  alerts: Array<{ id: string; typeText: string; timeText: string; message: string; urgent: boolean }>;
  reconciliation: { timeText: string; wechatUsed: number; localCharges: number; difference: number; wechatRemaining: number; differenceText: string } | null;
}

/** "2026-05-03" → "2026年5月3日". */
function longDayText(day: string): string {
  return `${day.slice(0, 4)}年${Number(day.slice(5, 7))}月${Number(day.slice(8, 10))}日`;
}

export function quotaView(q: QuotaStatus): QuotaView {
  return {
    remaining: q.remaining,
    uncovered: q.uncovered ?? 0,
    packs: q.packs.map((p) => ({
      id: p.id,
      sourceText: PACK_SOURCES[p.source] ?? p.source,
      callsText: `${p.calls} 次`,
      usedText: `已用 ${p.used} 次`,
      leftText: `剩 ${Math.max(0, p.calls - p.used)} 次`,
      startText: `${chinaTimeText(p.startsAt)} 起`,
      expiryText: p.expiresAt === null ? '永久有效' : `${chinaTimeText(p.expiresAt)} 到期`,
      status: p.status,
      statusText: PACK_STATUSES[p.status] ?? p.status,
      priceText: p.priceYuan === null ? '' : p.priceYuan === '0.00' ? '免费' : `¥${p.priceYuan}`,
      note: p.note ?? '',
    })),
    monthlyAverageText: `近期月均 ${Math.round(q.forecast.monthlyAverage)} 次`,
    forecastText: q.forecast.exhaustsOn === null ? '按当前用量不会用完' : `预计 ${longDayText(q.forecast.exhaustsOn)} 用完`,
    recommendation: q.recommendation && {
      summaryText: `建议购买 ${q.recommendation.calls} 次，有效期 ${q.recommendation.validityDays} 天，共 ¥${q.recommendation.priceYuan}`,
      packs: q.recommendation.packs.map((p) => `${p.calls} 次 / ${p.validityDays} 天的资源包 ${p.count} 个，每个 ¥${p.priceYuan}`),
    },
    alerts: q.alerts.map((a) => ({
      id: a.id,
      typeText: ALERT_TYPES[a.type] ?? a.type,
      timeText: chinaTimeText(a.at),
      message: a.message,
      urgent: a.type === 'quota-exhausted',
    })),
    reconciliation: q.reconciliation && {
      timeText: chinaTimeText(q.reconciliation.at),
      wechatUsed: q.reconciliation.wechatUsed,
      localCharges: q.reconciliation.localCharges,
      difference: q.reconciliation.difference,
      wechatRemaining: q.reconciliation.wechatRemaining,
      differenceText: q.reconciliation.difference === 0 ? '与微信一致' : `相差 ${Math.abs(q.reconciliation.difference)} 次`,
    },
  };
}
