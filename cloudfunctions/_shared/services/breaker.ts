/**
 * Tripping and re-arming the breaker on `settings/global`, each with its audit entry in
 * the same transaction: the mini program hides (or shows again) the phone button on its
 * next session, and admins see who (here: the system) changed what, when and why.
 */
import { db } from '../runtime/cloud';
import { now } from '../runtime/clock';
import { breakerInForce, type Trip } from '../domain/breakers';
import type { BreakerReason, Settings } from '../domain/settings';
import { saveSettingsIn, settingsIn } from '../data/settings';
import { writeAudit, type AuditEntry } from '../data/settings-audit';

/** The breaker to write and the audit note for it, decided from the settings the transaction read. */
type BreakerChange = { breaker: Settings['breaker']; note: string } | null;

async function writeBreaker(decide: (settings: Settings, at: Date) => BreakerChange): Promise<BreakerChange> {
  return db.runTransaction(async (tx) => {
    const at = now();
    const settings = await settingsIn(tx);
    const change = decide(settings, at);
    if (!change) return null;
    const { breaker, note } = change;
    await saveSettingsIn(tx, { ...settings, breaker, version: settings.version + 1, updatedAt: at, updatedBy: 'system' });
    const entry: AuditEntry = { at, by: 'system', field: 'breaker', from: settings.breaker, to: breaker, note };
    await writeAudit(tx, entry);
    return change;
  });
}

/**
 * Trips the breaker unless one is in force, for the trip `decide` finds the settings
 * call for as the transaction reads them — the limits an admin set a moment ago, not
 * those the caller started with; returns the trip written, or null. A budget breaker
 * left over from an earlier month is not in force and is replaced.
 */
export async function tripBreaker(decide: (current: Settings) => Trip | null): Promise<Trip | null> {
  const change = await writeBreaker((settings, at) => {
    const trip = breakerInForce(settings.breaker, at) ? null : decide(settings);
    return trip && { breaker: { tripped: true, reason: trip.reason, at }, note: trip.note };
  });
  return change && { reason: change.breaker.reason!, note: change.note };
}

/** Re-arms the breaker if it is still tripped for `reason`; returns whether this call did. */
export async function rearmBreaker(reason: BreakerReason, note: string): Promise<boolean> {
  const change = await writeBreaker((settings, at) =>
    settings.breaker.tripped && settings.breaker.reason === reason ? { breaker: { tripped: false, reason: null, at }, note } : null,
  );
  return change !== null;
}
