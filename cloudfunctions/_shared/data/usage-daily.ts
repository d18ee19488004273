/**
 * `usage_daily/<day>:<kind>`: `{ day, kind, count }`, incremented with each charge so
 * summaries read one document per day instead of every charge.
 */
import { db, command as _ } from '../runtime/cloud';
import { usageDayId } from '../domain/charge';
import type { UsageDay } from '../domain/usage';
import type { ChargeRecord } from '../domain/charge';
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

/** How often a recount retries a transaction that conflicted with another writer. */
const TX_TRIES = 5;

function isTxConflict(err: unknown): boolean {
  // The SDK puts CloudBase's code (DATABASE_TRANSACTION_CONFLICT, or _FAIL once the
  // conflict ended the transaction) in errCode and its wording in the message.
  const e = (err ?? {}) as { message?: unknown; errCode?: unknown; errMsg?: unknown };
  const text = `${String(e.errCode ?? '')} ${String(e.message ?? '')} ${String(e.errMsg ?? '')} ${typeof err === 'string' ? err : ''}`;
  return /TRANSACTION_(CONFLICT|FAIL)|TransactionConflict|TransactionNotExist/i.test(text);
}

/**
 * Counts one billable record that usage_daily does not include yet, in a transaction
 * with its `counted` flag: whoever runs it (the charge path, cron), however often, the
 * record is counted once. Reads inside the transaction (its snapshot); a conflict with
 * a concurrent writer is retried on a fresh snapshot. True if this call counted it.
 */
export async function recountCharge(chargeId: string): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.runTransaction(async (tx) => {
        const charge = (await tx.collection<ChargeRecord>('phone_charges').doc(chargeId).get()).data;
        if (!charge || charge.billable !== true || charge.counted === true) return false;
        const id = usageDayId(charge.day, charge.kind);
        const day = (await tx.collection<UsageDay>('usage_daily').doc(id).get()).data;
        if (day)
          await tx
            .collection('usage_daily')
            .doc(id)
            .update({ data: { count: _.inc(1) } });
        else
          await tx
            .collection('usage_daily')
            .doc(id)
            .set({ data: { day: charge.day, kind: charge.kind, count: 1 } });
        await tx
          .collection('phone_charges')
          .doc(chargeId)
          .update({ data: { counted: true, notCounted: null } });
        return true;
      });
    } catch (err) {
      if (attempt >= TX_TRIES || !isTxConflict(err)) throw err;
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt + Math.floor(Math.random() * 30)));
    }
  }
}

/** Billable records usage_daily does not include (`counted` false, or null when the request could not say). */
const OWED = { billable: true, counted: _.in([false, null]) };

/**
 * Ids of records owed to the counters, at most `limit`. `counted: _.neq(true)` would be
 * what is meant, but no index serves a $ne; $in with null also matches a record
 * without the field (MongoDB), and counted_billable serves it.
 */
export async function owedCharges(limit: number): Promise<string[]> {
  const { data } = await db.collection<ChargeRecord>('phone_charges').where(OWED).limit(limit).field({ _id: true }).get();
  return data.map((c) => c._id);
}

/** How many records are owed to the counters. */
export async function countOwedCharges(): Promise<number> {
  return (await db.collection<ChargeRecord>('phone_charges').where(OWED).count()).total;
}
