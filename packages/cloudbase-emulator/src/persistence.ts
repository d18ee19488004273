/**
 * Saving and loading the emulator's state under CLOUDBASE_EMULATOR_DATA_DIR, so `npm start`
 * keeps data across restarts. Extended JSON keeps dates as dates. Writes go to a
 * temporary file first and are renamed into place, so a crash mid-write never leaves
 * a half-written state file.
 */
import { execFileSync } from 'node:child_process';
import { EJSON } from 'bson';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const STATE_FILE = 'state.json';

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

/**
 * Written into every folder export: an export holds the project's data and the phone
 * numbers WeChat's sandbox handed out, so wherever it is made (a clone, most often) git
 * never offers to commit it.
 */
const EXPORT_GITIGNORE = '# A cloudbase-emulator export: it holds raw phone numbers. Never commit it.\n*\n';

/**
 * `--export-on-exit PATH`: a path ending in .json is written as that file, anything else
 * as a folder with state.json and a .gitignore that ignores the folder.
 */
export function writeExport(path: string, state: unknown): void {
  if (!path.endsWith('.json')) {
    saveState(path, state);
    writeFileSync(join(path, '.gitignore'), EXPORT_GITIGNORE);
    return;
  }
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, EJSON.stringify(state, undefined, 1, { relaxed: true }));
  renameSync(tmp, path);
}

/**
 * Why a single-file export to `path` must not be written, or null: git would track it
 * (inside a work tree and not ignored). Asked before the emulator starts, so the data is
 * never lost at exit. Folders ignore themselves (writeExport); without git there is no
 * repository to leak into.
 */
export function exportRefusal(path: string): string | null {
  if (!path.endsWith('.json')) return null;
  const target = resolve(path);
  let dir = dirname(target);
  while (!existsSync(dir)) dir = dirname(dir);
  try {
    execFileSync('git', ['check-ignore', '-q', target], { cwd: dir, stdio: 'ignore' });
    return null; // ignored
  } catch (err) {
    // 1: not ignored; anything else (128: not a repository, or no git at all) means no repository to leak into.
    if ((err as { status?: number }).status !== 1) return null;
  }
  return (
    `${path} would be a file git tracks, and an export holds raw phone numbers. ` +
    'Export to a folder (it ignores itself: --export-on-exit ./snapshot), to a path outside the repository, or to an ignored one.'
  );
}
