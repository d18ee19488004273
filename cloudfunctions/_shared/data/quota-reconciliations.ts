/**
 * `quota_reconciliations/<kind>`: the last comparison of WeChat's used count with the
 * charges we recorded. A difference is kept and shown to admins, never smoothed over.
 */
import { db } from '../runtime/cloud';
import type { PhoneKind } from '../domain/settings';
import type { Reconciliation as ReconciliationOnTheWire } from '../../../miniprogram/contract';

/** The contract's reconciliation (miniprogram/contract/cron.ts) as stored, with a real date. */
export interface Reconciliation extends Omit<ReconciliationOnTheWire, 'at'> {
  at: Date;
}

const reconciliations = () => db.collection<Reconciliation>('quota_reconciliations');

export async function saveReconciliation(r: Reconciliation): Promise<void> {
  await reconciliations().doc(r.kind).set({ data: r });
}

export async function loadReconciliation(kind: PhoneKind): Promise<Reconciliation | null> {
  return (await reconciliations().doc(kind).get()).data ?? null;
}
