/**
 * Alerts delivered as subscribe messages: one message per alert per admin holding a
 * credit, never twice. An alert is claimed once (`alert_notices/<id>`): whoever sees it
 * first — the request whose charge tripped the breaker, or cron — sends it to the admins
 * credited at that moment, and nobody sends it again (an admin who subscribes later
 * hears of later alerts). For each admin, the credit is spent and the send recorded
 * (`alert_sends/<alert>:<openid>`) in one transaction before WeChat is called; then:
 *
 * - delivered: `sent`;
 * - 43101 (WeChat holds no subscription for them): `refused`, the credit given back;
 * - 47003 / 40037 / no way to call WeChat: `failed`, the credit given back, and the
 *   problem kept for admins to see (alerts.status): the template configuration is wrong;
 * - any other answer: `failed`, the credit given back;
 * - no answer: `unknown` — it may have arrived, so the credit stays spent.
 *
 * Never throws: an alert must not cost a login or a cron run.
 */
import { db } from '../runtime/cloud';
import { alertTemplateFields, alertTemplateId } from '../runtime/config';
import { errorDetail, logEvent } from '../runtime/log';
import { ALERT_PAGE, breakerNotice, parseTemplateFields, templateData, type AlertNotice } from '../domain/alert-message';
import { NO_PERMISSION_ERRCODE } from '../wechat/phone-number';
import {
  NO_SUBSCRIPTION,
  sendSubscribeMessage,
  TEMPLATE_DATA_INVALID,
  TEMPLATE_ID_INVALID,
  type SendOutcome,
} from '../wechat/subscribe-message';
import { isAdmin } from '../data/admins';
import { allSubscriptions, clearProblem, returnCredit, spendCreditIn, subscriptionIn, type SendProblem } from '../data/alert-subscriptions';
import { claimNotice } from '../data/alert-notices';
import { recordSendIn, sendExistsIn, sendIdOf, settleSend, type SendStatus } from '../data/alert-sends';
import { loadSettings } from '../data/settings';

/** Refusals that say the template configuration, not the admin, is wrong. */
const CONFIGURATION: Record<number, string> = {
  [TEMPLATE_DATA_INVALID]: 'WeChat refused the template data (47003): ALERT_TEMPLATE_FIELDS does not match the template ALERT_TEMPLATE_ID',
  [TEMPLATE_ID_INVALID]: "WeChat does not know ALERT_TEMPLATE_ID (40037): use a template from this mini program's 订阅消息 list",
  [NO_PERMISSION_ERRCODE]:
    'The cloud call subscribeMessage.send is not permitted (-604101) and WECHAT_APPID/WECHAT_APPSECRET are not set for the HTTPS API',
};

/** Spends one of the admin's credits and records the send, in one transaction; null when there is none to spend. */
async function spendCredit(alertId: string, openid: string, templateId: string, at: Date): Promise<string | null> {
  const sendId = sendIdOf(alertId, openid);
  const spent = await db.runTransaction(async (tx) => {
    const current = await subscriptionIn(tx, openid);
    if (!current || current.templateId !== templateId || current.credits < 1) return false;
    if (await sendExistsIn(tx, sendId)) return false;
    await spendCreditIn(tx, current, at);
    await recordSendIn(tx, { _id: sendId, alertId, openid, templateId, status: 'sending', errcode: null, at });
    return true;
  });
  return spent ? sendId : null;
}

async function settle(sendId: string, openid: string, outcome: SendOutcome, at: Date): Promise<SendStatus> {
  let status: SendStatus;
  if (outcome.ok) {
    status = 'sent';
    await clearProblem(openid);
  } else if (!outcome.answered) {
    status = 'unknown';
  } else {
    status = outcome.errcode === NO_SUBSCRIPTION ? 'refused' : 'failed';
    const message = CONFIGURATION[outcome.errcode];
    const problem: SendProblem | null = message ? { errcode: outcome.errcode, message, at } : null;
    await returnCredit(openid, problem);
  }
  await settleSend(sendId, status, outcome.ok ? null : outcome.errcode);
  return status;
}

/** One admin's message: credit, send, outcome. Null when there was nothing to send (no credit, no longer an admin, a failure logged). */
async function sendTo(notice: AlertNotice, openid: string, templateId: string, data: Record<string, { value: string }>, at: Date) {
  try {
    if (!(await isAdmin(openid))) return null;
    const sendId = await spendCredit(notice.id, openid, templateId, at);
    if (!sendId) return null;
    const outcome = await sendSubscribeMessage({ touser: openid, templateId, page: ALERT_PAGE, data });
    const status = await settle(sendId, openid, outcome, at);
    logEvent(status === 'sent' ? 'info' : 'warn', { alert: notice.id, send: status, errcode: outcome.ok ? null : outcome.errcode });
    return status;
  } catch (err) {
    logEvent('error', { alert: notice.id, send: sendIdOf(notice.id, openid), ...errorDetail(err) });
    return null;
  }
}

/**
 * Sends one alert to every credited admin, once; answers how each send ended. The
 * admins are served side by side: a trip announced from a login waits for one send,
 * not one per admin.
 */
export async function deliverAlert(notice: AlertNotice, at: Date): Promise<SendStatus[]> {
  const templateId = alertTemplateId();
  if (!templateId) return [];
  try {
    const data = templateData(notice, parseTemplateFields(alertTemplateFields()));
    if (!(await claimNotice(notice, at))) return [];
    const credited = (await allSubscriptions()).filter((s) => s.templateId === templateId && s.credits > 0);
    const statuses = await Promise.all(credited.map((sub) => sendTo(notice, sub._id, templateId, data, at)));
    return statuses.filter((s) => s !== null);
  } catch (err) {
    logEvent('error', { alert: notice.id, failedToDeliver: true, ...errorDetail(err) });
    return [];
  }
}

/** After a trip's transaction: tells credited admins the button is gone (the breaker as stored now). */
export async function announceBreakerTrip(at: Date): Promise<void> {
  try {
    const notice = breakerNotice((await loadSettings()).breaker);
    if (notice) await deliverAlert(notice, at);
  } catch (err) {
    logEvent('error', { alert: 'breaker', failedToDeliver: true, ...errorDetail(err) });
  }
}
