/**
 * `alert_subscriptions/<openid>`: how many alert messages WeChat lets us send an admin.
 * A one-time subscription (一次性订阅) is one message per acceptance of
 * `wx.requestSubscribeMessage`; acceptances add up, and a credit belongs to the
 * template it was given for (a changed ALERT_TEMPLATE_ID starts again at 0). The last
 * refusal that needs an admin's hand (47003, 40037) is kept here until a send succeeds.
 */
import { db, command as _, type Transaction } from '../runtime/cloud';

export interface SendProblem {
  errcode: number;
  message: string;
  at: Date;
}

export interface AlertSubscriptionDoc {
  _id: string;
  templateId: string;
  credits: number;
  problem: SendProblem | null;
  updatedAt: Date;
}

/** Acceptances beyond this are not kept (assumed: WeChat states no ceiling; a loop should not grow it forever). */
const MAX_CREDITS = 50;

const subscriptions = () => db.collection<AlertSubscriptionDoc>('alert_subscriptions');

export async function subscriptionOf(openid: string): Promise<AlertSubscriptionDoc | null> {
  return (await subscriptions().doc(openid).get()).data ?? null;
}

/** Every admin's subscription (one per admin: a handful, one read). */
export async function allSubscriptions(): Promise<AlertSubscriptionDoc[]> {
  return (await subscriptions().limit(1000).get()).data;
}

/** One more credit for `templateId`, in a transaction so two taps at once both count. */
export async function addCredit(openid: string, templateId: string, at: Date): Promise<AlertSubscriptionDoc> {
  return db.runTransaction(async (tx) => {
    const doc = tx.collection<AlertSubscriptionDoc>('alert_subscriptions').doc(openid);
    const current = (await doc.get()).data;
    const held = current && current.templateId === templateId ? current.credits : 0;
    const next = {
      templateId,
      credits: Math.min(held + 1, MAX_CREDITS),
      problem: current?.templateId === templateId ? current.problem : null,
      updatedAt: at,
    };
    await doc.set({ data: next });
    return { _id: openid, ...next };
  });
}

/** The admin's subscription as `tx`'s snapshot holds it. */
export async function subscriptionIn(tx: Transaction, openid: string): Promise<AlertSubscriptionDoc | null> {
  return (await tx.collection<AlertSubscriptionDoc>('alert_subscriptions').doc(openid).get()).data ?? null;
}

/** Spends one credit of `held` inside `tx`, the transaction that records the send it pays for. */
export async function spendCreditIn(tx: Transaction, held: AlertSubscriptionDoc, at: Date): Promise<void> {
  await tx
    .collection('alert_subscriptions')
    .doc(held._id)
    .update({ data: { credits: held.credits - 1, updatedAt: at } });
}

/** Gives back a credit a send did not use (WeChat refused before delivering anything). */
export async function returnCredit(openid: string, problem: SendProblem | null): Promise<void> {
  await subscriptions()
    .doc(openid)
    .update({ data: { credits: _.inc(1), ...(problem ? { problem: _.set(problem) } : {}) } });
}

export async function clearProblem(openid: string): Promise<void> {
  await subscriptions()
    .doc(openid)
    .update({ data: { problem: null } });
}
