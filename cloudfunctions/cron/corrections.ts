/**
 * Unknown outcomes converge to WeChat's count: after a reconciliation that reached
 * WeChat, one correction entry per kind for this China-time month makes our counted
 * total plus every month's corrections equal WeChat's used figure
 * (data/usage-corrections.ts). Nothing is guessed per record: an abandoned send stays
 * `unknown-outcome` (counted only if its owner's resend settles it), and the entry
 * says how many such records stand behind the difference.
 */
import { chinaMonth } from '../_shared/domain/china-time';
import type { Reconciliation } from '../_shared/data/quota-reconciliations';
import { correctionId, correctionsOf, saveCorrection, type UsageCorrection } from '../_shared/data/usage-corrections';
import { countUnknownOutcomes } from '../_shared/data/phone-charges';
import type { ReconcileOutcome } from './reconcile';

/** This month's entry: what is still missing after the other months' entries. Pure. */
function correctionFor(r: Pick<Reconciliation, 'wechatUsed' | 'localCharges'>, others: number): number {
  return r.wechatUsed - r.localCharges - others;
}

export async function correctToWechat(outcome: ReconcileOutcome, at: Date): Promise<Array<Omit<UsageCorrection, '_id'>>> {
  if (outcome.status !== 'ok') return [];
  const month = chinaMonth(at);
  const booked: Array<Omit<UsageCorrection, '_id'>> = [];
  for (const r of outcome.kinds) {
    const others = (await correctionsOf(r.kind)).filter((c) => c.month !== month).reduce((sum, c) => sum + c.count, 0);
    const entry = {
      month,
      kind: r.kind,
      count: correctionFor(r, others),
      wechatUsed: r.wechatUsed,
      localCounted: r.localCharges,
      unknownRecords: await countUnknownOutcomes(r.kind),
      at,
    };
    await saveCorrection({ _id: correctionId(month, r.kind), ...entry });
    booked.push(entry);
  }
  return booked;
}
