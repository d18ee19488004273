/**
 * `auth.reportPhoneEvent { type, errno?, errMsg? }`: the client tells us what the phone
 * button did when it did not give a code. Denials are free but worth counting.
 *
 * A `no-quota` report (errno 1400001) is a claim anyone can make, so one user cannot
 * switch phone login off for everyone. The quota breaker trips only when the claim is
 * confirmed: reports from several distinct users within a window
 * (NO_QUOTA_REPORTS_TO_TRIP within NO_QUOTA_WINDOW_MINUTES), or our quota ledger shows
 * none left for the configured kind, or WeChat's usage API says so (when credentials
 * are configured). Otherwise the report is only recorded, for admins to see.
 */
import * as v from 'valibot';
import { route } from '../_shared/router';
import { now } from '../_shared/clock';
import { logEvent } from '../_shared/log';
import { noQuotaReportsToTrip, noQuotaWindowMinutes, wechatCredentials, wechatSpuId } from '../_shared/config';
import { chinaDay } from '../_shared/domain/china-time';
import { scrubDigits } from '../_shared/domain/phone';
import { noQuotaReporters, recordPhoneEvent } from '../_shared/data/phone-events';
import { tripBreaker } from '../_shared/data/breaker';
import { announceBreakerTrip } from '../_shared/data/alert-delivery';
import { loadQuota } from '../_shared/data/quota';
import { loadSettings } from '../_shared/data/settings';
import { fetchUsage } from '../_shared/wechat/usage-api';
import { WechatError } from '../_shared/wechat/http';

const input = v.object({
  type: v.picklist(['deny', 'no-quota', 'fail'], 'type must be "deny", "no-quota" or "fail"'),
  errno: v.optional(v.pipe(v.number('errno must be a number'), v.integer('errno must be an integer'))),
  errMsg: v.optional(v.pipe(v.string('errMsg must be a string'), v.maxLength(1000, 'errMsg is too long'))),
});

export const reportPhoneEvent = route(input, async ({ type, errno, errMsg }, { caller }) => {
  const openid = caller.openid;
  const at = now();
  // errMsg is free text from the client: keep it short and never let a number through.
  await recordPhoneEvent({
    openid,
    type,
    errno: errno ?? null,
    errMsg: errMsg ? scrubDigits(errMsg).slice(0, 200) : null,
    at,
    day: chinaDay(at),
  });

  if (type === 'no-quota') {
    const confirmation = await confirmNoQuota(at);
    if (confirmation && (await tripBreaker('quota-exhausted', confirmation))) {
      logEvent('warn', { fn: 'auth', route: 'reportPhoneEvent', breaker: 'quota-exhausted', confirmation });
      await announceBreakerTrip(at);
    }
  }
  return {};
});

/** Why the no-quota claim holds, cheapest evidence first; null when nothing confirms it. */
async function confirmNoQuota(at: Date): Promise<string | null> {
  const windowStart = new Date(at.getTime() - noQuotaWindowMinutes() * 60_000);
  const reporters = await noQuotaReporters(windowStart);
  if (reporters.length >= noQuotaReportsToTrip())
    return `${reporters.length} users reported no quota (errno 1400001) within ${noQuotaWindowMinutes()} minutes`;
  const settings = await loadSettings();
  // A fee-exempt account draws on no pack: an empty ledger or usage API proves nothing (reports from several users still do).
  if (settings.feeExempt) return null;
  const { kind } = settings.phoneCapture;
  if ((await loadQuota(kind, at)).state.remaining === 0) return `a user reported no quota and the quota ledger shows no ${kind} quota left`;
  const credentials = wechatCredentials();
  if (!credentials.ok) return null;
  try {
    const usage = await fetchUsage(credentials.appid, credentials.secret, wechatSpuId(kind));
    if (usage.all - usage.effectiveUse <= 0) return `a user reported no quota and WeChat's usage API shows no ${kind} quota left`;
  } catch (err) {
    logEvent('warn', { fn: 'auth', route: 'reportPhoneEvent', couldNotAskWechat: err instanceof WechatError ? err.message : String(err) });
  }
  return null;
}
