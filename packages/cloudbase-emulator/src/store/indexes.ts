/**
 * Indexes as code: `database-indexes/<collection>.json` declares a collection's
 * indexes, and the emulator plans every query against them the way MongoDB (under
 * CloudBase) would, counting the documents a query examines. A query no index serves
 * is a collection scan: on CloudBase it slows with the collection and, on a shared
 * instance under load, ends in `DATABASE_TIMEOUT`.
 *
 * File format (MongoDB's key notation; key order is the index's order):
 *
 *     { "indexes": [ { "name": "openid_day", "keys": { "openid": 1, "day": -1 }, "unique": false } ] }
 *
 * Directions: 1, -1, or "2dsphere" for geo fields. `_id` is always indexed (unique).
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export type IndexDirection = 1 | -1 | '2dsphere';

export interface IndexSpec {
  name: string;
  keys: Array<[field: string, direction: IndexDirection]>;
  unique: boolean;
}

export const ID_INDEX: IndexSpec = { name: '_id_', keys: [['_id', 1]], unique: true };

/** Validates one file's content; answers the indexes or the problems found (each naming the field). */
export function parseIndexFile(collection: string, json: unknown): { indexes: IndexSpec[]; problems: string[] } {
  const problems: string[] = [];
  const indexes: IndexSpec[] = [];
  const where = `database-indexes/${collection}.json`;
  if (json === null || typeof json !== 'object' || Array.isArray(json) || !Array.isArray((json as { indexes?: unknown }).indexes)) {
    return { indexes, problems: [`${where}: must be an object with an "indexes" array`] };
  }
  const extra = Object.keys(json).filter((k) => k !== 'indexes');
  if (extra.length) problems.push(`${where}: unknown field(s) ${extra.join(', ')}`);
  const names = new Set<string>();
  (json as { indexes: unknown[] }).indexes.forEach((raw, i) => {
    const at = `${where} indexes[${i}]`;
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      problems.push(`${at}: must be an object`);
      return;
    }
    const { name, keys, unique, ...rest } = raw as Record<string, unknown>;
    if (Object.keys(rest).length) problems.push(`${at}: unknown field(s) ${Object.keys(rest).join(', ')}`);
    if (typeof name !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(name) || name === '_id_') {
      problems.push(`${at}.name: must be 1-64 letters, digits, "_", "-" or "." (and not "_id_")`);
      return;
    }
    if (names.has(name)) problems.push(`${at}.name: "${name}" is declared twice`);
    names.add(name);
    if (keys === null || typeof keys !== 'object' || Array.isArray(keys) || Object.keys(keys).length === 0) {
      problems.push(`${at}.keys: must be an object like { "field": 1 }`);
      return;
    }
    const parsed: IndexSpec['keys'] = [];
    for (const [field, direction] of Object.entries(keys as Record<string, unknown>)) {
      if (!field || field.startsWith('$') || field.split('.').some((p) => !p)) problems.push(`${at}.keys: "${field}" is not a field path`);
      else if (direction !== 1 && direction !== -1 && direction !== '2dsphere')
        problems.push(`${at}.keys.${field}: must be 1, -1 or "2dsphere"`);
      else parsed.push([field, direction]);
    }
    if (parsed.length > 31) problems.push(`${at}.keys: CloudBase allows at most 31 fields in an index`);
    if (unique !== undefined && typeof unique !== 'boolean') problems.push(`${at}.unique: must be true or false`);
    if (unique === true && parsed.some(([, d]) => d === '2dsphere')) problems.push(`${at}.unique: a 2dsphere index cannot be unique`);
    if (parsed.length === Object.keys(keys).length) indexes.push({ name, keys: parsed, unique: unique === true });
  });
  // CloudBase: "Each collection can have up to 100 indexes" (docs.cloudbase.net/faq/database), _id's included.
  if (indexes.length > 99) problems.push(`${where}: CloudBase allows at most 100 indexes per collection, _id's included`);
  return { indexes, problems };
}

/** Every `database-indexes/*.json` under `root`: indexes per collection, and the problems found. */
export function loadIndexDir(root: string): { byCollection: Record<string, IndexSpec[]>; problems: string[] } {
  const dir = join(root, 'database-indexes');
  const byCollection: Record<string, IndexSpec[]> = {};
  const problems: string[] = [];
  if (!existsSync(dir)) return { byCollection, problems };
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const collection = file.slice(0, -'.json'.length);
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    } catch (err) {
      problems.push(`database-indexes/${file}: not JSON (${(err as Error).message})`);
      continue;
    }
    const parsed = parseIndexFile(collection, json);
    byCollection[collection] = parsed.indexes;
    problems.push(...parsed.problems);
  }
  return { byCollection, problems };
}
