/**
 * `usage_daily/<day>:<kind>`: `{ day, kind, count }`, incremented with each charge so
 * summaries read one document per day instead of every charge.
 */
import { db, command as _ } from '../cloud';
import { usageDayId } from '../domain/charge';
import type { UsageDay } from '../domain/usage';
import type { PhoneKind } from '../domain/settings';
import { isDuplicateKey } from './errors';

const usage = () => db.collection('usage_daily');

/**
 * Adds one charge to the day's counter. One write when the day exists; the first
 * charge of a day creates it, and if two requests race to create it the loser
 * increments what the winner made.
 */
export async function countCharge(day: string, kind: PhoneKind): Promise<void> {
  const id = usageDayId(day, kind);
  const inc = () => usage().doc(id).update({ data: { count: _.inc(1) } });
  if ((await inc()).stats.updated === 1) return;
  try {
    await usage().add({ data: { _id: id, day, kind, count: 1 } });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    await inc();
  }
}

/** CloudBase answers at most 1000 documents per read from a server SDK. */
const PAGE = 1000;

/** Daily counters from `startDay` on (two per day at most: quick and real-time). */
export async function usageSince(startDay: string): Promise<UsageDay[]> {
  const out: UsageDay[] = [];
  for (let skip = 0; ; skip += PAGE) {
    const { data } = await db
      .collection<UsageDay>('usage_daily')
      .where({ day: _.gte(startDay) })
      .orderBy('day', 'asc')
      .skip(skip)
      .limit(PAGE)
      .field({ day: true, kind: true, count: true })
      .get();
    out.push(...data);
    if (data.length < PAGE) return out;
  }
}
