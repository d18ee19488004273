/**
 * Tripping and re-arming the breaker on `settings/global`, each with its audit entry in
 * the same transaction: the mini program hides (or shows again) the phone button on its
 * next session, and admins see who (here: the system) changed what, when and why.
 */
import { db } from '../cloud';
import { now } from '../clock';
import { breakerInForce } from '../domain/breakers';
import { settingsFrom, type BreakerReason, type Settings } from '../domain/settings';
import { storedFields } from './settings';
import { writeAudit, type AuditEntry } from './audit';

async function writeBreaker(decide: (settings: Settings, at: Date) => Settings['breaker'] | null, note: string): Promise<boolean> {
  return db.runTransaction(async (tx) => {
    const at = now();
    const settings = settingsFrom((await tx.collection<Settings>('settings').doc('global').get()).data);
    const breaker = decide(settings, at);
    if (!breaker) return false;
    // Whole-document write: the transaction read it, so a concurrent change aborts us.
    await tx
      .collection('settings')
      .doc('global')
      .set({ data: storedFields({ ...settings, breaker, version: settings.version + 1, updatedAt: at, updatedBy: 'system' }) });
    const entry: AuditEntry = { at, by: 'system', field: 'breaker', from: settings.breaker, to: breaker, note };
    await writeAudit(tx, entry);
    return true;
  });
}

/**
 * Trips the breaker unless one is in force; returns whether this call tripped it. A
 * budget breaker left over from an earlier month is not in force and is replaced.
 */
export function tripBreaker(reason: BreakerReason, note: string): Promise<boolean> {
  return writeBreaker((settings, at) => (breakerInForce(settings.breaker, at) ? null : { tripped: true, reason, at }), note);
}

/** Re-arms the breaker if it is still tripped for `reason`; returns whether this call did. */
export function rearmBreaker(reason: BreakerReason, note: string): Promise<boolean> {
  return writeBreaker(
    (settings, at) => (settings.breaker.tripped && settings.breaker.reason === reason ? { tripped: false, reason: null, at } : null),
    note,
  );
}
