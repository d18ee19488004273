/**
 * `phone_charges/<sha256(appid:code)>`: one document per WeChat charge. Written before
 * WeChat is asked anything, so a charge is never lost whatever fails later.
 */
import { db, command as _ } from '../cloud';
import type { ChargeRecord, FailureReason } from '../domain/charge';
import { isDuplicateKey } from './errors';

const charges = () => db.collection<ChargeRecord>('phone_charges');

/** Inserts the record; false when it already exists (a replay of the same code). */
export async function insertCharge(charge: ChargeRecord): Promise<boolean> {
  try {
    await charges().add({ data: charge });
    return true;
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}

export async function findCharge(id: string): Promise<ChargeRecord | null> {
  return (await charges().doc(id).get()).data ?? null;
}

/**
 * Takes over the right to exchange a charge whose holder went away (its lease ran out)
 * or whose earlier exchange failed in a retriable way. Exactly one caller wins.
 */
export async function claimCharge(id: string, now: Date, leaseMs: number): Promise<boolean> {
  const res = await charges()
    .where(
      _.and([
        { _id: id },
        _.or([
          { exchange: 'pending', leaseUntil: _.lte(now) },
          { exchange: 'failed', failure: _.in(['upstream', 'rate-limited']) },
        ]),
      ]),
    )
    .update({ data: { exchange: 'pending', leaseUntil: new Date(now.getTime() + leaseMs), updatedAt: now } });
  return res.stats.updated === 1;
}

/**
 * Hands a charge to another user when the one who sent the code first was refused by
 * WeChat as not its owner: a code intercepted and sent by someone else must not lock
 * its real owner out. Only a charge that failed as an invalid code can move.
 */
export async function claimForCaller(id: string, openid: string, now: Date, leaseMs: number): Promise<boolean> {
  const res = await charges()
    .where({ _id: id, exchange: 'failed', failure: 'invalid-code', openid: _.neq(openid) })
    .update({ data: { openid, exchange: 'pending', leaseUntil: new Date(now.getTime() + leaseMs), updatedAt: now } });
  return res.stats.updated === 1;
}

/** Charges one user made on one China-time day (for the per-user limit). */
export async function countUserCharges(openid: string, day: string): Promise<number> {
  return (await charges().where({ openid, day }).count()).total;
}

export async function markCharge(
  id: string,
  change: { exchange: 'ok'; phoneMasked: string } | { exchange: 'failed'; failure: FailureReason; errcode: number | null },
  extra: { attempts: number; counted?: boolean; now: Date },
): Promise<void> {
  const data: Record<string, unknown> = { ...change, attempts: _.inc(extra.attempts), updatedAt: extra.now, leaseUntil: extra.now };
  if (change.exchange === 'ok') Object.assign(data, { failure: null, errcode: null });
  if (extra.counted !== undefined) data.counted = extra.counted;
  await charges().doc(id).update({ data });
}

export interface ChargePage {
  items: Array<Pick<ChargeRecord, '_id' | 'chargedAt' | 'kind' | 'phoneMasked' | 'exchange'>>;
  more: boolean;
}

/**
 * Charges newest first, after a position (`chargedAt`, `_id`) when paging: a keyset
 * cursor, so a page costs one read however deep it is.
 */
export async function pageCharges(limit: number, after: { at: Date; id: string } | null): Promise<ChargePage> {
  const where = after ? _.or([{ chargedAt: _.lt(after.at) }, { chargedAt: after.at, _id: _.lt(after.id) }]) : {};
  const { data } = await charges()
    .where(where)
    .orderBy('chargedAt', 'desc')
    .orderBy('_id', 'desc')
    .limit(limit + 1)
    .field({ chargedAt: true, kind: true, phoneMasked: true, exchange: true })
    .get();
  return { items: data.slice(0, limit), more: data.length > limit };
}
