/** `phone_events`: what the client reports of the phone button (denials, no quota, failures). */
import { db, command as _ } from '../cloud';

export type PhoneEventType = 'deny' | 'no-quota' | 'fail';

export interface PhoneEvent {
  openid: string;
  type: PhoneEventType;
  errno: number | null;
  errMsg: string | null;
  at: Date;
  day: string;
}

export async function recordPhoneEvent(event: PhoneEvent): Promise<void> {
  await db.collection<PhoneEvent>('phone_events').add({ data: event });
}

/** Distinct users who reported no quota since `since`. */
export async function noQuotaReporters(since: Date): Promise<string[]> {
  const { data } = await db
    .collection<PhoneEvent>('phone_events')
    .where({ type: 'no-quota', at: _.gte(since) })
    .field({ openid: true })
    .limit(1000)
    .get();
  return [...new Set(data.map((e) => e.openid))];
}
