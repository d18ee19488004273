/** `settings/global`: read by anyone, written only by the admin function and breakers. */
import { db, type Transaction } from '../runtime/cloud';
import { settingsFrom, type Settings } from '../domain/settings';
import { applySettingsPatch, type SettingChange, type SettingsPatch } from '../domain/settings-patch';
import { writeAudit, type AuditEntry } from './settings-audit';

export async function loadSettings(): Promise<Settings> {
  const res = await db.collection('settings').doc('global').get();
  return settingsFrom(res.data as Partial<Settings> | null);
}

type UpdateOutcome = { ok: true; settings: Settings; changes: SettingChange[] } | { ok: false; current: Settings };

/** The document as `tx`'s snapshot holds it (defaults where absent). */
export async function settingsIn(tx: Transaction): Promise<Settings> {
  return settingsFrom((await tx.collection<Settings>('settings').doc('global').get()).data);
}

/**
 * Writes the whole document inside `tx` (everything but `_id`, which a write may not
 * carry): the transaction read it, so a concurrent change aborts this one.
 */
export async function saveSettingsIn(tx: Transaction, settings: Settings): Promise<void> {
  const { _id: _ignored, ...fields } = settings;
  await tx.collection('settings').doc('global').set({ data: fields });
}

/**
 * Applies an admin's patch if `version` is still current, with one audit entry per
 * changed field, all in one transaction: a concurrent change makes the commit fail
 * and the SDK retries, now seeing the newer version.
 */
export async function updateSettings(version: number, patch: SettingsPatch, by: string, at: Date): Promise<UpdateOutcome> {
  return db.runTransaction(async (tx) => {
    const current = await settingsIn(tx);
    if (current.version !== version) return { ok: false, current };
    const { next, changes } = applySettingsPatch(current, patch, by, at);
    if (changes.length === 0) return { ok: true, settings: current, changes };
    await saveSettingsIn(tx, next);
    for (const change of changes) {
      const entry: AuditEntry = { at, by, field: change.field, from: change.from, to: change.to, note: null };
      await writeAudit(tx, entry);
    }
    return { ok: true, settings: next, changes };
  });
}
