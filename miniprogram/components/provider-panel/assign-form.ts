/**
 * Pure helpers of the provider panel: the merchant appid check, the start date, and
 * the words for statuses and errors.
 */
import { CloudError } from '../../services/cloud';
import { errorField, errorText } from '../../services/errors';
import { APPID_PATTERN, CHINA_OFFSET_MS } from '../../contract';
import type { AssignmentStatus } from '../../services/provider';

export function isAppid(text: string): boolean {
  return APPID_PATTERN.test(text.trim());
}

/** "YYYY-MM-DD" (a China day, from the date picker) → midnight China time in ms; null when not a real day. */
export function beginTimeOf(day: string): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day.trim());
  if (!match) return null;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const utc = Date.UTC(y, m - 1, d);
  const back = new Date(utc);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== m - 1 || back.getUTCDate() !== d) return null;
  return utc - CHINA_OFFSET_MS;
}

export const STATUS_LABELS: Record<AssignmentStatus, string> = {
  pending: '处理中',
  done: '已分配',
  failed: '失败',
  cancelling: '撤回中',
  cancelled: '已撤回',
  unknown: '结果未知',
};

/** A figure as shown: the number, or 未知 when WeChat did not give one. */
export const figureText = (n: number | null | undefined) => (typeof n === 'number' ? String(n) : '未知');

/** WeChat's order status in words; a number we have no word for is shown as it is. */
export function orderStatusText(status: string): string {
  if (status === 'paid') return '已支付';
  if (status.startsWith('wechat-')) return `微信状态 ${status.slice('wechat-'.length)}`;
  return '状态未知';
}

export function statusLabel(status: string): string {
  return STATUS_LABELS[status as AssignmentStatus] ?? status;
}

/**
 * A done assignment can be withdrawn (WeChat then checks it is unused and within 7
 * days); so can an unknown one — WeChat accepting the withdrawal shows it existed.
 */
export const canCancel = (status: string) => status === 'done' || status === 'unknown';

/** Statuses that will change on their own: the list keeps refreshing while one is on screen. */
export const isSettling = (status: string) => status === 'pending' || status === 'cancelling';

export interface AssignForm {
  appid: string;
  skuId: string;
  /** "YYYY-MM-DD" or empty: starts now. */
  startText: string;
}

export const EMPTY_ASSIGN_FORM: AssignForm = { appid: '', skuId: '', startText: '' };

/** What the form asks for, checked on the phone; or a message saying what to fix. */
export function checkAssignForm(
  form: AssignForm,
  order: { orderId: string; remaining: number | null } | null,
  skus: Array<{ skuId: string; calls: number | null }>,
): { ok: { orderId: string; skuId: string; receiverAppId: string; calls: number; beginTime?: number } } | { error: string } {
  if (!order) return { error: '请先选择订单' };
  const sku = skus.find((s) => s.skuId === form.skuId);
  if (!sku) return { error: '请选择资源包规格' };
  const appid = form.appid.trim();
  if (!isAppid(appid)) return { error: '商户小程序 AppID 格式不正确：应为 wx 加 16 位小写十六进制字符' };
  if (sku.calls === null) return { error: '该规格的次数未知，无法分配' };
  if (order.remaining !== null && sku.calls > order.remaining) return { error: `该订单剩余 ${order.remaining} 次，不足 ${sku.calls} 次` };
  let beginTime: number | undefined;
  if (form.startText.trim()) {
    const ms = beginTimeOf(form.startText);
    if (ms === null) return { error: '开始日期格式不正确' };
    beginTime = ms;
  }
  return {
    ok: {
      orderId: order.orderId,
      skuId: sku.skuId,
      receiverAppId: appid,
      calls: sku.calls,
      ...(beginTime === undefined ? {} : { beginTime }),
    },
  };
}

/** The field a refused assign names, in the staff's words (the server's message is English, for developers). */
const ASSIGN_FIELD_TEXT: Record<string, string> = {
  orderId: '：订单',
  skuId: '：资源包规格',
  receiverAppId: '：商户小程序 AppID',
  beginTime: '：开始日期',
  idempotencyKey: '：请求编号',
};

/** A failed assign, in the provider staff's words. */
export function assignErrorText(err: unknown): string {
  if (!(err instanceof CloudError)) return '分配失败，请重试';
  switch (err.code) {
    case 'NETWORK':
      return '网络异常，分配结果未知。请点“重试”，重试不会重复分配';
    case 'CONFLICT':
      return '订单剩余次数不足或该分配与之前的请求冲突，未分配';
    case 'INVALID_ARGUMENT':
      return `分配参数有误${ASSIGN_FIELD_TEXT[errorField(err) ?? ''] ?? ''}，未分配`;
    case 'NOT_FOUND':
      return '订单不存在';
    case 'FORBIDDEN':
      return '无权限';
    default:
      return `分配失败：${errorText(err)}`;
  }
}

/** A failed cancel, in the provider staff's words. */
export function cancelErrorText(err: unknown): string {
  if (!(err instanceof CloudError)) return '撤回失败，请重试';
  switch (err.code) {
    case 'CONFLICT':
      return '无法撤回：资源包已被使用、已撤回，或分配已超过 7 天';
    case 'NOT_FOUND':
      return '无法撤回：找不到这条分配记录';
    case 'NETWORK':
      return '网络异常，请稍后刷新查看撤回结果';
    case 'FORBIDDEN':
      return '无权限';
    default:
      return `撤回失败：${errorText(err)}`;
  }
}
