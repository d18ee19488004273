/**
 * `auth.reportPhoneEvent { type, errno?, errMsg? }`: the client tells us what the phone
 * button did when it did not give a code. Denials are free but worth counting.
 *
 * A `no-quota` report (errno 1400001) is a claim anyone can make, so neither one user
 * nor a handful of accounts can switch phone login off for everyone. Each user's reports
 * are throttled (one per type per minute is stored; repeats do nothing). The quota
 * breaker trips only when the claim is confirmed (domain/no-quota.ts): by WeChat's own
 * remaining count when credentials are configured (asked at most once a minute per
 * kind, across containers), otherwise by our ledger showing none left or by reports
 * from NO_QUOTA_REPORTS_TO_TRIP distinct users within NO_QUOTA_WINDOW_MINUTES (counted
 * by the database). Otherwise the report is only recorded, for admins to see.
 */
import * as v from 'valibot';
import { route } from '../_shared/runtime/router';
import { now } from '../_shared/runtime/clock';
import type { Logger } from '../_shared/runtime/log';
import { noQuotaReportsToTrip, noQuotaWindowMinutes, wechatCredentials, wechatSpuId } from '../_shared/runtime/config';
import { chinaDay } from '../_shared/domain/china-time';
import { PHONE_BUTTON_ERRNOS } from '../_shared/domain/wechat-errcodes';
import { scrubDigits } from '../_shared/domain/phone';
import { noQuotaReporters, recordPhoneEvent } from '../_shared/data/phone-events';
import { tripBreaker } from '../_shared/services/breaker';
import { announceBreakerTrip } from '../_shared/services/alert-delivery';
import { loadQuota } from '../_shared/services/quota';
import { loadSettings } from '../_shared/data/settings';
import { wechatRemaining } from '../_shared/data/wechat-usage-checks';
import { quotaTrip } from '../_shared/domain/breakers';
import { ledgerVerdict, reportersVerdict, wechatVerdict, type WechatCount } from '../_shared/domain/no-quota';
import type { PhoneKind } from '../_shared/domain/settings';
import { fetchUsage } from '../_shared/wechat/usage-api';

const input = v.object({
  type: v.picklist(['deny', 'no-quota', 'fail'], 'type must be "deny", "no-quota" or "fail"'),
  errno: v.optional(
    v.pipe(
      v.number('errno must be a number'),
      v.integer('errno must be an integer'),
      v.check(
        (n) => PHONE_BUTTON_ERRNOS.includes(n),
        `errno must be one the phone button reports (${PHONE_BUTTON_ERRNOS.join(', ')}); send others in errMsg`,
      ),
    ),
  ),
  errMsg: v.optional(v.pipe(v.string('errMsg must be a string'), v.maxLength(1000, 'errMsg is too long'))),
});

export const reportPhoneEvent = route(input, async ({ type, errno, errMsg }, { caller, log }) => {
  const openid = caller.openid;
  const at = now();
  // errMsg is free text from the client: keep it short and never let a number through.
  const stored = await recordPhoneEvent({
    openid,
    type,
    errno: errno ?? null,
    errMsg: errMsg ? scrubDigits(errMsg).slice(0, 200) : null,
    at,
    day: chinaDay(at),
  });
  // A repeat within the minute adds nothing: no record, no question to WeChat.
  if (!stored || type !== 'no-quota') return {};

  const settings = await loadSettings();
  const { kind } = settings.phoneCapture;
  const evidence = await noQuotaEvidence(kind, settings.feeExempt, at, log);
  const trip = evidence && (await tripBreaker((current) => quotaTrip(current, kind, evidence)));
  if (trip) {
    log.warn({ breaker: trip.reason, confirmation: trip.note });
    await announceBreakerTrip(at);
  }
  return {};
});

/**
 * Why the claim holds, or null (domain/no-quota.ts): each fact read only when the ones
 * before it did not decide — WeChat's count, then the whole quota ledger, then the
 * reporters' aggregate — so a report WeChat's count settles reads neither of the last two.
 */
async function noQuotaEvidence(kind: PhoneKind, feeExempt: boolean, at: Date, log: Logger): Promise<string | null> {
  const byWechat = wechatVerdict(kind, feeExempt, feeExempt ? null : await askWechat(kind, at, log));
  if (byWechat) return byWechat.note;
  if (!feeExempt) {
    const byLedger = ledgerVerdict(kind, feeExempt, (await loadQuota(kind, at)).state.remaining);
    if (byLedger) return byLedger;
  }
  const windowMinutes = noQuotaWindowMinutes();
  const reporters = await noQuotaReporters(new Date(at.getTime() - windowMinutes * 60_000));
  return reportersVerdict(reporters, noQuotaReportsToTrip(), windowMinutes);
}

/** WeChat's remaining count of `kind` (cached a minute across containers); null without credentials. */
async function askWechat(kind: PhoneKind, at: Date, log: Logger): Promise<WechatCount | null> {
  const credentials = wechatCredentials();
  if (!credentials.ok) return null;
  const count = await wechatRemaining(kind, at, async () => {
    const usage = await fetchUsage(credentials.appid, credentials.secret, wechatSpuId(kind));
    return usage.all - usage.effectiveUse;
  });
  if (count.state === 'unavailable') log.warn({ couldNotAskWechat: count.why });
  return count;
}
