/**
 * `auth.bindPhone { code, kind? }`: record the code, exchange it for the user's
 * number, and count it as a charge only once WeChat has shown it was real. See
 * docs/charges.md for the order of writes, the states and why.
 *
 * 1. Read the user (the kind the server showed them, their invalid codes today) and
 *    the settings, together. A user past the invalid-code limit (or out of slots) gets
 *    RATE_LIMITED for a new code, and nothing is stored (but the refusal, once a day, on the user).
 * 2. Record the code under sha256(appid:code) before asking WeChat: a replay of the
 *    same code, by anyone, lands on the same record.
 * 3. Exchange the code with WeChat: one long wait; one retry on "busy" only (after a
 *    timeout WeChat may have used the code, and a retry could only hear 40029). A new
 *    code first takes an invalid-code slot (phone-code-slots.ts); its record is the send's write-ahead.
 * 4. Success: count it in usage_daily (once: the counter lists the charges it
 *    includes), store the number on the user (it exists nowhere else once the code is
 *    spent), then mark the record. Refused as invalid: keep the
 *    record uncounted, note the failure on the user. No answer: count it (WeChat may
 *    have used the code) in a transaction with the record's flag.
 */
import { randomUUID } from 'node:crypto';
import * as v from 'valibot';
import { route, type UserCaller } from '../_shared/runtime/router';
import { AppError } from '../_shared/runtime/errors';
import { now } from '../_shared/runtime/clock';
import { errorDetail, type Logger } from '../_shared/runtime/log';
import { phoneCodeFailuresPerUserPerDay } from '../_shared/runtime/config';
import {
  billableAfter,
  chargeId,
  classifyExchangeError,
  isCodeRefusal,
  isRetriable,
  newCharge,
  type ChargeRecord,
  type FailureReason,
} from '../_shared/domain/charge';
import { chinaDay } from '../_shared/domain/china-time';
import { maskPhone } from '../_shared/domain/phone';
import { bookedKind } from '../_shared/domain/phone-offer';
import { PRICE_FEN } from '../_shared/domain/pricing';
import type { PhoneKind, Settings } from '../_shared/domain/settings';
import {
  claimCharge,
  claimForCaller,
  findCharge,
  finishFromUser,
  finishRefused,
  markCharge,
  recordCharge,
  releaseUntouched,
  takeDurably,
  type Lease,
} from '../_shared/data/phone-charges';
import { countCharge } from '../_shared/data/usage-daily';
import { recountCharge } from '../_shared/services/charge-counting';
import { findUser, noteCodeFailure, noteCodeLimit, noteUntouched, updateUser, type UserDoc } from '../_shared/data/users';
import { loadSettings } from '../_shared/data/settings';
import { withDbRetry } from '../_shared/runtime/db-retry';
import { releaseCodeSlot, repairCodeSlots, takeCodeSlot, type CodeSlot } from '../_shared/data/phone-code-slots';
import { checkSpend } from '../_shared/services/spend-breaker';
import { exchangePhoneCode, NO_PERMISSION_ERRCODE, type ExchangeOutcome } from '../_shared/wechat/phone-number';

/** Longer than the function's 10 s timeout: a live request never loses its claim. */
const LEASE_MS = 15_000;
/** How long a replay waits for a concurrent request holding the same code. */
const WAIT_FOR_HOLDER_MS = 6_000;
const WAIT_STEP_MS = 150;

const input = v.object({
  code: v.pipe(v.string('code must be a string'), v.trim(), v.minLength(1, 'code must not be empty'), v.maxLength(512, 'code is too long')),
  kind: v.optional(v.picklist(['quick', 'realtime'], 'kind must be "quick" or "realtime"')),
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Failure = FailureReason | 'code-limit';

/**
 * -604101 means this deployment cannot exchange codes at all (auth lacks the cloud-call
 * permission and there are no credentials for HTTPS): another try changes nothing until
 * someone fixes the setup, so the message names the fix instead of "try again". The code
 * itself stays unused and bindable for its 5 minutes.
 */
const NOT_SET_UP =
  'Phone login is not set up in this environment: auth has no cloud-call permission (-604101: it was deployed by the CLI) ' +
  'and WECHAT_APPID and WECHAT_APPSECRET are not set. Upload auth once from WeChat DevTools (上传并部署), or set both and ' +
  'deploy again (npm run doctor checks it).';

function errorFor(failure: Failure | null, errcode?: number | null): AppError {
  if (errcode === NO_PERMISSION_ERRCODE) return new AppError('UPSTREAM_UNAVAILABLE', NOT_SET_UP);
  switch (failure) {
    case 'invalid-code':
    case 'number-lost':
      return new AppError('PHONE_CODE_INVALID', 'This phone code is invalid, expired or already used. Please tap the button again.');
    case 'used-by-earlier-attempt':
      // WeChat gives a code's number once; the attempt it gave it to got no answer in time.
      return new AppError(
        'PHONE_CODE_INVALID',
        'WeChat gave this code to an earlier attempt that was not answered in time, so the number was not received. Continue without it, or tap the button again.',
      );
    case 'rate-limited':
      // WeChat's 45011: nothing learnt about the code, which stays good for its 5 minutes.
      return new AppError('WECHAT_THROTTLED', 'WeChat is throttling phone verification right now; keep this code and send it again later.');
    case 'user-limit':
    case 'code-limit':
      return new AppError('RATE_LIMITED', 'Too many invalid phone codes from this user today.');
    default:
      return new AppError('UPSTREAM_UNAVAILABLE', 'WeChat did not answer; try again with the same code.');
  }
}

/** A write that must not be lost: the login path's database retry, with more tries. */
const persistently = <T>(what: string, write: () => Promise<T>, tries = 3): Promise<T> => withDbRetry(`bindPhone: ${what}`, write, tries);

/** The number's only copy: tried for about 2.5 s in all, well inside the function's 10 s. */
const STORE_PHONE_TRIES = 6;
/** Ending a record: a lost update leaves it pending for a replay or cron to finish. */
const MARK_TRIES = 4;

interface Caller {
  openid: string;
  /** This request's random id, written with its insert or claim (`sending.holder`). */
  holder: string;
  appid: string | null;
  /** The kind the server showed this user (or the configured one), and the client's differing claim. */
  kind: PhoneKind;
  claimedKind: PhoneKind | null;
  /** For the spending breakers; null when it could not be read (cron checks them hourly). */
  settings: Settings | null;
  /** The invalid-code slot this request took for a new code (given back unless WeChat refuses it). */
  slot: CodeSlot | null;
  /** The record as its first sender left it, when this request took it over from them. */
  from: ChargeRecord | null;
  /** The route's log (function, route and request on each line). */
  log: Logger;
}

/** Gives the request's invalid-code slot back when WeChat did not refuse its code; never costs the login. */
async function settleSlot(caller: Caller, refused: boolean): Promise<void> {
  const slot = caller.slot;
  if (!slot || refused) return;
  caller.slot = null;
  await withDbRetry('bindPhone: release slot', () => releaseCodeSlot(slot)).catch((err: unknown) =>
    caller.log.error({ failedToReleaseSlot: true, ...errorDetail(err) }),
  );
}

/** The user's second copy of "WeChat never looked at this record's code" under the lease it carries; never costs the answer. */
async function noteUntouchedPersistently(
  charge: Pick<ChargeRecord, '_id' | 'openid' | 'leaseUntil'>,
  appid: string | null,
  at: Date,
  log: Logger,
) {
  await persistently(
    'note untouched',
    () => noteUntouched(charge.openid, appid, chinaDay(at), charge._id, new Date(charge.leaseUntil)),
    STORE_PHONE_TRIES,
  ).catch((err: unknown) => log.error({ charge: charge._id, failedToNoteUntouched: true, ...errorDetail(err) }));
}

/** Trips a spending breaker a counted charge may have reached; never costs the login. */
async function checkSpendAfterCount(charge: ChargeRecord, caller: Caller, at: Date): Promise<void> {
  const settings = caller.settings;
  if (!settings) return;
  try {
    const tripped = await checkSpend(settings, at);
    if (tripped) caller.log.warn({ breaker: tripped });
  } catch (err) {
    caller.log.error({ charge: charge._id, failedToCheckSpend: true, ...errorDetail(err) });
  }
}

/** Counts a record earlier attempts made billable, exactly once (a transaction with its flag). */
async function countOwed(charge: ChargeRecord, caller: Caller, at: Date): Promise<void> {
  const counted = await recountCharge(charge._id).catch((err: unknown) => {
    caller.log.error({ charge: charge._id, failedToCount: charge.day, ...errorDetail(err) });
    return false;
  });
  if (counted) await checkSpendAfterCount(charge, caller, at);
}

/**
 * A caller who took over someone else's record and heard WeChat refuse the code: WeChat
 * refuses a code to anyone it was not issued to, so this says nothing about the first
 * sender's send. When that send may have used the code, the record goes back to its
 * first sender as it was — maybe used, billable (counted once), retriable by them — and
 * the refusal is the caller's own invalid code.
 */
async function handBack(charge: ChargeRecord, from: ChargeRecord, errcode: number, caller: Caller, at: Date, attempts: number) {
  const back = { openid: from.openid, firstSentBy: from.firstSentBy ?? null };
  const failed = { exchange: 'failed', failure: 'upstream', errcode, billable: true, maybeUsed: true } as const;
  await persistently(
    'hand back',
    () => markCharge(charge._id, charge.leaseUntil, { ...back, ...failed }, { attempts, now: at }),
    MARK_TRIES,
  ).catch((err: unknown) => caller.log.error({ charge: charge._id, failedToMark: 'handed back', ...errorDetail(err) }));
  if (charge.counted !== true) await countOwed(charge, caller, at);
  // Without the record's id: the record is not the caller's to finish as refused.
  await persistently('note refusal', () => noteCodeFailure(caller.openid, caller.appid, chinaDay(at), null), STORE_PHONE_TRIES).catch(
    (err: unknown) => caller.log.error({ charge: charge._id, failedToNoteFailure: true, ...errorDetail(err) }),
  );
  return errorFor('invalid-code');
}

/** Steps 3 and 4 for a record this request holds (its lease): exchange the code, then end the record whatever WeChat says. */
async function exchangeAndBind(charge: ChargeRecord, code: string, caller: Caller): Promise<{ phoneMasked: string }> {
  return endRecord(charge, await exchangePhoneCode(code, charge.openid), caller);
}

/** What an ending writes, read once WeChat has answered (or not). */
interface Ending {
  at: Date;
  billable: boolean | null;
  maybeUsed: boolean;
  attempts: { attempts: number; now: Date };
  owedBefore: boolean;
}

/** Step 4: the number bound and counted, or the refusal or the silence kept on the record. */
async function endRecord(charge: ChargeRecord, outcome: ExchangeOutcome, caller: Caller): Promise<{ phoneMasked: string }> {
  const at = now();
  if (!outcome.ok && caller.from && isCodeRefusal(outcome.errcode) && (charge.maybeUsed || charge.billable === true))
    throw await handBack(charge, caller.from, outcome.errcode, caller, at, outcome.attempts);
  const end: Ending = {
    at,
    billable: billableAfter(outcome, charge),
    maybeUsed: charge.maybeUsed || outcome.maybeUsed,
    attempts: { attempts: outcome.attempts, now: at },
    // Counted already (an earlier attempt's unknown outcome): never again. Billable before
    // but not counted: only through the transaction, which checks the flag.
    owedBefore: charge.billable === true && charge.counted !== true,
  };
  return outcome.ok ? bindNumber(charge, outcome, end, caller) : endUnbound(charge, outcome, end, caller);
}

/** WeChat refused the code or did not answer: the record says which, and the request gets the error. */
async function endUnbound(
  charge: ChargeRecord,
  outcome: Extract<ExchangeOutcome, { ok: false }>,
  { at, billable, maybeUsed, attempts }: Ending,
  caller: Caller,
): Promise<never> {
  const failure = classifyExchangeError(outcome.errcode, billable);
  const refused = billable === false;
  // Given back alongside the writes below, not before them.
  const slotBack = settleSlot(caller, refused);
  const marked = await persistently(
    'mark failed',
    () =>
      markCharge(
        charge._id,
        charge.leaseUntil,
        {
          exchange: 'failed',
          failure,
          errcode: outcome.errcode,
          billable,
          maybeUsed,
          ...(refused ? { counted: false, notCounted: 'invalid-code' as const } : {}),
        },
        attempts,
      ),
    MARK_TRIES,
  ).then(
    () => true,
    (err: unknown) => {
      caller.log.error({ charge: charge._id, failedToMark: 'failed', ...errorDetail(err) });
      return false;
    },
  );
  // Nothing learnt and the record still pending: without a second copy, cron would
  // take it for an abandoned request once the lease runs out (an unknown outcome, left
  // to reconciliation) instead of releasing it as untouched by WeChat.
  if (!marked && billable === null) await noteUntouchedPersistently(charge, caller.appid, at, caller.log);
  if (billable === true && charge.counted !== true) await countOwed(charge, caller, at);
  if (refused) {
    // The refusal's second copy: if the record's update was lost too, this note is what
    // tells a replay or cron it was refused (else, once its lease runs out, the record
    // looks abandoned — an unknown outcome, booked against WeChat's figure). Tried as long as the number is.
    await persistently(
      'note refusal',
      () => noteCodeFailure(charge.openid, caller.appid, chinaDay(at), charge._id),
      STORE_PHONE_TRIES,
    ).catch((err: unknown) => caller.log.error({ charge: charge._id, failedToNoteFailure: true, ...errorDetail(err) }));
  }
  await slotBack;
  throw errorFor(failure, outcome.errcode);
}

/** WeChat gave the number: counted once, stored on the user (its only copy), then the record marked. */
async function bindNumber(
  charge: ChargeRecord,
  outcome: Extract<ExchangeOutcome, { ok: true }>,
  { at, maybeUsed, attempts, owedBefore }: Ending,
  caller: Caller,
): Promise<{ phoneMasked: string }> {
  const phoneMasked = maskPhone(outcome.phone.phoneNumber);
  // Given back alongside the writes below: the number is stored without waiting for it.
  const slotBack = settleSlot(caller, false);
  // WeChat gave this caller the number: the code is theirs. A record that changed hands
  // (firstSentBy) may carry another sender's kind: it is booked at the caller's — unless
  // an earlier attempt already counted it under the kind it carries.
  const kind = charge.firstSentBy && charge.counted !== true ? caller.kind : charge.kind;
  const booking =
    kind === charge.kind ? {} : { kind, costFen: PRICE_FEN[kind], claimedKind: caller.claimedKind !== kind ? caller.claimedKind : null };
  // WeChat has shown the code was real: count it now, once. The increment lists the
  // charge on the day's counter, so if it landed with its answer lost, the recount of
  // the owed record (a replay's, cron's) finds it there and only marks the record. One
  // try: a failure leaves the record owed, counted within the hour.
  const counted =
    charge.counted === true ||
    (!owedBefore &&
      (await countCharge(charge.day, kind, charge._id).then(
        () => true,
        (err: unknown) => {
          caller.log.error({ charge: charge._id, failedToCount: charge.day, ...errorDetail(err) });
          return false;
        },
      )));
  // The spending breakers see a charge this request counted, alongside the writes below.
  const spendCheck = counted && charge.counted !== true ? checkSpendAfterCount(charge, caller, at) : Promise.resolve();
  try {
    // The code is spent: this answer is the only copy of the number. Keep it first,
    // with whether it was counted, so a lost record update can be finished exactly.
    const stored = await persistently(
      'store phone',
      () =>
        updateUser(charge.openid, caller.appid, {
          phone: { ...outcome.phone, kind, verifiedAt: at, chargeId: charge._id, counted },
        }),
      STORE_PHONE_TRIES,
    ).then(
      () => true,
      (err: unknown) => {
        caller.log.error({ charge: charge._id, lostPhone: phoneMasked, ...errorDetail(err) });
        return false;
      },
    );
    // Never `counted: false` here: a recount may have counted an owed record meanwhile.
    const billing = {
      ...booking,
      billable: true,
      maybeUsed,
      ...(counted ? { counted: true, notCounted: null } : { notCounted: 'count-failed' as const }),
    };
    await persistently(
      'mark ok',
      () =>
        markCharge(
          charge._id,
          charge.leaseUntil,
          stored
            ? { exchange: 'ok', failure: null, errcode: null, phoneMasked, ...billing }
            : { exchange: 'failed', failure: 'number-lost', errcode: null, ...billing },
          attempts,
        ),
      MARK_TRIES,
    ).catch((err: unknown) =>
      // The record stays pending: a replay or cron finishes it from the user's copy.
      caller.log.warn({ charge: charge._id, failedToMark: 'ok', ...errorDetail(err) }),
    );
    if (owedBefore) await countOwed(charge, caller, at);
    if (!stored) throw new AppError('UPSTREAM_UNAVAILABLE', 'Your number could not be saved; please tap the button again.');
  } finally {
    await Promise.all([spendCheck, slotBack]);
  }
  caller.log.info({ charge: charge._id, kind, phoneMasked });
  return { phoneMasked };
}

/**
 * The same code again: answer from the record, finish it, take it over, or wait for
 * whoever holds it. A request that found the record held by another request of the
 * same user answers with that request's outcome: concurrent sends get one answer.
 */
async function replay(id: string, code: string, caller: Caller): Promise<{ phoneMasked: string }> {
  // Elapsed real time, not a date: the wait is bounded by the function's own timeout,
  // which a test moving the product clock (now()) does not move.
  const deadline = Date.now() + WAIT_FOR_HOLDER_MS;
  let waited = false;
  for (;;) {
    const charge = await withDbRetry('bindPhone: read record', () => findCharge(id));
    if (!charge) throw new AppError('UPSTREAM_UNAVAILABLE', 'The charge record is not readable yet; try again with the same code.');
    const at = now();
    const held = charge.exchange === 'pending' && new Date(charge.leaseUntil).getTime() > at.getTime();
    if (charge.openid !== caller.openid) {
      if (charge.exchange === 'ok' || charge.failure === 'number-lost' || charge.failure === 'used-by-earlier-attempt')
        throw errorFor('invalid-code');
      // Someone else sent this code first: only WeChat can tell whose it is, so once
      // they are done (refused, unanswered, or gone) the caller gets to ask.
      const untouched = !held && (await firstSendUntouched(charge));
      if (!held && (await claimDurably(charge, caller, at, () => claimForCaller(charge, caller, at, leaseOf(caller), untouched)))) {
        // What the claim wrote, should the claimed record not be readable.
        const changes = {
          openid: caller.openid,
          firstSentBy: charge.openid,
          maybeUsed: charge.maybeUsed || (charge.exchange === 'pending' && !untouched),
        };
        return exchangeAndBind(await claimed(charge, at, changes), code, { ...caller, from: charge });
      }
    } else if (charge.exchange === 'ok' && charge.phoneMasked) {
      return { phoneMasked: charge.phoneMasked };
    } else if (charge.exchange === 'failed' && (waited || !isRetriable(charge))) {
      throw errorFor(charge.failure as Failure, charge.errcode);
    } else if (charge.exchange === 'pending') {
      // A request that stored the number but could not mark the record: finish it.
      const user = await withDbRetry('bindPhone: read user', () => findUser(caller.openid));
      if (user?.phone?.chargeId === id) {
        const { phoneMasked, counted } = await finishFromUser(charge, user.phone, at);
        if (!counted) await countOwed(charge, caller, at);
        return { phoneMasked };
      }
      // WeChat refused it and only the record's update was lost: finish it as refused.
      if (user?.codeFailures?.refused?.includes(id)) {
        await finishRefused(id, at);
        throw errorFor('invalid-code');
      }
      if (held) waited = true;
      else if (await claimDurably(charge, caller, at, () => claimCharge(charge, at, leaseOf(caller), wasUntouched(charge, user))))
        return exchangeAndBind(await claimed(charge, at), code, caller);
    } else if (await claimDurably(charge, caller, at, () => claimCharge(charge, at, leaseOf(caller)))) {
      return exchangeAndBind(await claimed(charge, at), code, caller);
    }
    if (Date.now() >= deadline)
      throw new AppError('UPSTREAM_UNAVAILABLE', 'This code is still being processed; try again shortly with the same code.');
    await sleep(WAIT_STEP_MS);
  }
}

/**
 * A claim (a compare-and-set) tried as the marks are: a claim that landed with its
 * answer lost is recognised by the caller and the lease it wrote, and carried on.
 */
function claimDurably(charge: ChargeRecord, caller: Caller, at: Date, claim: () => Promise<boolean>): Promise<boolean> {
  const mine = { _id: charge._id, openid: caller.openid, leaseUntil: new Date(at.getTime() + LEASE_MS), holder: caller.holder };
  return takeDurably('bindPhone: claim', claim, mine, MARK_TRIES);
}

const leaseOf = (caller: Caller): Lease => ({ ms: LEASE_MS, holder: caller.holder });

/** A pending record's first sender noted that WeChat never looked at its last send (nothing to read for a failed one). */
async function firstSendUntouched(charge: ChargeRecord): Promise<boolean> {
  if (charge.exchange !== 'pending') return false;
  return wasUntouched(charge, await withDbRetry('bindPhone: read first sender', () => findUser(charge.openid)));
}

/** The user's note says this record's last send was answered without WeChat looking at the code. */
function wasUntouched(charge: ChargeRecord, user: UserDoc | null): boolean {
  const leaseUntil = new Date(charge.leaseUntil).getTime();
  return Boolean(user?.codeFailures?.untouched?.some((u) => u.id === charge._id && new Date(u.leaseUntil).getTime() === leaseUntil));
}

/**
 * The record as it is now that this request holds it (its billing fields decide the
 * counting). If it cannot be read, the copy read just before the claim will do: this
 * request holds the lease now, and leaving it unexchanged would strand the record.
 */
async function claimed(before: ChargeRecord, at: Date, changes: Partial<ChargeRecord> = {}): Promise<ChargeRecord> {
  const fresh = await withDbRetry('bindPhone: read claimed record', () => findCharge(before._id)).catch(() => null);
  // The lease the claim wrote: the one this request's marks are conditional on.
  return fresh ?? { ...before, ...changes, exchange: 'pending', leaseUntil: new Date(at.getTime() + LEASE_MS) };
}

/**
 * The kind WeChat billed this user for: the one the server showed them — the client's
 * claim when the server offered this user that kind recently (another of their phones),
 * else the latest offer — or else the configured one.
 */
function kindFor(user: UserDoc | null, settings: Settings | null, claimed: PhoneKind | null, at: Date): PhoneKind {
  const kind = bookedKind(user?.phoneOffer, claimed, at) ?? settings?.phoneCapture.kind;
  if (kind) return kind;
  // Neither could be read: the client's word is no price; it retries with the same code.
  throw new AppError('UPSTREAM_UNAVAILABLE', 'Could not read the settings right now; try again with the same code.');
}

/** RATE_LIMITED for a new code from a user past the invalid-code limit (a code they already sent is answered from its record). */
async function refuseForLimit(id: string, openid: string, day: string, at: Date, failures: number, log: Logger): Promise<void> {
  const existing = await withDbRetry('bindPhone: read record', () => findCharge(id));
  if (existing?.openid === openid) return;
  if (await noteCodeLimit(openid, day, at).catch(() => false)) log.warn({ codeLimit: day, failures });
  throw errorFor('code-limit');
}

/**
 * The invalid-code limit: the user's refusals today (one read, no write, for a user
 * known to be past it), then a slot taken atomically (phone-code-slots.ts) so concurrent
 * codes cannot all slip past a count none of them has raised yet. Slots all taken but
 * not all refused: slots never given back (a lost release, a request that died) are
 * repaired once no request can still hold one — the last take a lease ago, before this
 * request read the user — and the slot taken again. Null: no slot taken (a code this
 * user already sent).
 */
async function slotForNewCode(
  user: UserDoc | null,
  id: string,
  openid: string,
  day: string,
  at: Date,
  log: Logger,
): Promise<CodeSlot | null> {
  const limit = phoneCodeFailuresPerUserPerDay();
  const failures = user?.codeFailures?.day === day ? user.codeFailures.count : 0;
  if (failures >= limit) {
    await refuseForLimit(id, openid, day, at, failures, log);
    return null;
  }
  const take = () => withDbRetry('bindPhone: take slot', () => takeCodeSlot(openid, day, limit, failures === 0, at));
  let slot = await take();
  const quietSince = new Date(at.getTime() - LEASE_MS);
  if (!slot && (await withDbRetry('bindPhone: repair slots', () => repairCodeSlots(openid, day, failures, quietSince))))
    slot = await take();
  if (!slot) await refuseForLimit(id, openid, day, at, failures, log);
  return slot;
}

/**
 * The record's insert failed for good, so its code was never sent — but the insert may
 * have landed with every answer lost, leaving a record that looks like a send in flight
 * (its write-ahead). Ended as untouched by WeChat (retriable, nothing learnt), or, if
 * that write fails too, noted so on the user: never taken for a maybe-used code.
 */
async function releaseUnsent(charge: ChargeRecord, appid: string | null, log: Logger): Promise<void> {
  const at = now();
  await persistently('release unsent', () => releaseUntouched(charge._id, charge.leaseUntil, at), MARK_TRIES).catch(() =>
    noteUntouchedPersistently(charge, appid, at, log),
  );
}

/**
 * Step 1: who is asking, read together with the settings (the kind they were shown, or
 * the configured one, and the spending breakers), and an invalid-code slot for a new
 * code — RATE_LIMITED past the limit, with nothing stored.
 */
async function readCaller(id: string, caller: UserCaller, claimedKind: PhoneKind | null, at: Date, log: Logger): Promise<Caller> {
  const openid = caller.openid;
  // One round trip: who the user is (the kind shown to them, their invalid codes
  // today) and the settings (the kind otherwise, and the spending breakers).
  const [user, settings] = await Promise.all([
    withDbRetry('bindPhone: read user', () => findUser(openid)),
    withDbRetry('bindPhone: read settings', loadSettings).catch((err: unknown) => {
      log.error({ failedToLoadSettings: true, ...errorDetail(err) });
      return null;
    }),
  ]);
  const kind = kindFor(user, settings, claimedKind, at);
  const slot = await slotForNewCode(user, id, openid, chinaDay(at), at, log);
  return { openid, holder: randomUUID(), appid: caller.appid, kind, claimedKind, settings, slot, from: null, log };
}

/** Step 2: the record, before WeChat is asked; false when it exists already (a replay of the same code). */
async function recordCode(charge: ChargeRecord, caller: Caller): Promise<boolean> {
  const recorded = await recordCharge(charge).catch(async (err: unknown) => {
    // Nothing was sent: the slot goes back, and a record that landed unanswered says so.
    await Promise.all([settleSlot(caller, false), releaseUnsent(charge, caller.appid, caller.log)]);
    throw err;
  });
  if (!recorded) await settleSlot(caller, false); // a replay: its first send took the slot
  return recorded;
}

export const bindPhone = route(input, async ({ code, kind: claimedKind }, { caller, log }) => {
  try {
    const id = chargeId(caller.appid ?? '', code);
    const at = now();
    const who = await readCaller(id, caller, claimedKind ?? null, at, log);
    const charge = newCharge({
      id,
      appid: caller.appid ?? '',
      openid: who.openid,
      kind: who.kind,
      claimedKind,
      at,
      leaseMs: LEASE_MS,
      holder: who.holder,
    });
    if (!(await recordCode(charge, who))) return await replay(id, code, { ...who, slot: null });
    return await exchangeAndBind(charge, code, who);
  } catch (err) {
    if (err instanceof AppError) throw err;
    // A database failure: nothing is lost (the record is written first or not at all),
    // so the client can safely retry with the same code.
    log.error({ ...errorDetail(err) });
    throw new AppError('UPSTREAM_UNAVAILABLE', 'Could not save right now; try again with the same code.');
  }
});
