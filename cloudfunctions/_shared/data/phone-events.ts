/**
 * `phone_events`: what the client reports of the phone button (denials, no quota,
 * failures). Anyone can call the report route, so each user keeps at most one report of
 * each type per minute: the document id is `<type>:<openid>:<minute>`, and a repeat is
 * refused by the database itself (a duplicate id), however many arrive at once.
 */
import { db, command as _ } from '../runtime/cloud';
import { isDuplicateKey } from '../runtime/db-errors';

import type { PhoneEventType } from '../../../miniprogram/contract';

interface PhoneEvent {
  openid: string;
  type: PhoneEventType;
  errno: number | null;
  errMsg: string | null;
  at: Date;
  day: string;
}

const MINUTE_MS = 60_000;

/** Stores the report unless this user already made one of this type this minute; returns whether it did. */
export async function recordPhoneEvent(event: PhoneEvent): Promise<boolean> {
  const _id = `${event.type}:${event.openid}:${Math.floor(event.at.getTime() / MINUTE_MS)}`;
  try {
    await db.collection<PhoneEvent>('phone_events').add({ data: { _id, ...event } });
    return true;
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}

/**
 * How many distinct users reported no quota since `since`, counted by the database (a
 * group stage), so no number of reports from one account can crowd others out of a page.
 */
export async function noQuotaReporters(since: Date): Promise<number> {
  const { list } = await db
    .collection('phone_events')
    .aggregate()
    .match({ type: 'no-quota', at: _.gte(since) })
    .group({ _id: '$openid' })
    .count('reporters')
    .end();
  return Number((list[0] as { reporters?: number } | undefined)?.reporters ?? 0);
}
