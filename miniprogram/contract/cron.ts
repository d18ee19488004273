/** `cron`: the hourly checks (cloudfunctions/cron); `run` is open to admins. */
import type { AlertType } from './admin';
import type { BreakerReason, IsoTime, NoInput, PhoneKind } from './common';

/** A quota alert as cron writes it (`quota_alerts`, one per kind, type and China day). */
export interface AlertRecord {
  at: IsoTime;
  day: string;
  kind: PhoneKind;
  type: AlertType;
  message: string;
  remaining: number;
  daysLeft: number | null;
}

export interface Reconciliation {
  kind: PhoneKind;
  at: IsoTime;
  /** Calls WeChat says were used, over all its packages of this kind. */
  wechatUsed: number;
  /** Charges of this kind in our ledger, all time. */
  localCharges: number;
  /** wechatUsed − localCharges: positive when WeChat counted charges we missed. */
  difference: number;
  /** What WeChat says is left now. */
  wechatRemaining: number;
}

export type ReconcileOutcome =
  { status: 'ok'; kinds: Reconciliation[] } | { status: 'skipped'; reason: string } | { status: 'failed'; reason: string };

export interface CheckReport {
  breakers: {
    rearmed: string | null;
    tripped: string | null;
    breaker: { tripped: boolean; reason: BreakerReason | null; at: IsoTime | null };
  };
  /** Alerts written by this run (at most one per kind, type and day). */
  alerts: AlertRecord[];
  reconciliation: ReconcileOutcome;
  /** Records counted now (billable, not in usage_daily). */
  recounted: number;
  /** Pending records finished: from the number on the user, as refused, or abandoned. */
  finished: { bound: number; refused: number; unknown: number };
}

export interface CronRoutes {
  run: { input: NoInput; output: CheckReport };
}
