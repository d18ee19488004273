/**
 * Saving and loading the emulator's state under QUICKPHONE_DATA_DIR, so `npm start`
 * keeps data across restarts. Extended JSON keeps dates as dates. Writes go to a
 * temporary file first and are renamed into place, so a crash mid-write never leaves
 * a half-written state file.
 */
import { EJSON } from 'bson';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

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

/** An export for `npm start -- --import PATH`: a folder holding state.json, or a .json file. */
export function readExport<T>(path: string): T {
  if (!existsSync(path)) throw new Error(`--import: ${path} does not exist`);
  if (statSync(path).isDirectory()) {
    const state = loadState<T>(path);
    if (!state) throw new Error(`--import: no ${STATE_FILE} in ${path}`);
    return state;
  }
  try {
    return EJSON.parse(readFileSync(path, 'utf8'), { relaxed: true }) as T;
  } catch (err) {
    throw new Error(`--import: cannot read ${path}: ${(err as Error).message}`);
  }
}

/** `--export-on-exit PATH`: a path ending in .json is written as that file, anything else as a folder with state.json. */
export function writeExport(path: string, state: unknown): void {
  if (!path.endsWith('.json')) return saveState(path, state);
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, EJSON.stringify(state, undefined, 1, { relaxed: true }));
  renameSync(tmp, path);
}
