/**
 * `phone_charges/<sha256(appid:code)>`: one record per code a client sent. Written
 * before WeChat is asked anything, so a charge is never lost whatever fails later; a
 * record is a charge (counted) only once WeChat showed the code real (domain/charge.ts).
 */
import { db, command as _, type Transaction } from '../runtime/cloud';
import type { ChargeRecord, FailureReason, NotCountedReason } from '../domain/charge';
import { maskPhone } from '../domain/phone';
import { PRICE_FEN } from '../domain/pricing';
import type { PhoneKind } from '../domain/settings';
import { isDuplicateKey } from '../runtime/db-errors';
import { withDbRetry } from '../runtime/db-retry';
import type { VerifiedPhone } from './users';

const charges = () => db.collection<ChargeRecord>('phone_charges');

/** Inserts the record; false when it already exists (a replay of the same code). */
async function insertCharge(charge: ChargeRecord): Promise<boolean> {
  try {
    await charges().add({ data: charge });
    return true;
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}

/**
 * Inserts the record, retrying transient failures; false when it already exists (a
 * replay). A duplicate met on a retry may be this request's own insert that landed
 * before its answer was lost: the record with this request's lease is ours.
 */
export async function recordCharge(charge: ChargeRecord): Promise<boolean> {
  return takeDurably('record charge', () => insertCharge(charge), { ...charge, holder: charge.sending?.holder ?? '' }, 4);
}

/**
 * A write that gives this request a record (its insert, a claim), retried on transient
 * failures. Such a write is conditional, so a retry after a lost answer matches nothing;
 * what tells its own write that landed is the record itself: pending under `mine.openid`
 * with the lease and the write-ahead's `holder` this request wrote. A claim left
 * unrecognised held the record for a request that had gone: the soak's stranger whose
 * lost takeover answer left him holding the owner's code, who then claimed it as a send
 * that may have gone out and locked the owner out of it.
 */
export async function takeDurably(
  what: string,
  take: () => Promise<boolean>,
  mine: Pick<ChargeRecord, '_id' | 'openid' | 'leaseUntil'> & { holder: string },
  tries: number,
): Promise<boolean> {
  let retried = false;
  return withDbRetry(
    what,
    async () => {
      const again = retried;
      retried = true;
      if (await take()) return true;
      if (!again) return false;
      const found = await findCharge(mine._id);
      return (
        found?.openid === mine.openid &&
        found.exchange === 'pending' &&
        found.sending?.holder === mine.holder &&
        new Date(found.leaseUntil).getTime() === new Date(mine.leaseUntil).getTime()
      );
    },
    tries,
  );
}

export async function findCharge(id: string): Promise<ChargeRecord | null> {
  return (await charges().doc(id).get()).data ?? null;
}

/**
 * What a claim writes besides the new holder: the next send's write-ahead, and — when
 * it takes over a record whose last send has no written outcome (pending, its holder
 * gone) — that WeChat may have used the code, unless that send's user note says WeChat
 * never looked at it (`untouched`).
 */
function claimFields(
  from: Pick<ChargeRecord, 'exchange' | 'sending' | 'attempts'>,
  now: Date,
  holder: string,
  untouched: boolean,
): Record<string, unknown> {
  const attempt = Math.max(from.sending?.attempt ?? 0, from.attempts ?? 0) + 1;
  return {
    // _.set: the SDK would write a nested object as dot paths, refused under a null `sending`.
    sending: _.set({ attempt, at: now, holder }),
    ...(from.exchange === 'pending' && !untouched ? { maybeUsed: true } : {}),
  };
}

/** How long a claim holds the record, and the random id of the request claiming it (`sending.holder`). */
export interface Lease {
  ms: number;
  holder: string;
}

/** The claimable state the record was read in: a claim wins only if it is still so. */
function stillAsRead(from: Pick<ChargeRecord, 'exchange'>, now: Date, failures: string[]): Record<string, unknown> {
  return from.exchange === 'pending' ? { exchange: 'pending', leaseUntil: _.lte(now) } : { exchange: 'failed', failure: _.in(failures) };
}

/**
 * Takes over the right to exchange a charge whose holder went away (its lease ran out)
 * or whose earlier exchange failed in a retriable way. Exactly one caller wins. `from`
 * is the record as read just before; `untouched`: the user's note says its last send
 * was answered without WeChat looking at the code.
 *
 * Only while it still belongs to whom it did when read: the claimer exchanges the code
 * as the record's owner. Without that, a stranger who took the record over and was
 * answered "busy" in between left it retriable under the stranger, the owner's claim
 * won it, and WeChat was asked for the owner's number as the stranger — a refusal that
 * ended the owner's billed code as the stranger's invalid one, uncounted.
 */
export async function claimCharge(
  from: Pick<ChargeRecord, '_id' | 'openid' | 'exchange' | 'sending' | 'attempts'>,
  now: Date,
  lease: Lease,
  untouched = false,
): Promise<boolean> {
  const res = await charges()
    .where({ _id: from._id, openid: from.openid, ...stillAsRead(from, now, ['upstream', 'rate-limited']) })
    .update({
      data: {
        exchange: 'pending',
        leaseUntil: new Date(now.getTime() + lease.ms),
        updatedAt: now,
        ...claimFields(from, now, lease.holder, untouched),
      },
    });
  return res.stats.updated === 1;
}

/**
 * Lets the caller exchange a charge someone else sent first and did not get a number
 * for (WeChat refused them, never answered, or their request died): a code intercepted
 * and sent by someone else must not lock its real owner out. Only WeChat can tell whose
 * it is, so the caller gets to ask. `charge` is the record read just before, so two
 * takeovers cannot both win. The kind stays the first sender's until WeChat gives the
 * caller the number (they may be the owner, whose tap WeChat billed); a pending record
 * whose send may have gone out (its holder died; `untouched`: that sender's note says
 * WeChat never looked) becomes maybe-used, as when its owner claims it.
 */
export async function claimForCaller(
  charge: Pick<ChargeRecord, '_id' | 'openid' | 'exchange' | 'sending' | 'attempts'>,
  caller: { openid: string },
  now: Date,
  lease: Lease,
  untouched = false,
): Promise<boolean> {
  const res = await charges()
    .where({
      _id: charge._id,
      openid: charge.openid,
      ...stillAsRead(charge, now, ['invalid-code', 'upstream', 'rate-limited', 'user-limit']),
    })
    .update({
      data: {
        openid: caller.openid,
        firstSentBy: charge.openid,
        exchange: 'pending',
        leaseUntil: new Date(now.getTime() + lease.ms),
        updatedAt: now,
        ...claimFields(charge, now, lease.holder, untouched),
      },
    });
  return res.stats.updated === 1;
}

export interface ChargeUpdate {
  /** Whose record it is: set when a takeover ends (the caller proved the owner, or it goes back). */
  openid?: string;
  firstSentBy?: string | null;
  /** The kind it is booked as, when a takeover's caller proved the owner. */
  kind?: PhoneKind;
  costFen?: number;
  claimedKind?: PhoneKind | null;
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

/**
 * Ends an exchange: its outcome, what it means for the bill, the write-ahead cleared and
 * the lease released — only while the record is still pending under `heldLease`, the
 * lease the writer holds (or read). So a retry after a lost answer changes nothing (the
 * first try released the lease), and a request whose record was taken over meanwhile
 * (a stranger's refusal retried after the owner claimed it) never overwrites the new
 * holder's outcome. False when nothing matched.
 */
export async function markCharge(
  id: string,
  heldLease: Date,
  change: ChargeUpdate,
  extra: { attempts: number; now: Date },
): Promise<boolean> {
  const data: Record<string, unknown> = {
    ...change,
    attempts: _.inc(extra.attempts),
    sending: null,
    updatedAt: extra.now,
    leaseUntil: extra.now,
  };
  for (const key of Object.keys(data)) if (data[key] === undefined) delete data[key];
  const res = await charges().where({ _id: id, exchange: 'pending', leaseUntil: heldLease }).update({ data });
  return res.stats.updated === 1;
}

/**
 * Records still `pending` (in flight, or left behind by a request that died), oldest
 * first, from `since` on (a keyset page: the caller skips the ids it has seen at that instant).
 */
export async function pendingCharges(limit: number, since: Date | null = null): Promise<ChargeRecord[]> {
  const where = since ? { exchange: 'pending', chargedAt: _.gte(since) } : { exchange: 'pending' };
  const { data } = await charges().where(where).orderBy('chargedAt', 'asc').limit(limit).get();
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
  // A takeover's caller proved the owner and was counted at their kind: the record follows.
  const booking = phone.kind && phone.kind !== charge.kind ? { kind: phone.kind, costFen: PRICE_FEN[phone.kind] } : {};
  await markCharge(
    charge._id,
    new Date(charge.leaseUntil),
    {
      exchange: 'ok',
      failure: null,
      errcode: null,
      phoneMasked,
      billable: true,
      maybeUsed: charge.maybeUsed ?? false,
      ...booking,
      ...billing,
    },
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
        sending: null,
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
    .update({ data: { exchange: 'failed', failure: 'upstream', errcode: null, sending: null, updatedAt: at, leaseUntil: at } });
  return res.stats.updated === 1;
}

/**
 * A pending record with an expired lease and no note anywhere: the request that held
 * it sent the code (the write-ahead) and then died or lost every write, so WeChat may
 * or may not have used the code. Not counted on a guess either way (a 45011 whose
 * notes were all lost would be a phantom; a used code a lost charge): it stays
 * retriable for its owner, whose resend settles it (a success, or a refusal that is
 * then our earlier attempt's use), and reconciliation with WeChat's figure accounts
 * for the rest. A record already billable keeps its billing. False if someone
 * claimed it meanwhile.
 */
export async function abandonCharge(charge: Pick<ChargeRecord, '_id' | 'billable'>, before: Date, at: Date): Promise<boolean> {
  const billing = charge.billable === true ? {} : { counted: false, notCounted: 'unknown-outcome' };
  const res = await charges()
    .where({ _id: charge._id, exchange: 'pending', leaseUntil: _.lte(before) })
    .update({
      data: { exchange: 'failed', failure: 'upstream', errcode: null, maybeUsed: true, ...billing, updatedAt: at, leaseUntil: at },
    });
  return res.stats.updated === 1;
}

/**
 * A pending record with an expired lease that the day's counter lists but whose flag
 * does not say counted: only the request's increment after WeChat gave the number
 * writes the list without the flag, so the number was given and lost with a request
 * that died before storing it. Ended as that request would have (`number-lost`,
 * billable, counted); the code is spent, a resend could only hear 40029. False if
 * someone claimed it meanwhile.
 */
export async function finishNumberLost(id: string, before: Date, at: Date): Promise<boolean> {
  const res = await charges()
    .where({ _id: id, exchange: 'pending', leaseUntil: _.lte(before) })
    .update({
      data: {
        exchange: 'failed',
        failure: 'number-lost',
        errcode: null,
        billable: true,
        counted: true,
        notCounted: null,
        sending: null,
        updatedAt: at,
        leaseUntil: at,
      },
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

/** Counted records of `kind` charged in [from, to): a day's part between two pack edges. */
export async function countCountedBetween(kind: PhoneKind, from: Date, to: Date): Promise<number> {
  const { total } = await charges()
    .where({ chargedAt: _.and([_.gte(from), _.lt(to)]), kind, counted: true })
    .count();
  return total;
}

/** Records of a kind whose outcome stays unknown (abandoned sends: see abandonCharge). */
export async function countUnknownOutcomes(kind: PhoneKind): Promise<number> {
  // counted/billable lead, so the counted_billable index serves it.
  const where = { counted: false, billable: null, notCounted: 'unknown-outcome', kind };
  return (await charges().where(where).count()).total;
}

/** Billable records usage_daily does not include (`counted` false, or null when the request could not say). */
const OWED = { billable: true, counted: _.in([false, null]) };

/**
 * Ids of records owed to the counters, at most `limit`. `counted: _.neq(true)` would be
 * what is meant, but no index serves a $ne; $in with null also matches a record
 * without the field (MongoDB), and counted_billable serves it.
 */
export async function owedCharges(limit: number): Promise<string[]> {
  const { data } = await charges().where(OWED).limit(limit).field({ _id: true }).get();
  return data.map((c) => c._id);
}

/** How many records are owed to the counters. */
export async function countOwedCharges(): Promise<number> {
  return (await charges().where(OWED).count()).total;
}

/** The record as `tx`'s snapshot holds it. */
export async function chargeIn(tx: Transaction, id: string): Promise<ChargeRecord | null> {
  return (await tx.collection<ChargeRecord>('phone_charges').doc(id).get()).data ?? null;
}

/** Marks the record counted inside `tx`, the transaction that adds it to usage_daily. */
export async function markCountedIn(tx: Transaction, id: string): Promise<void> {
  await tx
    .collection('phone_charges')
    .doc(id)
    .update({ data: { counted: true, notCounted: null } });
}
