/**
 * What the provider panel says about WeChat's answers, the fleet and the top-up rules,
 * in the staff's words. The server's messages are English, for developers; here every
 * refusal gets a Chinese reason from WeChat's errcode (or our error code), so a failed
 * assignment never shows a bare 失败.
 */
import {
  WECHAT_NETWORK,
  WECHAT_TIMEOUT,
  type Assignment,
  type FleetKind,
  type FleetMerchant,
  type PhoneKind,
  type TopupRule,
} from '../../contract';
import { chinaTimeText } from '../../services/admin';
import { isAppid } from './assign-form';

/** WeChat's errcodes for service-provider calls (docs/provider.md "What each WeChat answer does"). */
const WECHAT_REASONS: Record<number, string> = {
  48001: '服务商令牌无权调用该接口（48001），请检查服务平台 AppID/AppSecret 配置',
  61007: '商户未将该接口授权给第三方平台（61007），请商户重新授权',
  10120002: '请求参数错误（10120002）',
  10120405: '服务商账号无法使用该接口（10120405）',
  10120800: '订单号不合法（10120800）',
  10121001: '订单不存在或状态不允许分配（10121001）',
  10121012: '订单资源包已过期（10121012）',
  10121013: '资源包规格无效（10121013）',
  10121014: '微信不允许该操作（10121014），如资源包已使用或已超过 7 天',
  10121031: '订单剩余次数不足（10121031）',
  10045: '服务商与该小程序没有服务关系（10045）',
  40097: '请求参数错误（40097）',
  40013: '小程序 AppID 无效（40013）',
  // Ours, when WeChat gave no answer: the outcome is open, never read as a refusal.
  [WECHAT_TIMEOUT]: '微信未及时答复',
  [WECHAT_NETWORK]: '未能连接微信',
};

const CODE_REASONS: Record<string, string> = {
  INVALID_ARGUMENT: '参数有误',
  CONFLICT: '与微信记录冲突',
  UPSTREAM_UNAVAILABLE: '微信未给出结果',
};

/** Why an assignment failed or is unknown; empty when it has no error. */
export function assignmentReasonText(a: Pick<Assignment, 'status' | 'error' | 'wechatErrcode'>): string {
  if (!a.error) return '';
  const reason =
    (a.wechatErrcode !== null ? (WECHAT_REASONS[a.wechatErrcode] ?? `微信错误码 ${a.wechatErrcode}`) : null) ??
    CODE_REASONS[a.error.code] ??
    '原因未知';
  if (a.status === 'failed') return `未分配：${reason}`;
  if (a.status === 'unknown') return `结果未知：${reason}。可“重新核对”或“撤回”`;
  return `微信上次答复：${reason}`;
}

/** An orders list that is partly old or incomplete, said so; empty when it is fresh and whole. */
export function ordersNotice(staleBecause: string | null, unavailable: Array<{ spuId: string }>): string {
  const missing = unavailable.map((u) => u.spuId).join('、');
  if (missing && staleBecause) return `商品 ${missing} 暂时查询失败，显示的是上次同步的订单`;
  if (missing) return `商品 ${missing} 查询失败，未列出其订单`;
  return staleBecause ? '订单数据不是最新：微信暂时无法访问，显示的是上次同步的结果' : '';
}

/** A failed check of settling assignments, said so (the list itself is still shown). */
export const pollNotice = (pollError: string | null) => (pollError ? '部分分配结果暂未能向微信核实，稍后自动重试' : '');

const KIND_TEXT: Record<PhoneKind, string> = { quick: '快速验证', realtime: '实时验证' };

interface FleetKindRow {
  kind: PhoneKind;
  label: string;
  figuresText: string;
  daysText: string;
  checkedText: string;
  errorText: string;
}

export interface FleetRow {
  appid: string;
  sourceText: string;
  daysText: string;
  low: boolean;
  kinds: FleetKindRow[];
}

const daysText = (days: number | null) => (days === null ? '剩余天数未知' : days === 0 ? '已用完' : `约可用 ${days} 天`);

function kindRow(kind: PhoneKind, k: FleetKind): FleetKindRow {
  return {
    kind,
    label: KIND_TEXT[kind],
    figuresText: k.remaining === null ? '剩余未知' : `剩余 ${k.remaining} / 共 ${k.all ?? '未知'} 次`,
    daysText: daysText(k.daysLeft),
    checkedText: k.checkedAt ? `查询于 ${chinaTimeText(k.checkedAt)}` : '尚未查询',
    errorText: k.error ? (k.error.includes('token source') ? '读取失败：未配置该商户的令牌来源' : '读取失败，显示的是上次结果') : '',
  };
}

/** The fleet as shown: the server's order (fewest days left first). Under 7 days is marked low. */
export function fleetRows(merchants: FleetMerchant[]): FleetRow[] {
  return merchants.map((m) => ({
    appid: m.appid,
    sourceText: m.source === 'added' ? '手动添加' : '已分配过',
    daysText: daysText(m.daysLeft),
    low: m.daysLeft !== null && m.daysLeft < 7,
    kinds: (['quick', 'realtime'] as const).map((k) => kindRow(k, m.kinds[k])),
  }));
}

const OUTCOME_TEXT: Record<TopupRule['history'][number]['outcome'], string> = {
  assigned: '已补充',
  done: '微信已确认',
  failed: '失败',
  stopped: '已停止',
};

function stopText(r: Pick<TopupRule, 'stopKind' | 'stopErrcode'>): string {
  const wechat = r.stopErrcode !== null ? (WECHAT_REASONS[r.stopErrcode] ?? `微信错误码 ${r.stopErrcode}`) : null;
  switch (r.stopKind) {
    case 'order-exhausted':
      return '订单剩余次数不足以补充该规格';
    case 'assign-refused':
      return `补充被拒绝，${wechat ?? '未分配'}`;
    case 'assign-unknown':
      return `补充结果未知${wechat ? `，${wechat}` : ''}，请在分配记录中核对`;
    default:
      return '原因未知';
  }
}

export interface RuleRow {
  key: string;
  appid: string;
  kind: PhoneKind;
  ruleText: string;
  stateText: string;
  stopped: boolean;
  history: Array<{ key: string; text: string }>;
}

export function ruleRows(rules: TopupRule[]): RuleRow[] {
  return rules.map((r) => ({
    key: `${r.appid}:${r.kind}`,
    appid: r.appid,
    kind: r.kind,
    ruleText: `${KIND_TEXT[r.kind]}剩余低于 ${r.belowCalls} 次时，从订单 ${r.orderId} 补充 ${r.skuCalls ?? '?'} 次；每天最多 1 次，每月最多 ${r.maxPerMonth} 次（本月已补 ${r.thisMonth} 次）`,
    stateText: r.state === 'active' ? '生效中' : `已停止：${stopText(r)}。处理后重新保存规则即可恢复`,
    stopped: r.state !== 'active',
    history: r.history
      .slice()
      .reverse()
      .map((h, i) => ({
        key: `${i}`,
        text: `${chinaTimeText(h.at)} ${OUTCOME_TEXT[h.outcome]}${h.remaining === null ? '' : `（当时剩余 ${h.remaining} 次）`}`,
      })),
  }));
}

export interface RuleForm {
  kind: PhoneKind;
  belowText: string;
  maxText: string;
}

export const EMPTY_RULE_FORM: RuleForm = { kind: 'quick', belowText: '', maxText: '' };

/** A top-up rule from the assign form's order, SKU and merchant plus the rule's own fields; or what to fix. */
export function checkRuleForm(
  form: RuleForm,
  pick: { orderId: string; skuId: string; appid: string },
): { ok: { appid: string; kind: PhoneKind; orderId: string; skuId: string; belowCalls: number; maxPerMonth: number } } | { error: string } {
  if (!pick.orderId) return { error: '请先选择订单' };
  if (!pick.skuId) return { error: '请选择要补充的资源包规格' };
  const appid = pick.appid.trim();
  if (!isAppid(appid)) return { error: '商户小程序 AppID 格式不正确：应为 wx 加 16 位小写十六进制字符' };
  const below = Number(form.belowText.trim());
  if (!/^\d+$/.test(form.belowText.trim()) || below < 1) return { error: '补充阈值应为正整数（剩余次数低于它时补充）' };
  const max = Number(form.maxText.trim());
  if (!/^\d+$/.test(form.maxText.trim()) || max < 1 || max > 31) return { error: '每月最多补充次数应为 1 到 31' };
  return { ok: { appid, kind: form.kind, orderId: pick.orderId, skuId: pick.skuId, belowCalls: below, maxPerMonth: max } };
}
