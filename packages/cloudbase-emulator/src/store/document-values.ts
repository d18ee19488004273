/**
 * Documents as the store holds them: their types, `_id` identities, deep copies (every
 * value handed out is one), the `$`-prefixed names MongoDB refuses, and dot paths.
 */
import { BSONValue, EJSON, ObjectId } from 'bson';
import { randomBytes } from 'node:crypto';
import { StoreError } from './store-error';

export type Doc = Record<string, unknown> & { _id?: unknown };
export type Filter = Record<string, unknown>;
export type SortSpec = Array<[field: string, direction: 1 | -1]>;

export function newObjectId(): string {
  // 24 hex characters, the shape CloudBase's generated ids have.
  return randomBytes(12).toString('hex');
}

export function isBsonValue(value: unknown): value is BSONValue {
  return value !== null && typeof value === 'object' && typeof (value as { _bsontype?: unknown })._bsontype === 'string';
}

export function isObjectId(value: unknown): value is ObjectId {
  return isBsonValue(value) && value._bsontype === 'ObjectId';
}

/**
 * Deep copy of stored values. Not structuredClone: it builds Dates in Node's own
 * realm, which under a test runner's sandbox are not `instanceof Date` for mingo
 * (loaded in the sandbox), and mingo then sorts them as plain objects. BSON values
 * (ObjectId, Decimal128, …) are immutable and kept as they are.
 */
export function clone<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date || Object.prototype.toString.call(value) === '[object Date]')
    return new Date((value as unknown as Date).getTime()) as T;
  if (value instanceof RegExp) return new RegExp(value.source, value.flags) as T;
  if (isBsonValue(value)) return value;
  if (Array.isArray(value)) return value.map((v) => clone(v)) as T;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = clone(v);
  return out as T;
}

/**
 * The identity of an `_id` value: a string, a number (stays a number, as in
 * MongoDB), an ObjectId, or any other non-array value MongoDB allows.
 */
export function idKey(id: unknown): string {
  if (typeof id === 'string') return `s:${id}`;
  if (typeof id === 'number') {
    if (!Number.isFinite(id)) throw new StoreError('DATABASE_REQUEST_FAILED', `[FailedOperation] _id must be a finite number, got ${id}`);
    return `n:${id}`;
  }
  if (isObjectId(id)) return `o:${id.toHexString()}`;
  if (id === undefined || id === null || Array.isArray(id) || id instanceof RegExp) {
    throw new StoreError('DATABASE_REQUEST_FAILED', `[FailedOperation] can't use ${Array.isArray(id) ? 'an array' : String(id)} for _id`);
  }
  return `j:${EJSON.stringify(id as Doc, { relaxed: false })}`;
}

/** `_id` as the gateway answers it in `insertedIds` / `upsert_id`: ObjectIds as their hex string. */
export function idAnswer(id: unknown): unknown {
  return isObjectId(id) ? id.toHexString() : id;
}

/**
 * MongoDB (and so CloudBase) refuses documents with field names that start with `$`.
 * The SDK never sends such names for its own types: they are decoded before this.
 */
export function assertStorable(value: unknown, path = ''): void {
  if (value === null || typeof value !== 'object' || value instanceof Date || value instanceof RegExp || isBsonValue(value)) return;
  if (Array.isArray(value)) {
    value.forEach((v, i) => assertStorable(v, `${path}.${i}`));
    return;
  }
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (k.startsWith('$'))
      throw new StoreError('DATABASE_REQUEST_FAILED', `[FailedOperation] Document can't have $ prefixed field names: ${k}`);
    assertStorable(v, path ? `${path}.${k}` : k);
  }
}

export function resolvePath(doc: Doc, path: string): unknown {
  let current: unknown = doc;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

export function setPath(doc: Doc, path: string, value: unknown): void {
  const parts = path.split('.');
  let current: Record<string, unknown> = doc;
  for (const part of parts.slice(0, -1)) {
    const next = current[part];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) current[part] = {};
    current = current[part] as Record<string, unknown>;
  }
  current[parts[parts.length - 1]!] = value;
}

/** One document's address in the store: its collection and `_id` key (a write lock's and a version history's key). */
export function docRef(collection: string, key: string): string {
  return `${collection}\u0000${key}`;
}

export function splitDocRef(ref: string): [string, string] {
  const at = ref.indexOf('\u0000');
  return [ref.slice(0, at), ref.slice(at + 1)];
}
