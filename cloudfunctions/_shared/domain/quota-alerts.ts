/**
 * When quota deserves an admin's attention: none left, under a share of what the
 * active packs hold, or a forecast that runs out within a few days. Pure: no SDK.
 */
import { chinaDay, daysBetween } from './china-time';
import type { Forecast } from './forecast';
import type { LedgerState } from './quota-ledger';
import type { PhoneKind } from './settings';
import type { QuotaAlert as StoredAlert } from '../../../miniprogram/contract';

/** The component's name as WeChat's console and the admin page call it. */
const COMPONENT: Record<PhoneKind, string> = { quick: '手机号快速验证组件', realtime: '手机号实时验证组件' };

/** An alert as the rules find it: the contract's alert before cron gives it an id, a time and a kind. */
type QuotaAlert = Pick<StoredAlert, 'type' | 'message' | 'remaining' | 'daysLeft'>;

/** Whole China days from today until `day` (0 = today). */
export const daysUntil = (day: string, at: Date) => daysBetween(chinaDay(at), day);

export function quotaAlert(
  kind: PhoneKind,
  state: LedgerState,
  outlook: Forecast,
  at: Date,
  limits: { lowPercent: number; lowDays: number },
): QuotaAlert | null {
  const { remaining } = state;
  const daysLeft = outlook.exhaustsOn === null ? null : daysUntil(outlook.exhaustsOn, at);
  if (remaining === 0)
    return { type: 'quota-exhausted', message: `资源包额度已用完：${COMPONENT[kind]}将失败，请购买资源包`, remaining, daysLeft };
  // Calls the packs in use hold in all: what "percent left" is a share of.
  const inUse = state.packs.reduce((sum, p) => (p.status === 'active' || p.status === 'used-up' ? sum + p.pack.calls : sum), 0);
  const lowShare = remaining * 100 < inUse * limits.lowPercent;
  const soon = daysLeft !== null && daysLeft < limits.lowDays;
  if (!lowShare && !soon) return null;
  const why = soon ? `按近期用量约 ${daysLeft} 天后用完` : `剩余不足 ${limits.lowPercent}%`;
  return { type: 'quota-low', message: `${COMPONENT[kind]}的资源包额度即将用完：剩余 ${remaining} 次，${why}`, remaining, daysLeft };
}
