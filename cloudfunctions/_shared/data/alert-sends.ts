/**
 * `alert_sends/<alert>:<openid>`: one alert message to one admin, recorded (`sending`)
 * in the transaction that spends the admin's credit, before WeChat is called, then
 * settled with WeChat's answer.
 */
import { db, type Transaction } from '../runtime/cloud';

export type SendStatus = 'sending' | 'sent' | 'refused' | 'failed' | 'unknown';

interface AlertSendDoc {
  _id: string;
  alertId: string;
  openid: string;
  templateId: string;
  status: SendStatus;
  errcode: number | null;
  at: Date;
}

export const sendIdOf = (alertId: string, openid: string) => `${alertId}:${openid}`;

/** Whether `tx`'s snapshot already holds this send. */
export async function sendExistsIn(tx: Transaction, id: string): Promise<boolean> {
  return Boolean((await tx.collection<AlertSendDoc>('alert_sends').doc(id).get()).data);
}

/** Records a send as `sending` inside `tx`, the transaction that spends the credit. */
export async function recordSendIn(tx: Transaction, send: AlertSendDoc): Promise<void> {
  const { _id, ...doc } = send;
  await tx.collection<AlertSendDoc>('alert_sends').doc(_id).set({ data: doc });
}

/** WeChat's answer to a send. */
export async function settleSend(id: string, status: SendStatus, errcode: number | null): Promise<void> {
  await db.collection('alert_sends').doc(id).update({ data: { status, errcode } });
}
