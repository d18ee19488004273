/**
 * The "record a purchased pack" form: what the merchant typed, checked on the phone
 * so a typo costs no round trip, then turned into `quota.addPack` params. The server
 * checks again; its INVALID_ARGUMENT message starts with the field name, which we
 * translate into the form's own label.
 */
import { CloudError } from '../../services/cloud';
import { ERROR_TEXT, errorField, errorText } from '../../services/errors';
import { parseYuanToFen } from '../../services/money';
import type { NewPack } from '../../services/admin';
import type { PhoneKind } from '../../services/session';

export interface PackForm {
  callsText: string;
  daysText: string;
  priceText: string;
  /** "YYYY-MM-DD" from the date picker; empty: starts today. */
  startText: string;
  note: string;
  source: 'self' | 'provider';
}

export const EMPTY_FORM: PackForm = { callsText: '', daysText: '', priceText: '', startText: '', note: '', source: 'self' };
const NOTE_MAX = 200;
/** The server's limits (admin/quota.ts), checked here too so the merchant hears of them at once. */
const CALLS_MAX = 100_000_000;
const DAYS_MAX = 3650;

const FIELD_LABELS: Record<string, string> = {
  calls: '购买次数',
  validityDays: '有效天数',
  priceYuan: '价格',
  startsAt: '开始日期',
  note: '备注',
  source: '来源',
  kind: '验证方式',
};

/** Digits only, at most 9 of them, so Number() is exact. */
function positiveInteger(text: string): number | null {
  const t = text.trim();
  return /^\d{1,9}$/.test(t) && Number(t) >= 1 ? Number(t) : null;
}

function isCalendarDay(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const ms = Date.parse(`${text}T00:00:00Z`);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === text;
}

/** The params for `quota.addPack`, or what to fix, in the merchant's words. */
export function packFrom(form: PackForm, kind: PhoneKind): { pack: Omit<NewPack, 'idempotencyKey'> } | { error: string } {
  const calls = positiveInteger(form.callsText);
  if (calls === null || calls > CALLS_MAX) return { error: '购买次数请填写正整数，最多 1 亿次' };
  const validityDays = positiveInteger(form.daysText);
  if (validityDays === null || validityDays > DAYS_MAX) return { error: `有效天数请填写正整数，最多 ${DAYS_MAX} 天` };
  const pack: Omit<NewPack, 'idempotencyKey'> = { calls, validityDays, kind, source: form.source };

  const priceText = form.priceText.trim();
  if (priceText !== '') {
    const fen = parseYuanToFen(priceText);
    if (fen === null || fen === 0) return { error: '价格请填写大于 0 的金额（元），最多两位小数，或留空' };
    // fen / 100 is the double nearest the typed decimal, the same number the text would parse to.
    pack.priceYuan = fen / 100;
  }
  const start = form.startText.trim();
  if (start !== '') {
    if (!isCalendarDay(start)) return { error: '开始日期请选择一个日期，或留空表示今天' };
    pack.startsAt = start;
  }
  const note = form.note.trim();
  if (note.length > NOTE_MAX) return { error: `备注最多 ${NOTE_MAX} 个字` };
  if (note !== '') pack.note = note;
  return { pack };
}

/**
 * A refusal from the server, said so the merchant knows which field to fix. Only the
 * field name the server's message starts with is read (a stable code); its English
 * never reaches the screen.
 */
export function addPackErrorText(err: unknown): string {
  if (!(err instanceof CloudError)) return '保存失败，请重试';
  if (err.code === 'INVALID_ARGUMENT') {
    const field = errorField(err);
    const label = field === null ? undefined : FIELD_LABELS[field.split('.')[0]!];
    return label ? `未保存：${label}有误，请检查后再提交` : `未保存：${ERROR_TEXT.INVALID_ARGUMENT}，请检查后再提交`;
  }
  if (err.code === 'FORBIDDEN') return '无权限：只有管理员可以记录资源包';
  // The request may have arrived and the answer been lost: the form keeps its
  // idempotency key, so submitting again records this pack at most once.
  if (err.code === 'NETWORK') return '网络中断，尚不确定是否已保存：请再点一次提交，同一笔不会重复记录';
  return `保存失败：${errorText(err)}`;
}
