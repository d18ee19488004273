/**
 * `admin.alerts.status` and `admin.alerts.subscribe { accepted }`: the caller's alert
 * subscription. The usage page asks `wx.requestSubscribeMessage` for ALERT_TEMPLATE_ID
 * on a tap (WeChat allows it only then) and reports the templates the admin accepted;
 * each acceptance is one message WeChat lets us send (docs/admin.md "Alerts").
 * Without ALERT_TEMPLATE_ID the feature is off: status says so, subscribing is refused.
 * A template id other than the configured one is INVALID_ARGUMENT and changes nothing.
 */
import * as v from 'valibot';
import { now } from '../_shared/runtime/clock';
import { alertTemplateFields, alertTemplateId } from '../_shared/runtime/config';
import { parseTemplateFields } from '../_shared/domain/alert-message';
import { AppError } from '../_shared/runtime/errors';
import { noParams, route } from '../_shared/runtime/router';
import { addCredit, allSubscriptions, subscriptionOf, type AlertSubscriptionDoc } from '../_shared/data/alert-subscriptions';

/** ALERT_TEMPLATE_FIELDS that cannot be read: nothing can be sent until it is fixed. */
function fieldsProblem(): { errcode: null; message: string; at: Date } | null {
  try {
    parseTemplateFields(alertTemplateFields());
    return null;
  } catch (err) {
    return { errcode: null, message: (err as Error).message, at: now() };
  }
}

/** What the caller holds, and what keeps alerts from being sent: the fields, or the last refusal any admin's send met. */
async function statusOf(openid: string, templateId: string | null, own?: AlertSubscriptionDoc) {
  if (!templateId) return { templateId: null, credits: 0, problem: null };
  const [mine, all] = await Promise.all([own ?? subscriptionOf(openid), allSubscriptions()]);
  const refusals = all
    .filter((s) => s.templateId === templateId && s.problem)
    .map((s) => ({ ...s.problem!, at: new Date(s.problem!.at) }))
    .sort((a, b) => b.at.getTime() - a.at.getTime());
  return { templateId, credits: mine?.templateId === templateId ? mine.credits : 0, problem: fieldsProblem() ?? refusals[0] ?? null };
}

export const alertsStatus = route(noParams, async (_input, { caller }) => statusOf(caller.openid, alertTemplateId()));

const subscribeInput = v.object({
  accepted: v.pipe(
    v.array(
      v.pipe(v.string('accepted must hold template ids'), v.minLength(1, 'is empty'), v.maxLength(128, 'is not a template id')),
      'accepted must be a list',
    ),
    // One wx.requestSubscribeMessage asks for at most 5 templates.
    v.minLength(1, 'accepted must name the template the admin accepted'),
    v.maxLength(5, 'accepted can hold at most 5 template ids'),
  ),
});

export const alertsSubscribe = route(subscribeInput, async ({ accepted }, { caller }) => {
  const openid = caller.openid;
  const templateId = alertTemplateId();
  if (!templateId) throw new AppError('INVALID_ARGUMENT', 'alerts are off: ALERT_TEMPLATE_ID is not configured');
  const unknown = accepted.find((id) => id !== templateId);
  if (unknown !== undefined)
    throw new AppError('INVALID_ARGUMENT', 'accepted: a template id that is not the configured ALERT_TEMPLATE_ID', {
      field: 'accepted',
    });
  // The same template twice in one answer is still one acceptance.
  return statusOf(openid, templateId, await addCredit(openid, templateId, now()));
});
