/**
 * `usage_daily/<day>:<kind>`: `{ day, kind, count, counted }`, incremented with each charge
 * so summaries read one document per day instead of every charge. `counted` holds the
 * ids of the latest charges the counter includes (at most COUNTED_IDS_KEPT), written in
 * the same single-document update as the increment: whoever counts a charge — the
 * request, its retry, a replay, cron — adds it only if its id is not there, so an
 * increment whose answer was lost is never added again (docs/charges.md, "Counted once").
 */
import { db, command as _, type Transaction } from '../runtime/cloud';
import { usageDayId } from '../domain/charge';
import type { UsageDay } from '../domain/usage';
import type { PhoneKind } from '../domain/settings';
import { isDuplicateKey } from '../runtime/db-errors';

const usage = () => db.collection('usage_daily');

/**
 * How many charge ids a day's counter keeps, newest last. A charge whose increment's
 * answer was lost is recounted by cron within the hour; it would be counted twice only
 * if more than this many charges of its day and kind were counted in between. 1000
 * sha256 ids are about 66 KB; summaries never read them (usageSince's projection).
 */
export const COUNTED_IDS_KEPT = 1000;

/** The update that adds `chargeId` to a counter: +1, and the id onto the kept list. */
const addCharge = (chargeId: string) => ({ count: _.inc(1), counted: _.push({ each: [chargeId], slice: -COUNTED_IDS_KEPT }) });

/**
 * Adds one charge to the day's counter, unless the counter already includes it. One
 * conditional write when the day exists (the hot path); the first charge of a day
 * creates it, and if two requests race to create it the loser adds to what the winner
 * made. Idempotent, so a lost answer can simply be retried.
 */
export async function countCharge(day: string, kind: PhoneKind, chargeId: string): Promise<void> {
  const id = usageDayId(day, kind);
  // `counted: _.neq(id)` on an array: no element equals it (MongoDB's $ne), or no list yet.
  const add = () =>
    usage()
      .where({ _id: id, counted: _.neq(chargeId) })
      .update({ data: addCharge(chargeId) });
  if ((await add()).stats.updated === 1) return;
  // Nothing matched: no counter for the day yet, or it counted this charge already.
  try {
    await usage().add({ data: { _id: id, day, kind, count: 1, counted: [chargeId] } });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    await add(); // matches nothing when the counter already lists the charge
  }
}

/** Whether the day's counter lists `chargeId`: its increment landed, whatever its answer said. */
export async function counterLists(day: string, kind: PhoneKind, chargeId: string): Promise<boolean> {
  // An equality on an array field matches when any element equals it (MongoDB).
  const { total } = await usage()
    .where({ _id: usageDayId(day, kind), counted: chargeId })
    .count();
  return total > 0;
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

/**
 * Adds one charge to the day's counter inside `tx` (its snapshot decides create or
 * increment), unless the counter already lists it: an increment that landed with its
 * answer lost. False when it was there already.
 */
export async function countChargeIn(tx: Transaction, day: string, kind: PhoneKind, chargeId: string): Promise<boolean> {
  const id = usageDayId(day, kind);
  const counter = tx.collection<UsageDay & { counted?: string[] }>('usage_daily').doc(id);
  const { data } = await counter.get();
  if (data?.counted?.includes(chargeId)) return false;
  if (data) await counter.update({ data: addCharge(chargeId) });
  else await counter.set({ data: { day, kind, count: 1, counted: [chargeId] } });
  return true;
}
