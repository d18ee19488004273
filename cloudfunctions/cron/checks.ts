/**
 * Everything cron does, in order: settle the charge records (settle.ts: finish those a
 * request left pending, count every billable record the charge path could not count),
 * re-arm or trip the spending breakers, reconcile with WeChat, then look at each kind's
 * quota — write alerts and trip the quota breaker when nothing is left (by WeChat's
 * figures when it just answered, else by our ledger), unless the account is fee-exempt.
 */
import { quotaLowDays, quotaLowPercent } from '../_shared/runtime/config';
import { logEvent } from '../_shared/runtime/log';
import { chinaDay, lastChinaDays } from '../_shared/domain/china-time';
import { forecast } from '../_shared/domain/forecast';
import { quotaAlert } from '../_shared/domain/quota-alerts';
import { quotaTrip } from '../_shared/domain/breakers';
import type { PhoneKind, Settings } from '../_shared/domain/settings';
import { recordAlert, type Alert } from '../_shared/data/quota-alerts';
import { tripBreaker } from '../_shared/services/breaker';
import { loadQuota } from '../_shared/services/quota';
import { loadSettings } from '../_shared/data/settings';
import { checkSpend, rearmSpendIfDue } from '../_shared/services/spend-breaker';
import { usageSince } from '../_shared/data/usage-daily';
import { reconcile, type ReconcileOutcome } from './reconcile';
import { runProviderFleet } from '../provider/fleet-cron';
import { sendAlertMessages } from './alert-messages';
import { settleCharges } from './settle';
import { correctToWechat } from './corrections';
import type { CheckReport as CheckReportOnTheWire } from '../../miniprogram/contract';

/**
 * The contract's report (miniprogram/contract/cron.ts) as this run holds it: the same
 * fields, with real dates in the parts that carry one.
 */
interface CheckReport extends Omit<CheckReportOnTheWire, 'breakers' | 'alerts' | 'reconciliation' | 'corrections'> {
  breakers: Omit<CheckReportOnTheWire['breakers'], 'breaker'> & { breaker: Settings['breaker'] };
  alerts: Array<Omit<Alert, '_id'>>;
  reconciliation: ReconcileOutcome;
  corrections: Awaited<ReturnType<typeof correctToWechat>>;
}

/** The configured kind, and any other used in the last 90 days. */
async function kindsInUse(settings: Settings, at: Date): Promise<PhoneKind[]> {
  const recent = await usageSince(lastChinaDays(at, 90)[0]!);
  const kinds = new Set<PhoneKind>([settings.phoneCapture.kind, ...recent.filter((d) => d.count > 0).map((d) => d.kind)]);
  return (['quick', 'realtime'] as const).filter((k) => kinds.has(k));
}

export async function runChecks(at: Date): Promise<CheckReport> {
  const { finished, recounted, remaining } = await settleCharges(at);
  let settings = await loadSettings();
  const rearmed = await rearmSpendIfDue(settings, at);
  if (rearmed) settings = await loadSettings();
  let tripped: string | null = await checkSpend(settings, at);

  const kinds = await kindsInUse(settings, at);
  const reconciliation = await reconcile(kinds, at);
  // Owed records left unsettled would be booked as this month's correction, then counted
  // next month as well: correct only once every owed record is counted.
  const corrections = remaining > 0 ? [] : await correctToWechat(reconciliation, at);
  const alerts: CheckReport['alerts'] = [];
  // A fee-exempt account is not charged: no quota alerts, no quota breaker.
  for (const kind of settings.feeExempt ? [] : kinds) {
    const quota = await loadQuota(kind, at);
    const outlook = forecast(quota.state, quota.history, at);
    const alert = quotaAlert(kind, quota.state, outlook, at, { lowPercent: quotaLowPercent(), lowDays: quotaLowDays() });
    if (alert) {
      const record = { at, day: chinaDay(at), kind, ...alert };
      if (await recordAlert(record)) alerts.push(record);
    }
    if (kind !== settings.phoneCapture.kind) continue;
    const wechat = reconciliation.status === 'ok' ? reconciliation.kinds.find((r) => r.kind === kind) : undefined;
    const quotaLeft = wechat ? wechat.wechatRemaining : quota.state.remaining;
    const source = wechat ? "WeChat's usage API" : 'the quota ledger';
    if (quotaLeft === 0 && (await tripBreaker((current) => quotaTrip(current, kind, `${source} shows no ${kind} quota left`))))
      tripped = 'quota-exhausted';
  }
  const providerFleet = await runProviderFleet(at);
  const after = await loadSettings();
  await sendAlertMessages(after, at);
  const report = {
    breakers: { rearmed, tripped, breaker: after.breaker },
    alerts,
    reconciliation,
    corrections,
    recounted,
    finished,
    remaining,
    providerFleet,
  };
  logEvent('info', {
    rearmed,
    tripped,
    alerts: alerts.length,
    reconciliation: reconciliation.status,
    recounted,
    finished,
    remaining,
  });
  return report;
}
