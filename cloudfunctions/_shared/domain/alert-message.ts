/**
 * Alerts as WeChat subscribe messages (订阅消息): what an alert says, and the template
 * data that carries it. A template's keywords are typed by their prefix, each with a
 * limit WeChat enforces with errcode 47003 (sendMessage doc, 模板参数值内容限制): thing ≤ 20
 * characters, phrase ≤ 5 Chinese characters, character_string / letter ≤ 32, name ≤ 10,
 * symbol ≤ 5, time / date a China-time moment ("2026年12月7日 10:05"). Values are cut
 * to fit here, so only a template that does not match ALERT_TEMPLATE_FIELDS can still
 * be refused. Pure: no SDK.
 */
import { chinaMinute } from './china-time';
import type { BreakerReason, PhoneKind } from './settings';
import type { AlertType } from '../../../miniprogram/contract';

/** The page a message opens: the admin usage view, where alerts are shown. */
export const ALERT_PAGE = 'admin/usage/index';

/** Something an admin should hear about; `id` makes it one message per admin, ever. */
export interface AlertNotice {
  id: string;
  /** What happened, e.g. 手机号登录已暂停. */
  title: string;
  /** Four Chinese characters at most, for a phrase keyword: 已暂停, 额度不足. */
  status: string;
  detail: string;
  at: Date;
}

type AlertField = 'title' | 'status' | 'time' | 'detail';
interface TemplateField {
  keyword: string;
  field: AlertField;
}

const KEYWORD = /^(thing|phrase|time|date|character_string|letter|symbol|name|number|amount)\d{1,3}$/;
const FIELDS: readonly AlertField[] = ['title', 'status', 'time', 'detail'];

/** "thing1=title,time2=time" → keyword/field pairs; a malformed value fails loudly, naming the pair. */
export function parseTemplateFields(text: string): TemplateField[] {
  const pairs = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (pairs.length === 0) throw new Error('ALERT_TEMPLATE_FIELDS is empty');
  return pairs.map((pair) => {
    const [keyword = '', field = ''] = pair.split('=').map((s) => s.trim());
    if (!KEYWORD.test(keyword) || !FIELDS.includes(field as AlertField))
      throw new Error(`ALERT_TEMPLATE_FIELDS: "${pair}" is not keyword=field (e.g. thing1=title; fields: ${FIELDS.join(', ')})`);
    return { keyword, field: field as AlertField };
  });
}

/** Cuts to at most `max` characters (code points), ending with … when cut. */
function cut(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : chars.slice(0, max - 1).join('') + '…';
}

/** "2026年12月7日 10:05", a form both time and date keywords accept. */
function wechatTime(at: Date): string {
  const [day, minute] = chinaMinute(at).split(' ') as [string, string];
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return `${y}年${m}月${d}日 ${minute}`;
}

const LIMITS: Record<string, (value: string) => string> = {
  thing: (v) => cut(v, 20),
  phrase: (v) =>
    Array.from(v.replace(/[^\u4e00-\u9fff]/g, ''))
      .slice(0, 5)
      .join(''),
  character_string: (v) => cut(v.replace(/[^\x21-\x7e]/g, ''), 32),
  letter: (v) => v.replace(/[^A-Za-z]/g, '').slice(0, 32),
  symbol: (v) => cut(v, 5),
  name: (v) => cut(v, 10),
};

/** The template's `data`: `{ keyword: { value } }`, each value fitted to its keyword's type. */
export function templateData(notice: AlertNotice, fields: readonly TemplateField[]): Record<string, { value: string }> {
  const data: Record<string, { value: string }> = {};
  for (const { keyword, field } of fields) {
    const type = keyword.replace(/\d+$/, '');
    const raw = field === 'time' ? wechatTime(notice.at) : notice[field];
    data[keyword] = { value: (LIMITS[type] ?? ((v: string) => v))(raw) };
  }
  return data;
}

const BREAKER_WHY: Record<BreakerReason, string> = {
  'budget-reached': '本月费用已达到预算上限',
  'daily-cap-reached': '今日手机号登录次数已达上限',
  'quota-exhausted': '资源包额度已用完',
};

/** A tripped breaker as an alert; one per trip (its time is the id). */
export function breakerNotice(breaker: { reason: BreakerReason | null; at: Date | string | null }): AlertNotice | null {
  if (!breaker.reason || !breaker.at) return null;
  const at = new Date(breaker.at);
  return {
    id: `breaker-${at.getTime()}`,
    title: '手机号登录已暂停（熔断）',
    status: '已暂停',
    detail: `${BREAKER_WHY[breaker.reason]}，手机号按钮已隐藏；请在管理页处理后重新启用`,
    at,
  };
}

const KIND_WORD: Record<PhoneKind, string> = { quick: '快速验证', realtime: '实时验证' };

/** A quota alert cron wrote (`quota_alerts/<day>:<kind>:<type>`) as a message. */
export function quotaNotice(alert: { _id: string; kind: PhoneKind; type: AlertType; message: string; at: Date | string }): AlertNotice {
  const exhausted = alert.type === 'quota-exhausted';
  return {
    id: `quota-${alert._id}`,
    title: `${KIND_WORD[alert.kind]}${exhausted ? '额度已用完' : '额度即将用完'}`,
    status: exhausted ? '已用完' : '额度不足',
    detail: alert.message,
    at: new Date(alert.at),
  };
}
