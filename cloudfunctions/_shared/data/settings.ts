/** `settings/global`: read by anyone, written only by the admin function and breakers. */
import { db } from '../runtime/cloud';
import { settingsFrom, type Settings } from '../domain/settings';
import { applySettingsPatch, type SettingChange, type SettingsPatch } from '../domain/settings-patch';
import { writeAudit, type AuditEntry } from './settings-audit';

export async function loadSettings(): Promise<Settings> {
  const res = await db.collection('settings').doc('global').get();
  return settingsFrom(res.data as Partial<Settings> | null);
}

export type UpdateOutcome = { ok: true; settings: Settings; changes: SettingChange[] } | { ok: false; current: Settings };

/** The document as stored: everything but `_id`, which a write may not carry. */
export function storedFields(settings: Settings): Omit<Settings, '_id'> {
  const { _id: _ignored, ...fields } = settings;
  return fields;
}

/**
 * Applies an admin's patch if `version` is still current, with one audit entry per
 * changed field, all in one transaction: a concurrent change makes the commit fail
 * and the SDK retries, now seeing the newer version.
 */
export async function updateSettings(version: number, patch: SettingsPatch, by: string, at: Date): Promise<UpdateOutcome> {
  return db.runTransaction(async (tx) => {
    const current = settingsFrom((await tx.collection<Settings>('settings').doc('global').get()).data);
    if (current.version !== version) return { ok: false, current };
    const { next, changes } = applySettingsPatch(current, patch, by, at);
    if (changes.length === 0) return { ok: true, settings: current, changes };
    await tx
      .collection('settings')
      .doc('global')
      .set({ data: storedFields(next) });
    for (const change of changes) {
      const entry: AuditEntry = { at, by, field: change.field, from: change.from, to: change.to, note: null };
      await writeAudit(tx, entry);
    }
    return { ok: true, settings: next, changes };
  });
}
