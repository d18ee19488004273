/**
 * `quota_reconciliations/<kind>`: the last comparison of WeChat's used count with the
 * charges we recorded. A difference is kept and shown to admins, never smoothed over.
 */
import { db } from '../runtime/cloud';
import type { PhoneKind } from '../domain/settings';

export interface Reconciliation {
  kind: PhoneKind;
  at: Date;
  /** Calls WeChat says were used, over all its packages of this kind. */
  wechatUsed: number;
  /** Charges of this kind in our ledger, all time. */
  localCharges: number;
  /** wechatUsed − localCharges: positive when WeChat counted charges we missed. */
  difference: number;
  /** What WeChat says is left now (all − effectiveUse). */
  wechatRemaining: number;
}

const reconciliations = () => db.collection<Reconciliation>('quota_reconciliations');

export async function saveReconciliation(r: Reconciliation): Promise<void> {
  await reconciliations().doc(r.kind).set({ data: r });
}

export async function loadReconciliation(kind: PhoneKind): Promise<Reconciliation | null> {
  return (await reconciliations().doc(kind).get()).data ?? null;
}
