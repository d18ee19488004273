/**
 * When a no-quota report (errno 1400001) is believed. Any user can send one, so a claim
 * alone proves nothing; WeChat's own remaining count decides whenever we can read it
 * (docs/quota.md "No-quota reports"). Pure: the route gathers the facts.
 */
import type { PhoneKind } from './types';

/** What WeChat's usage API says is left of a kind right now. */
export type WechatCount =
  | { state: 'answered'; remaining: number }
  /** Another report asked this minute and its answer is not in yet: it decides. */
  | { state: 'asking' }
  | { state: 'unavailable'; why: string };

export interface NoQuotaFacts {
  kind: PhoneKind;
  /** A fee-exempt account draws on no pack: its ledger and usage API prove nothing. */
  feeExempt: boolean;
  /** null: no WeChat credentials configured. */
  wechat: WechatCount | null;
  ledgerRemaining: number;
  /** Distinct users who reported no quota within the window. */
  reporters: number;
  reportersToTrip: number;
  windowMinutes: number;
}

/**
 * WeChat's verdict, when its count decides: `{ note }` (the audit note, or null: quota
 * left, or another report is asking this minute); undefined when it cannot decide (a
 * fee-exempt account, no credentials, or the usage API failed) and our own evidence must.
 */
export function wechatVerdict(kind: PhoneKind, feeExempt: boolean, wechat: WechatCount | null): { note: string | null } | undefined {
  if (feeExempt || !wechat || wechat.state === 'unavailable') return undefined;
  // WeChat's count is the truth: when it answers, nothing else (not our ledger, not a crowd of accounts) overrides it.
  if (wechat.state === 'asking') return { note: null };
  return { note: wechat.remaining <= 0 ? `a user reported no quota and WeChat's usage API shows no ${kind} quota left` : null };
}

/** Our ledger shows none left (never for a fee-exempt account, which draws on no pack). */
export function ledgerVerdict(kind: PhoneKind, feeExempt: boolean, ledgerRemaining: number): string | null {
  return !feeExempt && ledgerRemaining <= 0 ? `a user reported no quota and the quota ledger shows no ${kind} quota left` : null;
}

/** Enough distinct users reported it within the window. */
export function reportersVerdict(reporters: number, reportersToTrip: number, windowMinutes: number): string | null {
  return reporters >= reportersToTrip ? `${reporters} users reported no quota (errno 1400001) within ${windowMinutes} minutes` : null;
}

/**
 * Why the claim holds (the audit note of the trip), or null when nothing confirms it:
 * WeChat's count when it decides, else the ledger, else the reporters — in that order,
 * so the route reads each fact only when the ones before did not decide.
 */
export function confirmNoQuota(f: NoQuotaFacts): string | null {
  const byWechat = wechatVerdict(f.kind, f.feeExempt, f.wechat);
  if (byWechat) return byWechat.note;
  return ledgerVerdict(f.kind, f.feeExempt, f.ledgerRemaining) ?? reportersVerdict(f.reporters, f.reportersToTrip, f.windowMinutes);
}
