/**
 * The charge ledger's rules. WeChat bills when the button's success callback fires,
 * so a code the client sends us stands for one charge whatever happens next. Each
 * code is recorded once under a deterministic id, which makes every retry, double
 * submit or concurrent request land on the same record.
 */
import { createHash } from 'node:crypto';
import { chinaDay, chinaMonth } from './china-time';
import { PRICE_FEN } from './pricing';
import type { PhoneKind } from './settings';

export type ExchangeState = 'pending' | 'ok' | 'failed';

/** Why an exchange failed, and whether the same code may be tried again. */
export type FailureReason = 'invalid-code' | 'upstream' | 'rate-limited' | 'user-limit';

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
  /** Exchange attempts with WeChat. */
  attempts: number;
  /** Until when the request that holds the record may exchange it undisturbed. */
  leaseUntil: Date;
  /**
   * Whether usage_daily has counted this charge: null until the request that made it
   * says (unknown if it never could), false only when counting failed for sure — the
   * charges cron recounts.
   */
  counted: boolean | null;
  phoneMasked: string | null;
  updatedAt: Date;
}

/** sha256 hex of `appid:code`: the code itself is never stored. */
export function chargeId(appid: string, code: string): string {
  return createHash('sha256').update(`${appid}:${code}`).digest('hex');
}

export function newCharge(input: { id: string; appid: string; openid: string; kind: PhoneKind; at: Date; leaseMs: number }): ChargeRecord {
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
    leaseUntil: new Date(input.at.getTime() + input.leaseMs),
    counted: null,
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

/** How WeChat's errcode for the code exchange maps to our handling. */
export function classifyExchangeError(errcode: number): FailureReason {
  if (errcode === 40029) return 'invalid-code';
  if (errcode === 45011) return 'rate-limited';
  return 'upstream';
}
