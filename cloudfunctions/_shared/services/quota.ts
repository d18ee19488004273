/**
 * A kind's quota as of now: its packs (creating the trial on first need) with every
 * charge we counted applied in WeChat's order. Reads the kind's daily counters (one
 * document per day used, whatever the number of charges) and its packs.
 *
 * `loadLedgers` does the same for both kinds at once, without writing (a missing trial
 * is taken as it would be created), for pricing: what each call cost depends on the
 * pack it drew from, so cost reads the whole ledger.
 */
import { trialCalls } from '../runtime/config';
import { applyCharges, type LedgerState } from '../domain/quota-ledger';
import type { PhoneKind } from '../domain/settings';
import type { UsageDay } from '../domain/usage';
import { ensureTrial, listAllPacks, listPacks, trialPack, type QuotaPackDoc } from '../data/quota-packs';
import { usageSince } from '../data/usage-daily';
import { splitAtPackEdges } from './day-parts';

interface Quota {
  kind: PhoneKind;
  history: UsageDay[];
  state: LedgerState<QuotaPackDoc>;
}

/** Every day ever counted: the trial never expires, so all of history draws on it. */
const BEGINNING = '0000-01-01';

export async function loadQuota(kind: PhoneKind, at: Date): Promise<Quota> {
  const [history, packs] = await Promise.all([usageSince(BEGINNING, kind), listPacks(kind)]);
  if (!packs.some((p) => p.source === 'trial')) packs.push(await ensureTrial(kind, trialCalls(), history[0]?.day ?? null, at));
  return { kind, history, state: applyCharges(packs, await splitAtPackEdges(kind, packs, history), at) };
}

interface Ledgers {
  /** Both kinds' daily counters, all of history. */
  history: UsageDay[];
  states: Record<PhoneKind, LedgerState<QuotaPackDoc>>;
}

/** Both kinds' ledgers in two reads (all counters, all packs; plus a count per part of a day a pack splits); writes nothing. */
export async function loadLedgers(at: Date): Promise<Ledgers> {
  const [history, packs] = await Promise.all([usageSince(BEGINNING), listAllPacks()]);
  const ledger = async (kind: PhoneKind) => {
    const days = history.filter((d) => d.kind === kind);
    const own = packs.filter((p) => p.kind === kind);
    if (!own.some((p) => p.source === 'trial')) own.push(trialPack(kind, trialCalls(), days[0]?.day ?? null, at));
    return applyCharges(own, await splitAtPackEdges(kind, own, days), at);
  };
  const [quick, realtime] = await Promise.all([ledger('quick'), ledger('realtime')]);
  return { history, states: { quick, realtime } };
}
