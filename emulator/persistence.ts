/**
 * Saving and loading the emulator's state under QUICKPHONE_DATA_DIR, so `npm start`
 * keeps data across restarts. Extended JSON keeps dates as dates. Writes go to a
 * temporary file first and are renamed into place, so a crash mid-write never leaves
 * a half-written state file.
 */
import { EJSON } from 'bson';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const STATE_FILE = 'state.json';

export function loadState<T>(dir: string): T | null {
  const file = join(dir, STATE_FILE);
  if (!existsSync(file)) return null;
  try {
    return EJSON.parse(readFileSync(file, 'utf8'), { relaxed: true }) as T;
  } catch (err) {
    // Refuse to start rather than start empty and overwrite the user's data on save.
    throw new Error(`cannot read saved emulator state ${file}: ${(err as Error).message}. Move the file aside to start with empty data.`);
  }
}

export function saveState(dir: string, state: unknown): void {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, STATE_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, EJSON.stringify(state, undefined, 1, { relaxed: true }));
  renameSync(tmp, file);
}
