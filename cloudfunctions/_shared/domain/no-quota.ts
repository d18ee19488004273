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

/** Why the claim holds (the audit note of the trip), or null when nothing confirms it. */
export function confirmNoQuota(f: NoQuotaFacts): string | null {
  const wechat = f.feeExempt ? null : f.wechat;
  // WeChat's count is the truth: when it answers, nothing else (not our ledger, not a crowd of accounts) overrides it.
  if (wechat?.state === 'answered')
    return wechat.remaining <= 0 ? `a user reported no quota and WeChat's usage API shows no ${f.kind} quota left` : null;
  if (wechat?.state === 'asking') return null;
  // No answer from WeChat (not configured, or it failed): the evidence we have.
  if (!f.feeExempt && f.ledgerRemaining <= 0) return `a user reported no quota and the quota ledger shows no ${f.kind} quota left`;
  if (f.reporters >= f.reportersToTrip) return `${f.reporters} users reported no quota (errno 1400001) within ${f.windowMinutes} minutes`;
  return null;
}
