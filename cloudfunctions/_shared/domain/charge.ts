/**
 * The charge ledger's rules. A record is not a charge: every code a client sends is
 * recorded once under a deterministic id (so every retry, double submit or concurrent
 * request lands on the same record), but it is *counted* — in usage_daily, cost,
 * quota and the spending breakers — only once WeChat has shown the code was real: the
 * exchange succeeded, or its outcome is unknown (no answer in time, after which WeChat
 * may have used the code). A code WeChat refuses as invalid, expired, used or not this
 * user's is kept for audit with `counted: false` and never costs anything on our books.
 */
import { createHash } from 'node:crypto';
import { chinaDay, chinaMonth } from './china-time';
import { PRICE_FEN } from './pricing';
import type { ExchangeState } from '../../../miniprogram/contract';
import type { PhoneKind } from './settings';

/**
 * Why an exchange failed, and whether the same code may be tried again. `number-lost`:
 * WeChat answered but the number could not be stored (the code is spent, the charge
 * counted). `used-by-earlier-attempt`: WeChat refused the code as used after one of our
 * own earlier attempts went unanswered — that attempt used it, so it is counted, and
 * it is not the user's invalid code. `user-limit` only appears on records made before
 * the invalid-code limit replaced the per-user limit.
 */
export type FailureReason = 'invalid-code' | 'upstream' | 'rate-limited' | 'number-lost' | 'used-by-earlier-attempt' | 'user-limit';

/**
 * Why a record is not (yet) counted: WeChat refused the code; the increment failed
 * (cron counts it); or `unknown-outcome` — an exchange was sent and nothing durable
 * says how it ended (the request died or lost every write). Such a record is neither
 * counted nor dropped on a guess: a resend of the code settles it, and reconciliation
 * with WeChat's usage figure accounts for the rest (docs/charges.md).
 */
export type NotCountedReason = 'invalid-code' | 'count-failed' | 'unknown-outcome';

/**
 * The write-ahead of an exchange: set, durably, before the code goes to WeChat (the
 * record's insert for the first send, the claim for a later one), cleared when its
 * outcome is written. Still set on a record nobody holds: that send's outcome is unknown.
 */
interface Sending {
  /** Which send of this code it is (1 for the first request, 2 for a resend's, …). */
  attempt: number;
  at: Date;
  /**
   * A random id of the request that wrote it (absent on older records): how a retried
   * insert or claim recognises its own write that landed with its answer lost. The
   * caller and the lease are not enough: two sends of one user (a double tap) read and
   * claim in the same millisecond often enough for the soak to see it.
   */
  holder?: string;
}

export interface ChargeRecord {
  _id: string;
  appid: string;
  openid: string;
  kind: PhoneKind;
  /** List price in fen (integer). */
  costFen: number;
  chargedAt: Date;
  /** China-time day and month of the charge. */
  day: string;
  month: string;
  exchange: ExchangeState;
  failure: FailureReason | null;
  /** WeChat's errcode for a failed exchange, for admins. */
  errcode: number | null;
  /** Exchange attempts with WeChat whose outcome was written. */
  attempts: number;
  /** An exchange under way (write-ahead), or null once its outcome is written. Absent on older records. */
  sending?: Sending | null;
  /** Until when the request that holds the record may exchange it undisturbed. */
  leaseUntil: Date;
  /**
   * Whether WeChat billed it as far as we can tell: null until an exchange answers;
   * true once it succeeded or an attempt's outcome was unknown; false when WeChat
   * refused the code (invalid, expired, used, someone else's).
   */
  billable: boolean | null;
  /** Some attempt got no answer in time: WeChat may have used the code. */
  maybeUsed: boolean;
  /**
   * Whether usage_daily includes this record. Set together with `billable` by the
   * request that exchanged it; cron counts every `billable: true` record that is not
   * (in a transaction with this flag, so never twice).
   */
  counted: boolean | null;
  /** Why a record is not counted, for audit. */
  notCounted: NotCountedReason | null;
  /** The kind the client claimed when it differs from the one the server showed that user. */
  claimedKind: PhoneKind | null;
  /** The user who sent the code first when WeChat refused them and its owner took it over. */
  firstSentBy: string | null;
  phoneMasked: string | null;
  updatedAt: Date;
}

/** sha256 hex of `appid:code`: the code itself is never stored. */
export function chargeId(appid: string, code: string): string {
  return createHash('sha256').update(`${appid}:${code}`).digest('hex');
}

export function newCharge(input: {
  id: string;
  appid: string;
  openid: string;
  kind: PhoneKind;
  claimedKind?: PhoneKind | null;
  at: Date;
  leaseMs: number;
  holder: string;
}): ChargeRecord {
  return {
    _id: input.id,
    appid: input.appid,
    openid: input.openid,
    kind: input.kind,
    costFen: PRICE_FEN[input.kind],
    chargedAt: input.at,
    day: chinaDay(input.at),
    month: chinaMonth(input.at),
    exchange: 'pending',
    failure: null,
    errcode: null,
    attempts: 0,
    // The insert is the first send's write-ahead: the code goes to WeChat right after it.
    sending: { attempt: 1, at: input.at, holder: input.holder },
    leaseUntil: new Date(input.at.getTime() + input.leaseMs),
    billable: null,
    maybeUsed: false,
    counted: null,
    notCounted: null,
    claimedKind: input.claimedKind && input.claimedKind !== input.kind ? input.claimedKind : null,
    firstSentBy: null,
    phoneMasked: null,
    updatedAt: input.at,
  };
}

/** A failed exchange that a later call with the same (still valid) code may retry. */
export function isRetriable(charge: Pick<ChargeRecord, 'exchange' | 'failure'>): boolean {
  return charge.exchange === 'failed' && (charge.failure === 'upstream' || charge.failure === 'rate-limited');
}

/** usage_daily document id for a charge: "YYYY-MM-DD:quick". */
export function usageDayId(day: string, kind: PhoneKind): string {
  return `${day}:${kind}`;
}

/** WeChat refusing the code itself: invalid, expired, another user's, or already used (40163). */
export function isCodeRefusal(errcode: number | undefined): boolean {
  return errcode === 40029 || errcode === 40163;
}

/**
 * How WeChat's errcode for the code exchange maps to our handling. A refusal of a code
 * the record already calls billable (an earlier attempt of ours may have used it) is
 * that attempt's doing, not the user's invalid code.
 */
export function classifyExchangeError(errcode: number, billable: boolean | null = null): FailureReason {
  if (isCodeRefusal(errcode)) return billable === true ? 'used-by-earlier-attempt' : 'invalid-code';
  if (errcode === 45011) return 'rate-limited';
  return 'upstream';
}

/**
 * Whether an exchange's result makes the record billable: a success, or any attempt
 * whose outcome is unknown (WeChat may have used the code), however the last attempt
 * ended. null: nothing learnt (WeChat answered busy or rate-limited: it did not look
 * at the code). false: WeChat refused the code.
 */
export function billableAfter(
  result: { ok: boolean; errcode?: number; maybeUsed: boolean },
  before: { billable: boolean | null; maybeUsed: boolean },
): boolean | null {
  if (result.ok || result.maybeUsed || before.maybeUsed || before.billable === true) return true;
  if (isCodeRefusal(result.errcode)) return false;
  return before.billable;
}
