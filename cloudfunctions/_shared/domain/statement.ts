/**
 * A month's statement (`admin.statement.month`): what the merchant reconciles WeChat's
 * invoices with. One row per China day, kind and pack the day's calls drew from (the
 * trial ran out mid-day: two rows), each with its unit price, true cost and list
 * value; the packs that started in the month; WeChat's own count beside ours.
 *
 * The totals are `costOfBoth` over the month — the very figures `usage.summary` shows
 * for it — so the two never disagree. Rows carry their exact cost to 0.0001 yuan; the
 * total is the exact sum rounded once, as everywhere else (docs/quota.md "Cost").
 * Pure: no SDK.
 */
import { chinaDay, chinaMinute } from './china-time';
import { costFigures, costOfBoth, unitPrice, type CostFigures, type PricedPack } from './cost';
import { toCsv, type Cell } from './csv';
import { fenOf, fenToYuan, perCallYuan, PRICE_FEN, timesFen, ZERO_FEN } from './pricing';
import type { LedgerState, PackSource } from './quota-ledger';
import type { PhoneKind } from './settings';
import type { MonthStatement, StatementPack, StatementRow, StatementWechat } from '../../../miniprogram/contract';

interface WechatCount {
  kind: PhoneKind;
  at: Date;
  wechatUsed: number;
  localCharges: number;
  difference: number;
}

/** A statement as the route returns it (dates still dates). */
type Statement = Omit<MonthStatement, 'packs' | 'wechat'> & {
  packs: Array<Omit<StatementPack, 'startsAt' | 'expiresAt'> & { startsAt: Date; expiresAt: Date | null }>;
  wechat: Array<Omit<StatementWechat, 'at'> & { at: Date }>;
};

const KINDS: readonly PhoneKind[] = ['quick', 'realtime'];
const KIND_NAME: Record<PhoneKind, string> = { quick: '手机号快速验证', realtime: '手机号实时验证' };
const SOURCE_NAME: Record<PackSource, string> = { trial: '体验额度', self: '自购资源包', provider: '服务商分配' };

function rowsOf(kind: PhoneKind, state: LedgerState<PricedPack>, month: string, exempt: boolean): StatementRow[] {
  const list = PRICE_FEN[kind];
  const rows: StatementRow[] = [];
  const row = (day: string, calls: number, pack: PricedPack | null): StatementRow => {
    const price = exempt ? { perCall: ZERO_FEN, estimate: false } : pack ? unitPrice(pack) : { perCall: fenOf(list), estimate: true };
    return {
      day,
      kind,
      calls,
      pack: pack ? { id: pack.id, source: pack.source } : null,
      unitPriceYuan: perCallYuan(price.perCall),
      costYuan: perCallYuan(timesFen(price.perCall, calls)),
      listValueYuan: fenToYuan(calls * list),
      estimated: price.estimate,
    };
  };
  for (const d of state.draws) {
    if (!d.day.startsWith(month)) continue;
    for (const t of d.takes) rows.push(row(d.day, t.calls, state.packs[t.index]!.pack));
    if (d.uncovered > 0) rows.push(row(d.day, d.uncovered, null));
  }
  return rows;
}

/** Why WeChat's count and ours differ, in the merchant's words. */
export function explainDifference(difference: number): string {
  if (difference === 0) return '一致';
  if (difference > 0)
    return `微信多计 ${difference} 次：用户已授权（微信即计费）但号码未送到我们的服务器，或授权码过期未兑换；微信按其计数扣减额度`;
  return `我们多计 ${-difference} 次：微信的用量数据有延迟，或有结果未知的调用被我们按已计费记录；以微信的计数为准`;
}

export function monthStatement(
  month: string,
  states: Record<PhoneKind, LedgerState<PricedPack>>,
  feeExempt: boolean,
  wechatCounts: readonly WechatCount[],
): Statement {
  const rows = KINDS.flatMap((kind) => rowsOf(kind, states[kind], month, feeExempt)).sort(
    (a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0) || KINDS.indexOf(a.kind) - KINDS.indexOf(b.kind),
  );
  const count = (kind: PhoneKind) => rows.reduce((sum, r) => (r.kind === kind ? sum + r.calls : sum), 0);
  const totals: { quick: number; realtime: number } & CostFigures = {
    quick: count('quick'),
    realtime: count('realtime'),
    ...costFigures(costOfBoth(states, (day) => day.startsWith(month), feeExempt)),
  };
  const packs = KINDS.flatMap((kind) =>
    states[kind].packs
      .map((p) => p.pack)
      .filter((p) => p.source !== 'trial' && chinaDay(p.startsAt).startsWith(month))
      .map((p) => ({
        id: p.id,
        kind,
        source: p.source,
        calls: p.calls,
        startsAt: p.startsAt,
        expiresAt: p.expiresAt,
        priceYuan: p.priceFen === null ? null : fenToYuan(p.priceFen),
      })),
  );
  const wechat = wechatCounts.map((w) => ({ ...w, explanation: explainDifference(w.difference) }));
  const base = { month, rows, totals, packs, wechat, feeExempt };
  return { ...base, csv: statementCsv(base) };
}

function statementCsv(s: Omit<Statement, 'csv'>): string {
  const { totals } = s;
  const lines: Cell[][] = [
    ['账单月份', s.month, s.feeExempt ? '免费账号：微信不收取费用' : ''],
    ['日期', '组件', '调用次数', '扣减资源包', '单价(元)', '实际费用(元)', '标价金额(元)', '说明'],
    ...s.rows.map((r): Cell[] => [
      r.day,
      KIND_NAME[r.kind],
      r.calls,
      r.pack ? `${SOURCE_NAME[r.pack.source]} ${r.pack.id}` : '无对应资源包',
      r.unitPriceYuan,
      r.costYuan,
      r.listValueYuan,
      r.estimated ? '未记录价格，按标价估算' : '',
    ]),
    [
      '合计',
      `快速验证 ${totals.quick} 次；实时验证 ${totals.realtime} 次`,
      totals.quick + totals.realtime,
      '',
      '',
      totals.costYuan,
      totals.listValueYuan,
      `节省 ${totals.savingYuan} 元；合计按精确值求和后四舍五入到分${totals.estimatedCalls ? `；${totals.estimatedCalls} 次按标价估算` : ''}`,
    ],
    [],
    ['本月开始的资源包'],
    ['编号', '组件', '来源', '次数', '开始日期', '到期日期', '价格(元)'],
    ...s.packs.map((p): Cell[] => [
      p.id,
      KIND_NAME[p.kind],
      SOURCE_NAME[p.source],
      p.calls,
      chinaDay(p.startsAt),
      p.expiresAt ? chinaDay(p.expiresAt) : '不过期',
      p.priceYuan ?? '未记录',
    ]),
    [],
    ['微信用量对账（累计，截至对账时间）'],
    ['组件', '对账时间', '微信已用', '本地记录', '差异', '说明'],
    ...s.wechat.map((w): Cell[] => [KIND_NAME[w.kind], chinaMinute(w.at), w.wechatUsed, w.localCharges, w.difference, w.explanation]),
  ];
  if (s.wechat.length === 0) lines.push(['尚未对账（需配置 WECHAT_APPID / WECHAT_APPSECRET，由定时任务完成）']);
  return toCsv(lines);
}
