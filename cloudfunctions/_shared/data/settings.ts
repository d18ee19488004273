/** `settings/global`: read by anyone, written only by the admin function. */
import { db } from '../cloud';
import { settingsFrom, type Settings } from '../domain/settings';

export async function loadSettings(): Promise<Settings> {
  const res = await db.collection('settings').doc('global').get();
  return settingsFrom(res.data as Partial<Settings> | null);
}
