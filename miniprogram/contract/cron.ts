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

/** `R`: how an entry is held (the server keeps `at` as a real date; see cloudfunctions/cron/reconcile.ts). */
export type ReconcileOutcome<R = Reconciliation> =
  /** `unknown`: kinds WeChat refused or answered with no package — never read as zero left. */
  | { status: 'ok'; kinds: R[]; unknown: Array<{ kind: PhoneKind; reason: string }> }
  | { status: 'skipped'; reason: string }
  | { status: 'failed'; reason: string };

/** What cron's provider step did: top-up rules carried out against the fleet's fresh readings. */
export interface TopupRunReport {
  rules: number;
  assigned: Array<{ appid: string; kind: PhoneKind; assignmentId: string }>;
  stopped: Array<{ appid: string; kind: PhoneKind; reason: string }>;
}

export type FleetRunReport =
  | { status: 'ok'; merchants: number; readErrors: number; topups: TopupRunReport }
  | { status: 'skipped'; reason: string }
  | { status: 'failed'; reason: string };

/** A correction cron booked so that counted records + corrections = WeChat's used figure (one per kind and month). */
export interface UsageCorrectionEntry {
  month: string;
  kind: PhoneKind;
  /** Calls booked this month so that counted + corrections = WeChat's used figure. */
  count: number;
  /** WeChat's used figure and our counted total (all time) when it was booked. */
  wechatUsed: number;
  localCounted: number;
  /** Records of this kind whose outcome is unknown: part of the explanation. */
  unknownRecords: number;
  at: IsoTime;
}

export interface CheckReport {
  breakers: {
    rearmed: string | null;
    tripped: string | null;
    breaker: { tripped: boolean; reason: BreakerReason | null; at: IsoTime | null };
  };
  /** Alerts written by this run (at most one per kind, type and day). */
  alerts: AlertRecord[];
  reconciliation: ReconcileOutcome;
  /** Corrections booked this run (cron/corrections.ts). */
  corrections: UsageCorrectionEntry[];
  /** Records counted now (billable, not in usage_daily). */
  recounted: number;
  /** Pending records finished: from the number on the user, as refused, or abandoned. */
  finished: { bound: number; refused: number; unknown: number };
  /** Owed records left for the next run when cron's settling budget ran out (0: none). */
  remaining: number;
  /** The provider fleet's refresh and top-up rules (skipped outside a provider's environment). */
  providerFleet: FleetRunReport;
}

export interface CronRoutes {
  /** Runs every hourly check now (the timer calls the same). */
  run: { input: NoInput; output: CheckReport };
}
