/**
 * Tripping the breaker on `settings/global`, with its audit entry, in one transaction:
 * the mini program hides the phone button on its next session, and admins see who
 * (here: the system) changed what, when and why.
 */
import { db } from '../cloud';
import { now } from '../clock';
import { settingsFrom, type BreakerReason, type Settings } from '../domain/settings';
import { storedFields } from './settings';
import type { AuditEntry } from './audit';

/** Trips the breaker unless it already is; returns whether this call tripped it. */
export async function tripBreaker(reason: BreakerReason, note: string): Promise<boolean> {
  return db.runTransaction(async (tx) => {
    const at = now();
    const stored = (await tx.collection<Settings>('settings').doc('global').get()).data;
    const settings = settingsFrom(stored);
    if (settings.breaker.tripped) return false;
    const breaker = { tripped: true, reason, at };
    // Whole-document write: the transaction read it, so a concurrent change aborts us.
    await tx.collection('settings').doc('global').set({ data: storedFields({ ...settings, breaker, version: settings.version + 1, updatedAt: at, updatedBy: 'system' }) });
    const entry: AuditEntry = { at, by: 'system', field: 'breaker', from: settings.breaker, to: breaker, note };
    await tx.collection<AuditEntry>('settings_audit').add({ data: entry });
    return true;
  });
}
