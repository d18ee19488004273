/**
 * A kind's quota as of now: its packs (creating the trial on first need) with every
 * charge we counted applied in WeChat's order. Reads the kind's daily counters (one
 * document per day used, whatever the number of charges) and its packs.
 */
import { trialCalls } from '../config';
import { applyCharges, type LedgerState } from '../domain/quota-ledger';
import type { PhoneKind } from '../domain/settings';
import type { UsageDay } from '../domain/usage';
import { ensureTrial, listPacks, type QuotaPackDoc } from './quota-packs';
import { usageSince } from './usage';

export interface Quota {
  kind: PhoneKind;
  history: UsageDay[];
  state: LedgerState<QuotaPackDoc>;
}

/** Every day ever counted: the trial never expires, so all of history draws on it. */
const BEGINNING = '0000-01-01';

export async function loadQuota(kind: PhoneKind, at: Date): Promise<Quota> {
  const [history, packs] = await Promise.all([usageSince(BEGINNING, kind), listPacks(kind)]);
  if (!packs.some((p) => p.source === 'trial')) packs.push(await ensureTrial(kind, trialCalls(), history[0]?.day ?? null, at));
  return { kind, history, state: applyCharges(packs, history, at) };
}
