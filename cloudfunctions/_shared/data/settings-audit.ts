/**
 * `settings_audit`: who changed which setting from what to what, when. The one module
 * that writes it; each entry is written inside the change's own transaction.
 */
import type { Transaction } from '../runtime/cloud';

export interface AuditEntry {
  at: Date;
  /** An admin's openid, or "system" for breakers. */
  by: string;
  field: string;
  from: unknown;
  to: unknown;
  note: string | null;
}

/** Records `entry` in the transaction that makes the change, so both happen or neither. */
export async function writeAudit(tx: Transaction, entry: AuditEntry): Promise<void> {
  await tx.collection<AuditEntry>('settings_audit').add({ data: entry });
}
