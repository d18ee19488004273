/**
 * `quota.status` as the merchant reads it: Chinese labels, China-time dates, money
 * exactly as the server wrote it. Pure, so the wording is tested without a phone.
 */
import {
  ALERT_TYPES,
  chinaTimeText,
  PACK_SOURCES,
  PACK_STATUSES,
  type PurchaseOption,
  type QuotaCorrection,
  type QuotaStatus,
} from '../../services/admin';

interface PackRow {
  id: string;
  /** Only the trial's price is fixed (free); any other pack's can be recorded. */
  priceEditable: boolean;
  /** The recorded price as the form starts it, e.g. "12.50"; '' when none. */
  priceInput: string;
  sourceText: string;
  callsText: string;
  usedText: string;
  leftText: string;
  startText: string;
  expiryText: string;
  status: string;
  statusText: string;
  priceText: string;
  /** "每次 ¥0.028", or how the price is estimated; '' when unknown. */
  perCallText: string;
  note: string;
}

export interface QuotaView {
  remaining: number;
  /** Where to buy this kind's packs: the quick and the real-time component are bought apart. */
  whereToBuyText: string;
  /** Charges no recorded pack covers (0 when the ledger is complete). */
  uncovered: number;
  packs: PackRow[];
  monthlyAverageText: string;
  forecastText: string;
  /** One line per pack type with its quantity; `alternativeText` a larger pack that costs little more and lasts longer. */
  recommendation: { summaryText: string; packs: string[]; alternativeText: string } | null;
  /** Why there is no advice (a fee-exempt account), or ''. */
  noAdviceText: string;
  /** "至今费用 ¥x（按标价 ¥y）" for this kind; '' when the server did not say. */
  costText: string;
  /** "预计每月费用 ¥x", or ''. */
  monthlyCostText: string;
  feeExempt: boolean;
  alerts: Array<{ id: string; typeText: string; timeText: string; message: string; urgent: boolean }>;
  reconciliation: {
    timeText: string;
    wechatUsed: number;
    localCharges: number;
    difference: number;
    wechatRemaining: number;
    differenceText: string;
    /** "本月按微信计数补记 1 次", and the server's explanation; null when cron booked none this month. */
    correction: { text: string; explanation: string } | null;
  } | null;
}

/** "36 个 250 次 / 90 天的资源包，每个 ¥7.50（每次 ¥0.03）". */
function packLine(p: PurchaseOption['packs'][number]): string {
  return `${p.count} 个 ${p.calls} 次 / ${p.validityDays} 天的资源包，每个 ¥${p.priceYuan}${p.perCallYuan ? `（每次 ¥${p.perCallYuan}）` : ''}`;
}

const lastsText = (o: PurchaseOption) => (o.coversDays === undefined ? '' : `，按近期用量可用约 ${o.coversDays} 天`);

/** "2026-05-03" → "2026年5月3日". */
function longDayText(day: string): string {
  return `${day.slice(0, 4)}年${Number(day.slice(5, 7))}月${Number(day.slice(8, 10))}日`;
}

/** WeChat's own names of the two paid components. */
const COMPONENT_NAMES = { quick: '手机号快速验证组件', realtime: '手机号实时验证组件' } as const;

export function quotaView(q: QuotaStatus): QuotaView {
  return {
    remaining: q.remaining,
    whereToBuyText: `购买入口：微信公众平台 › 付费管理 › ${COMPONENT_NAMES[q.kind]}（资源包）`,
    uncovered: q.uncovered ?? 0,
    packs: q.packs.map((p) => ({
      id: p.id,
      priceEditable: p.source !== 'trial',
      priceInput: p.priceYuan ?? '',
      sourceText: PACK_SOURCES[p.source] ?? p.source,
      callsText: `${p.calls} 次`,
      usedText: `已用 ${p.used} 次`,
      leftText: `剩 ${Math.max(0, p.calls - p.used)} 次`,
      startText: `${chinaTimeText(p.startsAt)} 起`,
      expiryText: p.expiresAt === null ? '永久有效' : `${chinaTimeText(p.expiresAt)} 到期`,
      status: p.status,
      statusText: PACK_STATUSES[p.status] ?? p.status,
      priceText: p.priceYuan === null ? '' : p.priceYuan === '0.00' ? '免费' : `¥${p.priceYuan}`,
      perCallText:
        p.source === 'trial' || p.perCallYuan === undefined
          ? ''
          : p.priceEstimated
            ? `未填价格，按标价每次 ¥${p.perCallYuan} 估算`
            : `每次 ¥${p.perCallYuan}`,
      note: p.note ?? '',
    })),
    monthlyAverageText: `近期月均 ${Math.round(q.forecast.monthlyAverage)} 次`,
    forecastText: q.forecast.exhaustsOn === null ? '按当前用量不会用完' : `预计 ${longDayText(q.forecast.exhaustsOn)} 用完`,
    recommendation: q.recommendation && {
      summaryText: `建议购买 ${q.recommendation.calls} 次，有效期 ${q.recommendation.validityDays} 天，共 ¥${q.recommendation.priceYuan}${q.recommendation.perCallYuan ? `（每次 ¥${q.recommendation.perCallYuan}）` : ''}${lastsText(q.recommendation)}`,
      packs: q.recommendation.packs.map(packLine),
      alternativeText: q.recommendation.alternative
        ? `或：${q.recommendation.alternative.packs.map(packLine).join('、')}，只多 ¥${q.recommendation.alternative.extraYuan}${lastsText(q.recommendation.alternative)}`
        : '',
    },
    noAdviceText: q.feeExempt ? '免费账号：微信不收取费用，无需购买资源包' : '',
    costText: q.cost ? `至今费用 ¥${q.cost.costYuan}${q.cost.listValueYuan ? `（按标价 ¥${q.cost.listValueYuan}）` : ''}` : '',
    monthlyCostText: q.forecast.monthlyCostYuan && q.forecast.monthlyAverage > 0 ? `，预计每月费用 ¥${q.forecast.monthlyCostYuan}` : '',
    feeExempt: q.feeExempt ?? false,
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
      differenceText: differenceText(q.reconciliation.difference),
      correction: q.reconciliation.correction ? correctionLine(q.reconciliation.correction) : null,
    },
  };
}

/**
 * One sign, said in words: difference = WeChat's count − ours, so positive means WeChat
 * counted calls we have no record of (money spent we cannot see), negative the reverse.
 */
export function differenceText(difference: number): string {
  if (difference === 0) return '与微信一致';
  return difference > 0 ? `微信比本地多计 ${difference} 次` : `本地比微信多记 ${-difference} 次`;
}

/** Cron's correction, beside the counted figures (docs/quota.md): the line and why. */
function correctionLine(c: QuotaCorrection): { text: string; explanation: string } {
  const text =
    c.count === 0
      ? '本月无需按微信计数校正'
      : c.count > 0
        ? `本月按微信计数补记 ${c.count} 次（未计入上方用量与费用）`
        : `本月按微信计数减记 ${-c.count} 次（未计入上方用量与费用）`;
  return { text, explanation: c.explanation };
}
