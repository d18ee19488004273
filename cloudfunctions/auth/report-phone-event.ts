/**
 * `auth.reportPhoneEvent { type, errno?, errMsg? }`: the client tells us what the phone
 * button did when it did not give a code. Denials are free but worth counting.
 *
 * A `no-quota` report (errno 1400001) is a claim anyone can make, so one user cannot
 * switch phone login off for everyone: the quota breaker trips only when reports come
 * from several distinct users within a window (NO_QUOTA_REPORTS_TO_TRIP within
 * NO_QUOTA_WINDOW_MINUTES). Confirmation from the quota ledger or WeChat's usage API
 * arrives with the usage work.
 */
import * as v from 'valibot';
import { route } from '../_shared/router';
import { requireOpenid } from '../_shared/identity';
import { now } from '../_shared/clock';
import { logEvent } from '../_shared/log';
import { noQuotaReportsToTrip, noQuotaWindowMinutes } from '../_shared/config';
import { chinaDay } from '../_shared/domain/china-time';
import { scrubDigits } from '../_shared/domain/phone';
import { noQuotaReporters, recordPhoneEvent } from '../_shared/data/phone-events';
import { tripBreaker } from '../_shared/data/breaker';

const input = v.object({
  type: v.picklist(['deny', 'no-quota', 'fail'], 'type must be "deny", "no-quota" or "fail"'),
  errno: v.optional(v.pipe(v.number('errno must be a number'), v.integer('errno must be an integer'))),
  errMsg: v.optional(v.pipe(v.string('errMsg must be a string'), v.maxLength(1000, 'errMsg is too long'))),
});

export const reportPhoneEvent = route(input, async ({ type, errno, errMsg }, { caller }) => {
  const openid = requireOpenid(caller);
  const at = now();
  // errMsg is free text from the client: keep it short and never let a number through.
  await recordPhoneEvent({ openid, type, errno: errno ?? null, errMsg: errMsg ? scrubDigits(errMsg).slice(0, 200) : null, at, day: chinaDay(at) });

  if (type === 'no-quota') {
    const windowStart = new Date(at.getTime() - noQuotaWindowMinutes() * 60_000);
    const reporters = await noQuotaReporters(windowStart);
    if (reporters.length >= noQuotaReportsToTrip()) {
      const tripped = await tripBreaker('quota-exhausted', `${reporters.length} users reported no quota (errno 1400001) within ${noQuotaWindowMinutes()} minutes`);
      if (tripped) logEvent('warn', { fn: 'auth', route: 'reportPhoneEvent', breaker: 'quota-exhausted', reporters: reporters.length });
    }
  }
  return {};
});
