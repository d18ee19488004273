/**
 * `phone_charges/<sha256(appid:code)>`: one record per code a client sent. Written
 * before WeChat is asked anything, so a charge is never lost whatever fails later; a
 * record is a charge (counted) only once WeChat showed the code real (domain/charge.ts).
 */
import { db, command as _ } from '../cloud';
import type { ChargeRecord, FailureReason, NotCountedReason } from '../domain/charge';
import { maskPhone } from '../domain/phone';
import { PRICE_FEN } from '../domain/pricing';
import type { PhoneKind } from '../domain/settings';
import { isDuplicateKey } from './errors';
import type { VerifiedPhone } from './users';

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
 * Hands a charge to the caller when someone else sent the code first and did not get
 * a number for it (WeChat refused them, or never answered, or their request died): a
 * code intercepted and sent by someone else must not lock its real owner out. Only
 * WeChat can tell whose it is, so the caller gets to ask. `from` is the sender read
 * just before, so two takeovers cannot both win. The kind becomes the caller's unless
 * the record was already counted under the first sender's.
 */
export async function claimForCaller(
  charge: Pick<ChargeRecord, '_id' | 'openid' | 'counted'>,
  caller: { openid: string; kind: PhoneKind; claimedKind: PhoneKind | null },
  now: Date,
  leaseMs: number,
): Promise<boolean> {
  const kindFields =
    charge.counted === true
      ? {}
      : {
          kind: caller.kind,
          costFen: PRICE_FEN[caller.kind],
          claimedKind: caller.claimedKind && caller.claimedKind !== caller.kind ? caller.claimedKind : null,
        };
  const res = await charges()
    .where(
      _.and([
        { _id: charge._id, openid: charge.openid },
        _.or([
          { exchange: 'failed', failure: _.in(['invalid-code', 'upstream', 'rate-limited', 'user-limit']) },
          { exchange: 'pending', leaseUntil: _.lte(now) },
        ]),
      ]),
    )
    .update({
      data: {
        openid: caller.openid,
        firstSentBy: charge.openid,
        ...kindFields,
        exchange: 'pending',
        leaseUntil: new Date(now.getTime() + leaseMs),
        updatedAt: now,
      },
    });
  return res.stats.updated === 1;
}

export interface ChargeUpdate {
  exchange: 'ok' | 'failed';
  failure: FailureReason | null;
  errcode: number | null;
  phoneMasked?: string;
  billable: boolean | null;
  maybeUsed: boolean;
  /** Left as it is when undefined. */
  counted?: boolean;
  notCounted?: NotCountedReason | null;
}

/** Ends an exchange: its outcome, what it means for the bill, and the lease released. */
export async function markCharge(id: string, change: ChargeUpdate, extra: { attempts: number; now: Date }): Promise<void> {
  const data: Record<string, unknown> = { ...change, attempts: _.inc(extra.attempts), updatedAt: extra.now, leaseUntil: extra.now };
  for (const key of Object.keys(data)) if (data[key] === undefined) delete data[key];
  await charges().doc(id).update({ data });
}

/** Records still `pending` (in flight, or left behind by a request that died), oldest first. */
export async function pendingCharges(limit: number): Promise<ChargeRecord[]> {
  const { data } = await charges().where({ exchange: 'pending' }).orderBy('chargedAt', 'asc').limit(limit).get();
  return data;
}

/**
 * A pending record whose number is on its user: the exchange succeeded and only the
 * record's own update was lost. Finishes it as the request would have (the counting
 * decision comes from the user's copy, so it is never counted twice).
 */
export async function finishFromUser(
  charge: ChargeRecord,
  phone: VerifiedPhone,
  at: Date,
): Promise<{ phoneMasked: string; counted: boolean }> {
  const phoneMasked = maskPhone(phone.phoneNumber);
  // Binds made before the flag existed counted before storing the number.
  const counted = charge.counted === true || phone.counted !== false;
  // Never writes `counted: false`: a recount may have counted it meanwhile, and the
  // recount itself only counts what is not `counted: true`.
  const billing = counted ? { counted: true, notCounted: null } : { notCounted: 'count-failed' as const };
  await markCharge(
    charge._id,
    { exchange: 'ok', failure: null, errcode: null, phoneMasked, billable: true, maybeUsed: charge.maybeUsed ?? false, ...billing },
    { attempts: 0, now: at },
  );
  return { phoneMasked, counted };
}

/**
 * A pending record its user's refusals list: WeChat refused the code and only the
 * record's own update was lost. Finished as refused: not billable, never counted.
 */
export async function finishRefused(id: string, at: Date): Promise<boolean> {
  const res = await charges()
    .where({ _id: id, exchange: 'pending' })
    .update({
      data: {
        exchange: 'failed',
        failure: 'invalid-code',
        errcode: 40029,
        billable: false,
        counted: false,
        notCounted: 'invalid-code',
        updatedAt: at,
        leaseUntil: at,
      },
    });
  return res.stats.updated === 1;
}

/**
 * A pending record its user's `untouched` list names: WeChat did not look at the code
 * (busy, 45011) and only the record's update was lost. Ended as that request would have
 * (retriable, nothing learnt, not counted) — only while it still carries the lease that
 * request held, so a later holder is never disturbed.
 */
export async function releaseUntouched(id: string, leaseUntil: Date, at: Date): Promise<boolean> {
  const res = await charges()
    .where({ _id: id, exchange: 'pending', leaseUntil })
    .update({ data: { exchange: 'failed', failure: 'upstream', errcode: null, updatedAt: at, leaseUntil: at } });
  return res.stats.updated === 1;
}

/**
 * A pending record with an expired lease and no number on its user: the request that
 * held it died somewhere around the exchange, so WeChat may have used the code — an
 * unknown outcome, which counts. Left retriable for its owner. False if someone
 * claimed it meanwhile.
 */
export async function abandonCharge(id: string, before: Date, at: Date): Promise<boolean> {
  const res = await charges()
    .where({ _id: id, exchange: 'pending', leaseUntil: _.lte(before) })
    .update({
      data: { exchange: 'failed', failure: 'upstream', errcode: null, billable: true, maybeUsed: true, updatedAt: at, leaseUntil: at },
    });
  return res.stats.updated === 1;
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
  // Two seeks on the chargedAt_id index, each reading about one page however deep the
  // cursor: the rest of the cursor's instant, then what is older. (One `$or` of both
  // may be planned as a scan from the newest charge down to the cursor.)
  const page = (where: Record<string, unknown>, n: number) =>
    charges()
      .where(where)
      .orderBy('chargedAt', 'desc')
      .orderBy('_id', 'desc')
      .limit(n)
      .field({ chargedAt: true, kind: true, phoneMasked: true, exchange: true })
      .get()
      .then((r) => r.data);
  const data = after ? await page({ chargedAt: after.at, _id: _.lt(after.id) }, limit + 1) : await page({}, limit + 1);
  if (after && data.length <= limit) data.push(...(await page({ chargedAt: _.lt(after.at) }, limit + 1 - data.length)));
  return { items: data.slice(0, limit), more: data.length > limit };
}
