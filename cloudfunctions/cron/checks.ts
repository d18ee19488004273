/**
 * Everything cron does, in order: finish charge records a request left pending (from
 * the number on the user, or as an unknown outcome once its lease ran out), count every
 * billable record the charge path could not count,
 * re-arm or trip the spending breakers, reconcile with WeChat, then look at each kind's
 * quota — write alerts and trip the quota breaker when nothing is left (by WeChat's
 * figures when it just answered, else by our ledger), unless the account is fee-exempt.
 */
import { quotaLowDays, quotaLowPercent } from '../_shared/config';
import { logEvent } from '../_shared/log';
import { chinaDay, lastChinaDays } from '../_shared/domain/china-time';
import { forecast } from '../_shared/domain/forecast';
import { quotaAlert } from '../_shared/domain/quota-alerts';
import { quotaTrip } from '../_shared/domain/breakers';
import type { PhoneKind, Settings } from '../_shared/domain/settings';
import { recordAlert, type Alert } from '../_shared/data/alerts';
import { tripBreaker } from '../_shared/data/breaker';
import { loadQuota } from '../_shared/data/quota';
import { loadSettings } from '../_shared/data/settings';
import { checkSpend, rearmSpendIfDue } from '../_shared/data/spend-breaker';
import { recountUncounted, usageSince } from '../_shared/data/usage';
import { abandonCharge, finishFromUser, finishRefused, pendingCharges, releaseUntouched } from '../_shared/data/charges';
import { findUser } from '../_shared/data/users';
import { reconcile, type ReconcileOutcome } from './reconcile';

export interface CheckReport {
  breakers: { rearmed: string | null; tripped: string | null; breaker: Settings['breaker'] };
  /** Alerts written by this run (at most one per kind, type and day). */
  alerts: Array<Omit<Alert, '_id'>>;
  reconciliation: ReconcileOutcome;
  /** Records counted now (billable, not in usage_daily). */
  recounted: number;
  /**
   * Pending records finished: `bound` from the number on the user, `refused` from the
   * user's list of refused codes, `unknown` abandoned by a request that died.
   */
  finished: { bound: number; refused: number; unknown: number };
}

/**
 * Records still pending. One whose number is on its user succeeded (only its own
 * update was lost): finished as ok. One in its user's refused list: finished as
 * refused (not billable). One whose lease ran out with no number anywhere
 * was held by a request that died around the exchange: WeChat may have used the code,
 * so it becomes billable (and stays retriable for its owner). In flight: left alone.
 */
/** A record its user noted as untouched by WeChat, still under the lease of that request. */
async function releaseIfUntouched(
  charge: { _id: string },
  untouched: Array<{ id: string; leaseUntil: Date }> | undefined,
  at: Date,
): Promise<boolean> {
  const note = untouched?.find((u) => u.id === charge._id);
  return note ? releaseUntouched(charge._id, new Date(note.leaseUntil), at) : false;
}

async function finishPending(at: Date): Promise<CheckReport['finished']> {
  const finished = { bound: 0, refused: 0, unknown: 0 };
  for (const charge of await pendingCharges(100)) {
    const user = await findUser(charge.openid);
    if (user?.phone?.chargeId === charge._id) {
      await finishFromUser(charge, user.phone, at);
      finished.bound += 1;
    } else if (user?.codeFailures?.refused?.includes(charge._id)) {
      if (await finishRefused(charge._id, at)) finished.refused += 1;
    } else if (await releaseIfUntouched(charge, user?.codeFailures?.untouched, at)) {
      // Nothing learnt from WeChat: ended retriable and uncounted (not in the report's figures).
    } else if (new Date(charge.leaseUntil).getTime() <= at.getTime() && (await abandonCharge(charge._id, at, at))) {
      finished.unknown += 1;
    }
  }
  return finished;
}

/** The configured kind, and any other used in the last 90 days. */
async function kindsInUse(settings: Settings, at: Date): Promise<PhoneKind[]> {
  const recent = await usageSince(lastChinaDays(at, 90)[0]!);
  const kinds = new Set<PhoneKind>([settings.phoneCapture.kind, ...recent.filter((d) => d.count > 0).map((d) => d.kind)]);
  return (['quick', 'realtime'] as const).filter((k) => kinds.has(k));
}

export async function runChecks(at: Date): Promise<CheckReport> {
  const finished = await finishPending(at);
  const recounted = await recountUncounted();
  let settings = await loadSettings();
  const rearmed = await rearmSpendIfDue(settings, at);
  if (rearmed) settings = await loadSettings();
  let tripped: string | null = await checkSpend(settings, at);

  const kinds = await kindsInUse(settings, at);
  const reconciliation = await reconcile(kinds, at);
  const alerts: CheckReport['alerts'] = [];
  // A fee-exempt account is not charged: no quota alerts, no quota breaker.
  for (const kind of settings.feeExempt ? [] : kinds) {
    const quota = await loadQuota(kind, at);
    const outlook = forecast(quota.state, quota.history, at);
    const alert = quotaAlert(quota.state, outlook, at, { lowPercent: quotaLowPercent(), lowDays: quotaLowDays() });
    if (alert) {
      const record = { at, day: chinaDay(at), kind, ...alert };
      if (await recordAlert(record)) alerts.push(record);
    }
    if (kind !== settings.phoneCapture.kind) continue;
    const wechat = reconciliation.status === 'ok' ? reconciliation.kinds.find((r) => r.kind === kind) : undefined;
    const remaining = wechat ? wechat.wechatRemaining : quota.state.remaining;
    const source = wechat ? "WeChat's usage API" : 'the quota ledger';
    if (remaining === 0 && (await tripBreaker((current) => quotaTrip(current, kind, `${source} shows no ${kind} quota left`))))
      tripped = 'quota-exhausted';
  }
  const after = await loadSettings();
  const report = { breakers: { rearmed, tripped, breaker: after.breaker }, alerts, reconciliation, recounted, finished };
  logEvent('info', { fn: 'cron', rearmed, tripped, alerts: alerts.length, reconciliation: reconciliation.status, recounted, finished });
  return report;
}
