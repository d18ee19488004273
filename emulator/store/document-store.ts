/**
 * The emulator's document database: collections of documents with MongoDB query,
 * update and aggregation semantics (mingo), a unique `_id`, and transactions with
 * snapshot reads and first-committer-wins conflict detection, which is how CloudBase
 * (MongoDB underneath) behaves for the single-document transactions functions use.
 *
 * Documents are plain objects with `Date` values. Every value handed out is a copy, so
 * a caller can never change stored state by mutating a result.
 */
import { Aggregator, Query, find, update as applyUpdate } from 'mingo';
import type { Options } from 'mingo/types';
import { randomBytes } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { StoreError } from './store-error';

export type Doc = Record<string, unknown> & { _id?: unknown };
export type Filter = Record<string, unknown>;
export type SortSpec = Array<[field: string, direction: 1 | -1]>;

export interface FindOptions {
  sort?: SortSpec;
  skip?: number;
  limit?: number;
  projection?: Record<string, unknown>;
}

export interface UpdateOptions {
  /** Update every match (true) or the first (false). */
  multi: boolean;
  /** Insert when nothing matches. */
  upsert: boolean;
  /** `update` is a whole replacement document rather than operators. */
  replace: boolean;
}

export interface UpdateResult {
  matched: number;
  updated: number;
  upsertedId: string | null;
}

interface Slot {
  doc: Doc;
  /** Bumped on every committed change; transactions compare it at commit. */
  version: number;
}

interface TransactionState {
  /** Pending writes: a document, or `null` for a removal. */
  writes: Map<string, Map<string, Doc | null>>;
  /** Committed versions of every document this transaction has looked at or written. */
  seen: Map<string, number>;
  startedAt: number;
}

// Scripts ($where, $function, $accumulator) are off: queries arrive over HTTP.
const MINGO_OPTIONS: Partial<Options> = { scriptEnabled: false, idKey: '_id' };

export function newObjectId(): string {
  // 24 hex characters, the shape CloudBase's generated ids have.
  return randomBytes(12).toString('hex');
}

/**
 * Deep copy of stored values. Not structuredClone: it builds Dates in Node's own
 * realm, which under a test runner's sandbox are not `instanceof Date` for mingo
 * (loaded in the sandbox), and mingo then sorts them as plain objects.
 */
function clone<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date || Object.prototype.toString.call(value) === '[object Date]') return new Date((value as unknown as Date).getTime()) as T;
  if (value instanceof RegExp) return new RegExp(value.source, value.flags) as T;
  if (Array.isArray(value)) return value.map((v) => clone(v)) as T;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = clone(v);
  return out as T;
}

function keyOf(collection: string, id: string): string {
  return `${collection}\u0000${id}`;
}

function idString(id: unknown): string {
  if (typeof id === 'string') return id;
  if (typeof id === 'number') return String(id);
  throw new StoreError('INVALID_PARAM', `_id must be a string, got ${typeof id}`);
}

export class DocumentStore {
  private readonly collections = new Map<string, Map<string, Slot>>();
  private readonly transactions = new Map<string, TransactionState>();
  /** Called after every committed change (persistence uses it to know it is dirty). */
  onChange: () => void = () => {};

  // ---- collections -------------------------------------------------------------

  collectionNames(): string[] {
    return [...this.collections.keys()].sort();
  }

  hasCollection(name: string): boolean {
    return this.collections.has(name);
  }

  /** Creates a collection; false when it already exists. */
  createCollection(name: string): boolean {
    if (!/^[A-Za-z_][A-Za-z0-9_-]{0,127}$/.test(name)) throw new StoreError('INVALID_PARAM', `invalid collection name "${name}"`);
    if (this.collections.has(name)) return false;
    this.collections.set(name, new Map());
    this.onChange();
    return true;
  }

  private collection(name: string): Map<string, Slot> {
    const c = this.collections.get(name);
    if (!c) throw new StoreError('DATABASE_COLLECTION_NOT_EXIST', `[ResourceNotFound] Db or Table not exist: ${name}.`);
    return c;
  }

  // ---- reads -------------------------------------------------------------------

  /** The documents a reader sees: committed state, overlaid with the transaction's own writes. */
  private visible(collection: string, txId?: string): Doc[] {
    const committed = this.collection(collection);
    const tx = txId ? this.tx(txId) : undefined;
    const pending = tx?.writes.get(collection);
    const out: Doc[] = [];
    for (const [id, slot] of committed) {
      if (pending?.has(id)) continue;
      out.push(slot.doc);
    }
    if (pending) for (const doc of pending.values()) if (doc) out.push(doc);
    return out;
  }

  private markSeen(tx: TransactionState | undefined, collection: string, docs: Doc[]): void {
    if (!tx) return;
    const committed = this.collection(collection);
    for (const doc of docs) {
      const key = keyOf(collection, idString(doc._id));
      if (!tx.seen.has(key)) tx.seen.set(key, committed.get(idString(doc._id))?.version ?? 0);
    }
  }

  find(collection: string, filter: Filter, options: FindOptions = {}, txId?: string): Doc[] {
    const source = this.visible(collection, txId);
    let cursor = find(source, filter, options.projection && Object.keys(options.projection).length ? options.projection : undefined, MINGO_OPTIONS);
    if (options.sort?.length) cursor = cursor.sort(Object.fromEntries(options.sort));
    if (options.skip) cursor = cursor.skip(options.skip);
    if (options.limit !== undefined) cursor = cursor.limit(options.limit);
    const docs = cursor.all() as Doc[];
    if (txId) this.markSeen(this.tx(txId), collection, docs.filter((d) => d._id !== undefined));
    return clone(docs);
  }

  count(collection: string, filter: Filter, txId?: string): number {
    const query = new Query(filter, MINGO_OPTIONS);
    return this.visible(collection, txId).filter((d) => query.test(d)).length;
  }

  aggregate(collection: string, pipeline: Filter[]): Doc[] {
    const source = this.visible(collection);
    const aggregator = new Aggregator(pipeline, {
      ...MINGO_OPTIONS,
      // $lookup reads other collections as they are committed.
      collectionResolver: (name: string) => (this.collections.has(name) ? this.visible(name) : []),
    });
    return clone(aggregator.run(source) as Doc[]);
  }

  // ---- writes ------------------------------------------------------------------

  /** Inserts documents; a duplicate `_id` fails the whole call and writes nothing. */
  insert(collection: string, docs: Doc[], txId?: string): string[] {
    const prepared = docs.map((d) => {
      const doc = clone(d);
      doc._id = doc._id === undefined ? newObjectId() : idString(doc._id);
      return doc as Doc & { _id: string };
    });
    const existing = new Set(this.visible(collection, txId).map((d) => d._id as string));
    for (const doc of prepared) {
      if (existing.has(doc._id)) throw duplicateKey(collection, doc._id);
      existing.add(doc._id);
    }
    this.write(collection, prepared.map((doc) => [doc._id, doc]), txId);
    return prepared.map((d) => d._id);
  }

  update(collection: string, filter: Filter, change: Doc, options: UpdateOptions, txId?: string): UpdateResult {
    const query = new Query(filter, MINGO_OPTIONS);
    const matches = this.visible(collection, txId).filter((d) => query.test(d));
    const targets = options.multi ? matches : matches.slice(0, 1);
    if (txId) this.markSeen(this.tx(txId), collection, targets);

    if (targets.length === 0) {
      if (!options.upsert) return { matched: 0, updated: 0, upsertedId: null };
      const seed = upsertSeed(filter);
      const doc = options.replace ? { ...clone(change), _id: change._id ?? seed._id } : this.applyOperators(seed, change);
      const [id] = this.insert(collection, [doc], txId);
      return { matched: 0, updated: 0, upsertedId: id ?? null };
    }

    const writes: Array<[string, Doc]> = [];
    for (const target of targets) {
      const id = target._id as string;
      const next = options.replace ? { ...clone(change), _id: id } : this.applyOperators(clone(target), change);
      if (next._id !== id) throw new StoreError('INVALID_PARAM', 'the _id of a document cannot be changed');
      if (!isDeepStrictEqual(next, target)) writes.push([id, next]);
    }
    this.write(collection, writes, txId);
    return { matched: targets.length, updated: writes.length, upsertedId: null };
  }

  remove(collection: string, filter: Filter, multi: boolean, txId?: string): number {
    const query = new Query(filter, MINGO_OPTIONS);
    const matches = this.visible(collection, txId).filter((d) => query.test(d));
    const targets = multi ? matches : matches.slice(0, 1);
    if (txId) this.markSeen(this.tx(txId), collection, targets);
    this.write(collection, targets.map((d) => [d._id as string, null]), txId);
    return targets.length;
  }

  private applyOperators(doc: Doc, operators: Doc): Doc {
    const ops = Object.keys(operators);
    if (ops.length && !ops.every((k) => k.startsWith('$'))) {
      throw new StoreError('INVALID_PARAM', 'an update must use operators ($set, $inc, …) or be a replacement');
    }
    assertPathsWritable(doc, operators);
    applyUpdate(doc, operators as never, undefined, undefined, { cloneMode: 'deep', queryOptions: MINGO_OPTIONS });
    return doc;
  }

  private write(collection: string, entries: Array<[string, Doc | null]>, txId?: string): void {
    if (entries.length === 0) return;
    if (txId) {
      const tx = this.tx(txId);
      const committed = this.collection(collection);
      let pending = tx.writes.get(collection);
      if (!pending) tx.writes.set(collection, (pending = new Map()));
      for (const [id, doc] of entries) {
        const key = keyOf(collection, id);
        if (!tx.seen.has(key)) tx.seen.set(key, committed.get(id)?.version ?? 0);
        pending.set(id, doc);
      }
      return;
    }
    this.commitWrites(collection, entries);
    this.onChange();
  }

  private commitWrites(collection: string, entries: Array<[string, Doc | null]>): void {
    const committed = this.collection(collection);
    for (const [id, doc] of entries) {
      const version = (committed.get(id)?.version ?? this.tombstones.get(keyOf(collection, id)) ?? 0) + 1;
      if (doc) {
        committed.set(id, { doc, version });
        this.tombstones.delete(keyOf(collection, id));
      } else {
        committed.delete(id);
        // A removed document keeps its version so a transaction that saw it notices.
        this.tombstones.set(keyOf(collection, id), version);
      }
    }
  }

  private readonly tombstones = new Map<string, number>();

  // ---- transactions ------------------------------------------------------------

  startTransaction(): string {
    const id = `tx_${newObjectId()}`;
    this.transactions.set(id, { writes: new Map(), seen: new Map(), startedAt: Date.now() });
    return id;
  }

  private tx(id: string): TransactionState {
    const tx = this.transactions.get(id);
    if (!tx) throw new StoreError('DATABASE_TRANSACTION_FAIL', `transaction ${id} does not exist or has ended`);
    return tx;
  }

  /** Applies a transaction's writes at once, unless a document it used changed meanwhile. */
  commitTransaction(id: string): void {
    const tx = this.tx(id);
    this.transactions.delete(id);
    for (const [key, seenVersion] of tx.seen) {
      const [collection, docId] = key.split('\u0000') as [string, string];
      const now = this.collections.get(collection)?.get(docId)?.version ?? this.tombstones.get(key) ?? 0;
      if (now !== seenVersion) {
        throw new StoreError('DATABASE_TRANSACTION_CONFLICT', `[FailedOperation.TransactionConflict] WriteConflict: ${docId} in ${collection} changed during transaction ${id}`);
      }
    }
    for (const [collection, pending] of tx.writes) this.commitWrites(collection, [...pending.entries()]);
    if (tx.writes.size) this.onChange();
  }

  abortTransaction(id: string): void {
    this.tx(id);
    this.transactions.delete(id);
  }

  // ---- whole-store operations --------------------------------------------------

  /** Inserts or replaces one document without a transaction (seeding). */
  put(collection: string, doc: Doc): void {
    if (!this.collections.has(collection)) this.createCollection(collection);
    const id = idString(doc._id);
    this.commitWrites(collection, [[id, { ...clone(doc), _id: id }]]);
    this.onChange();
  }

  snapshot(): Record<string, Doc[]> {
    const out: Record<string, Doc[]> = {};
    for (const [name, docs] of this.collections) out[name] = clone([...docs.values()].map((s) => s.doc));
    return out;
  }

  load(data: Record<string, Doc[]>): void {
    this.clear();
    for (const [name, docs] of Object.entries(data)) {
      this.collections.set(name, new Map());
      this.commitWrites(name, docs.map((d) => [idString(d._id), d]));
    }
  }

  clear(): void {
    this.collections.clear();
    this.transactions.clear();
    this.tombstones.clear();
    this.onChange();
  }
}

/** Update operators that create the fields their paths name. */
const CREATING_OPERATORS = new Set(['$set', '$inc', '$mul', '$min', '$max', '$push', '$addToSet', '$currentDate']);

/**
 * MongoDB refuses to create a field under a value that is not a document:
 * `$set: { "phone.number": 1 }` on `{ phone: null }` fails with "Cannot create field".
 * mingo quietly replaces or skips instead, which would hide exactly the bug of
 * updating a nested object that used to be null, so the emulator checks first.
 */
function assertPathsWritable(doc: Doc, operators: Doc): void {
  for (const [op, fields] of Object.entries(operators)) {
    if (!CREATING_OPERATORS.has(op) || fields === null || typeof fields !== 'object') continue;
    for (const path of Object.keys(fields)) {
      const parts = path.split('.');
      let current: unknown = doc;
      for (let i = 0; i < parts.length - 1; i++) {
        const part = parts[i]!;
        if (part.startsWith('$')) break; // positional operators: left to mingo
        const next = (current as Record<string, unknown>)[part];
        if (next === undefined) break; // missing parents are created
        if (next === null || typeof next !== 'object' || next instanceof Date) {
          throw new StoreError('DATABASE_REQUEST_FAILED', `[FailedOperation] Cannot create field '${parts[i + 1]}' in element {${part}: ${JSON.stringify(next)}}`);
        }
        current = next;
      }
    }
  }
}

function duplicateKey(collection: string, id: string): StoreError {
  // MongoDB's wording, which CloudBase passes through and callers match on.
  return new StoreError('DATABASE_REQUEST_FAILED', `[FailedOperation] multiple write errors: [{write errors: [{E11000 duplicate key error collection: ${collection} index: _id_ dup key: { _id: "${id}" }}]}, {<nil>}]`);
}

/** An upsert starts from the equality fields of its filter, as MongoDB does. */
function upsertSeed(filter: Filter): Doc {
  const seed: Doc = {};
  for (const [key, value] of Object.entries(filter)) {
    if (key.startsWith('$') || key.includes('.')) continue;
    if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
      const ops = value as Record<string, unknown>;
      if ('$eq' in ops) seed[key] = clone(ops.$eq);
      continue;
    }
    seed[key] = clone(value);
  }
  return seed;
}

