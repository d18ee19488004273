/**
 * `usage_daily/<day>:<kind>`: `{ day, kind, count }`, incremented with each charge so
 * summaries read one document per day instead of every charge.
 */
import { db, command as _, type Transaction } from '../runtime/cloud';
import { usageDayId } from '../domain/charge';
import type { UsageDay } from '../domain/usage';
import type { PhoneKind } from '../domain/settings';
import { isDuplicateKey } from '../runtime/db-errors';

const usage = () => db.collection('usage_daily');

/**
 * Adds one charge to the day's counter. One write when the day exists; the first
 * charge of a day creates it, and if two requests race to create it the loser
 * increments what the winner made.
 */
export async function countCharge(day: string, kind: PhoneKind): Promise<void> {
  const id = usageDayId(day, kind);
  const inc = () =>
    usage()
      .doc(id)
      .update({ data: { count: _.inc(1) } });
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

/** Daily counters from `startDay` on (two per day at most: quick and real-time), or of one kind. */
export async function usageSince(startDay: string, kind?: PhoneKind): Promise<UsageDay[]> {
  const out: UsageDay[] = [];
  for (let skip = 0; ; skip += PAGE) {
    const { data } = await db
      .collection<UsageDay>('usage_daily')
      .where(kind ? { day: _.gte(startDay), kind } : { day: _.gte(startDay) })
      .orderBy('day', 'asc')
      .skip(skip)
      .limit(PAGE)
      .field({ day: true, kind: true, count: true })
      .get();
    out.push(...data);
    if (data.length < PAGE) return out;
  }
}

/** Adds one charge to the day's counter inside `tx` (its snapshot decides create or increment). */
export async function countChargeIn(tx: Transaction, day: string, kind: PhoneKind): Promise<void> {
  const id = usageDayId(day, kind);
  const counter = tx.collection<UsageDay>('usage_daily').doc(id);
  if ((await counter.get()).data) await counter.update({ data: { count: _.inc(1) } });
  else await counter.set({ data: { day, kind, count: 1 } });
}
