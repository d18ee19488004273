/**
 * The emulator's document database: collections of documents with MongoDB query,
 * update and aggregation semantics (mingo), a unique `_id`, and transactions as
 * CloudBase runs them on MongoDB (snapshot isolation):
 *
 * - A transaction reads one snapshot, taken at its first operation, plus its own
 *   writes; what others commit afterwards stays invisible to it.
 * - Its writes lock the documents they touch until it ends. A write to a document
 *   another open transaction has written, or that changed after the snapshot, fails
 *   at once with `DATABASE_TRANSACTION_CONFLICT` and ends the transaction (MongoDB
 *   aborts a transaction on any error in it). Documents it only read never fail it.
 * - A write outside any transaction to a locked document waits until the lock's
 *   transaction ends (the store throws `DocumentLocked`; the gateway waits and retries).
 * - An unended transaction expires after `transactionLifetimeMs` and is aborted.
 *
 * Documents keep their committed versions while an open snapshot may still need them.
 * Every value handed out is a copy, so a caller can never change stored state by
 * mutating a result.
 */
import { BSONValue, EJSON, ObjectId } from 'bson';
import { Aggregator } from 'mingo/aggregator';
import { Query } from 'mingo/query';
import type { Options } from 'mingo/types';
import { update as applyUpdate } from 'mingo/updater';
import { compare as mingoCompare, resolve as mingoResolve } from 'mingo/util';
import { randomBytes } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { EARTH_RADIUS_M, nearSpec, nearestDistance, shapeOf } from './geo';
import type { IndexSpec } from './indexes';
import { jsonSchemaValidator, mingoContext } from './operators';
import { candidatesOf, fastCompare, planQuery, type Candidates, type PlanWithSource, type QueryShape } from './query-plan';
import { rangesFor, SortedIndex } from './sorted-index';
import { StoreError } from './store-error';
import { smallestK } from './smallest';

export type Doc = Record<string, unknown> & { _id?: unknown };
export type Filter = Record<string, unknown>;
export type SortSpec = Array<[field: string, direction: 1 | -1]>;

export interface FindOptions {
  sort?: SortSpec;
  skip?: number;
  limit?: number;
  projection?: Record<string, unknown>;
  /** Not a database action (the emulator's own inspection API): neither planned nor counted. */
  untracked?: boolean;
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
  upsertedId: unknown;
}

/** Per collection, behind `GET /v1/stats` `queries`. */
export interface QueryCounters {
  /** Queries planned (reads, counts, and the reads of updates and removals). */
  count: number;
  /** Documents examined, as MongoDB would with the declared indexes. */
  examined: number;
  /** Documents answered (or changed, for writes). */
  returned: number;
  /** Queries no declared index served. */
  unindexed: number;
}

/** A query no index served, for telling which index is missing. */
export interface UnindexedQuery {
  collection: string;
  action: string;
  fields: string[];
  sort: string[];
}

/** CloudBase's answers for transactions, word for word (see docs/emulator.md "Fidelity"). */
export const TRANSACTION_CONFLICT_MESSAGE =
  '[ResourceUnavailable.TransactionConflict] Transaction is conflict, maybe resource operated by others in the same time.';
export const TRANSACTION_NOT_EXIST_MESSAGE =
  '[ResourceUnavailable.TransactionNotExist] Transaction does not exist on the server, it may be caused by timeout or abort.';

/** A write outside a transaction met documents that open transactions have written. */
export class DocumentLocked extends Error {
  constructor(readonly transactions: string[]) {
    super(`documents locked by ${transactions.join(', ')}`);
  }
}

interface Version {
  /** The commit that wrote it. */
  seq: number;
  /** `null`: removed. */
  doc: Doc | null;
}

/** One `_id` of a collection: its committed versions, oldest first. */
interface Slot {
  versions: Version[];
  /** When the slot was created: the order of a collection scan. */
  ord: number;
}

interface TransactionState {
  id: string;
  /** The commit sequence it reads at; set by its first operation. */
  snapshot: number | null;
  /** Pending writes per collection and `_id` key: a document, or `null` for a removal. */
  writes: Map<string, Map<string, Doc | null>>;
  timer: ReturnType<typeof setTimeout>;
}

export function newObjectId(): string {
  // 24 hex characters, the shape CloudBase's generated ids have.
  return randomBytes(12).toString('hex');
}

function isBsonValue(value: unknown): value is BSONValue {
  return value !== null && typeof value === 'object' && typeof (value as { _bsontype?: unknown })._bsontype === 'string';
}

function isObjectId(value: unknown): value is ObjectId {
  return isBsonValue(value) && value._bsontype === 'ObjectId';
}

/**
 * Deep copy of stored values. Not structuredClone: it builds Dates in Node's own
 * realm, which under a test runner's sandbox are not `instanceof Date` for mingo
 * (loaded in the sandbox), and mingo then sorts them as plain objects. BSON values
 * (ObjectId, Decimal128, …) are immutable and kept as they are.
 */
function clone<T>(value: T): T {
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
function assertStorable(value: unknown, path = ''): void {
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

export class DocumentStore {
  private readonly collections = new Map<string, Map<string, Slot>>();
  private readonly transactions = new Map<string, TransactionState>();
  /** `collection\0key` → the transaction holding the document's write lock. */
  private readonly locks = new Map<string, string>();
  /** Callbacks waiting for a transaction to end. */
  private readonly waiters = new Map<string, Array<() => void>>();
  /** Slots with more than one version or a removal, to prune when snapshots move on. */
  private readonly historic = new Set<string>();
  /** The last commit's sequence number. */
  private seq = 0;
  /** The last slot's creation number. */
  private ords = 0;
  /** Sorted indexes built so far, per collection and index name (built at first use, then kept up to date). */
  private sorted = new Map<string, Map<string, SortedIndex>>();
  private readonly mingoOptions: Options;
  /** Declared indexes per collection (`database-indexes/`), besides `_id`. */
  private indexes = new Map<string, IndexSpec[]>();
  private stats = new Map<string, QueryCounters>();
  private unindexedLog: UnindexedQuery[] = [];
  /** Refuse queries no declared index serves with DATABASE_TIMEOUT (`CLOUDBASE_EMULATOR_STRICT_INDEXES=1`). */
  strictIndexes = false;
  /** How long a transaction may stay open before it is aborted (CloudBase: 30 s, see docs/emulator.md). */
  transactionLifetimeMs = 30_000;
  /** Called after every committed change (persistence uses it to know it is dirty). */
  onChange: () => void = () => {};

  constructor() {
    // Scripts ($where, $function, $accumulator) are off: queries arrive over HTTP.
    this.mingoOptions = { scriptEnabled: false, idKey: '_id', context: mingoContext(), jsonSchemaValidator } as unknown as Options;
  }

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

  /** Sets the declared indexes (replacing any set before). */
  setIndexes(byCollection: Record<string, IndexSpec[]>): void {
    this.indexes = new Map(Object.entries(byCollection));
    this.sorted.clear();
  }

  indexesOf(collection: string): IndexSpec[] {
    return this.indexes.get(collection) ?? [];
  }

  queryStats(): Record<string, QueryCounters> {
    return Object.fromEntries([...this.stats].map(([k, v]) => [k, { ...v }]));
  }

  /** The latest queries no index served (up to 50), newest last. */
  unindexedQueries(): UnindexedQuery[] {
    return [...this.unindexedLog];
  }

  /**
   * Plans a query against the declared indexes and counts it. In strict mode a query
   * no index serves fails as CloudBase fails a slow scan.
   */
  private planned(
    collection: string,
    action: string,
    docs: () => Doc[],
    filter: Filter,
    shape: QueryShape,
    tx?: TransactionState,
  ): PlanWithSource {
    const compile = (f: Filter) => {
      const q = new Query(f, this.mingoOptions);
      return (d: Doc) => q.test(d);
    };
    const plan = planQuery(docs, filter, shape, this.indexesOf(collection), {
      compile,
      compare: mingoCompare,
      fetch: (index, conditions, inOrderBelow) => this.fetch(collection, index, conditions, inOrderBelow, compile, tx),
    });
    const counters = this.stats.get(collection) ?? { count: 0, examined: 0, returned: 0, unindexed: 0 };
    counters.count += 1;
    counters.examined += plan.examined;
    if (plan.unindexed) {
      counters.unindexed += 1;
      const fields = [...new Set(filterFields(filter))];
      this.unindexedLog.push({ collection, action, fields, sort: (shape.sort ?? []).map(([f, d]) => `${f}:${d}`) });
      if (this.unindexedLog.length > 50) this.unindexedLog.shift();
    }
    this.stats.set(collection, counters);
    if (plan.unindexed && this.strictIndexes) {
      const sort = shape.sort?.length ? `, sort ${shape.sort.map(([f, d]) => `${f} ${d}`).join(', ')}` : '';
      throw new StoreError(
        'DATABASE_TIMEOUT',
        `[Emulator.UnindexedQuery] no index of "${collection}" serves this ${action} (fields ${filterFields(filter).join(', ') || 'none'}${sort}); on CloudBase such a scan slows with the collection and times out. Declare one in database-indexes/${collection}.json.`,
      );
    }
    return plan;
  }

  /** The index, built from the committed documents at its first use. */
  private sortedIndex(collection: string, spec: IndexSpec): SortedIndex {
    let byName = this.sorted.get(collection);
    if (!byName) this.sorted.set(collection, (byName = new Map()));
    let index = byName.get(spec.name);
    if (!index) {
      const committed = this.collection(collection);
      const docs = function* () {
        for (const [slot, { versions, ord }] of committed) {
          const doc = versions[versions.length - 1]!.doc;
          if (doc) yield { slot, ord, doc };
        }
      };
      index = SortedIndex.build(spec, docs());
      byName.set(spec.name, index);
    }
    return index;
  }

  /**
   * An index's candidates read from the index (see PlanTools.fetch). In a transaction
   * the index (committed state) is completed with what the transaction sees otherwise:
   * its own writes, and documents changed since its snapshot.
   */
  private fetch(
    collection: string,
    spec: IndexSpec,
    conditions: Map<string, unknown[]>,
    inOrderBelow: number | null,
    compile: (f: Filter) => (d: Doc) => boolean,
    tx: TransactionState | undefined,
  ): { docs: Candidates; inIndexOrder: boolean } | null {
    if (spec.keys.some(([, dir]) => dir === '2dsphere')) return null;
    const index = this.sortedIndex(collection, spec);
    if (!index.regular) return null;
    const { ranges, exact, points } = rangesFor(spec, conditions);
    const inIndexOrder = !tx && inOrderBelow !== null && points >= inOrderBelow;
    const span = inIndexOrder && exact ? index.span(ranges) : null;
    if (span) {
      // One run of the index, walked in place: a page costs what it reads, not the run's length.
      const at = (i: number) => index.entryAt(span.from + i).doc;
      const length = span.to - span.from;
      return { docs: { length, at, all: () => Array.from({ length }, (_, i) => at(i)) }, inIndexOrder };
    }
    if (!tx && exact) {
      // Counted now, read only if the planner picks it: the other indexes' ranges may be large.
      const runs = index.runs(ranges);
      const length = runs.reduce((n, r) => n + r.to - r.from, 0);
      let docs: Doc[] | null = null;
      const all = () => {
        if (docs) return docs;
        const entries = index.fetch(ranges);
        if (!inIndexOrder) entries.sort((a, b) => a.ord - b.ord);
        return (docs = entries.map((e) => e.doc));
      };
      return { docs: { length, at: (i) => all()[i]!, all }, inIndexOrder };
    }
    const entries = index.fetch(ranges);
    const bounds = compile({ $and: [...conditions].flatMap(([field, list]) => list.map((c) => ({ [field]: c }))) });
    if (!tx) {
      const within = exact ? entries : entries.filter((e) => bounds(e.doc));
      if (!inIndexOrder) within.sort((a, b) => a.ord - b.ord);
      return { docs: candidatesOf(within.map((e) => e.doc)), inIndexOrder };
    }
    const committed = this.collection(collection);
    const snapshot = this.snapshotOf(tx);
    const pending = tx.writes.get(collection);
    const found = new Map<string, { ord: number; doc: Doc }>();
    const consider = (key: string) => {
      if (found.has(key)) return;
      const slot = committed.get(key);
      const doc = pending?.has(key) ? pending.get(key)! : slot ? DocumentStore.versionAt(slot, snapshot) : null;
      if (doc && bounds(doc)) found.set(key, { ord: slot ? slot.ord : Infinity, doc });
    };
    for (const e of entries) consider(e.slot);
    for (const ref of this.historic) {
      const [c, key] = splitLockKey(ref);
      if (c === collection) consider(key);
    }
    if (pending) for (const key of pending.keys()) consider(key);
    return { docs: candidatesOf([...found.values()].sort((a, b) => a.ord - b.ord).map((f) => f.doc)), inIndexOrder: false };
  }

  /** What a plan says to read, in the order documents were first written; every visible document when it says nothing. */
  private sourceOf(collection: string, plan: PlanWithSource | null, tx: TransactionState | undefined): Doc[] {
    if (!plan?.source) return this.visible(collection, tx);
    if (plan.sourceInWriteOrder) return plan.source;
    const committed = this.collection(collection);
    const ordOf = (d: Doc) => committed.get(idKey(d._id))?.ord ?? Infinity;
    return [...plan.source].sort((a, b) => ordOf(a) - ordOf(b));
  }

  private countReturned(collection: string, n: number): void {
    const counters = this.stats.get(collection);
    if (counters) counters.returned += n;
  }

  private collection(name: string): Map<string, Slot> {
    const c = this.collections.get(name);
    if (!c) throw new StoreError('DATABASE_COLLECTION_NOT_EXIST', `[ResourceNotFound] Db or Table not exist: ${name}.`);
    return c;
  }

  // ---- reads -------------------------------------------------------------------

  private static versionAt(slot: Slot, snapshot: number | null): Doc | null {
    const versions = slot.versions;
    if (snapshot === null) return versions[versions.length - 1]!.doc;
    for (let i = versions.length - 1; i >= 0; i--) if (versions[i]!.seq <= snapshot) return versions[i]!.doc;
    return null;
  }

  /** The documents a reader sees: committed state (at the transaction's snapshot), overlaid with its own writes. */
  private visible(collection: string, tx?: TransactionState): Doc[] {
    const committed = this.collection(collection);
    if (!tx) {
      const out: Doc[] = [];
      for (const slot of committed.values()) {
        const doc = slot.versions[slot.versions.length - 1]!.doc;
        if (doc) out.push(doc);
      }
      return out;
    }
    const snapshot = this.snapshotOf(tx);
    const pending = tx.writes.get(collection);
    const out: Doc[] = [];
    for (const [key, slot] of committed) {
      const doc = pending?.has(key) ? pending.get(key)! : DocumentStore.versionAt(slot, snapshot);
      if (doc) out.push(doc);
    }
    if (pending) for (const [key, doc] of pending) if (doc && !committed.has(key)) out.push(doc);
    return out;
  }

  find(collection: string, filter: Filter, options: FindOptions = {}, txId?: string): Doc[] {
    return this.inTransaction(txId, (tx) => {
      const plan = options.untracked
        ? null
        : this.planned(
            collection,
            'read',
            () => this.visible(collection, tx),
            filter,
            { sort: options.sort, skip: options.skip, limit: options.limit },
            tx,
          );
      const source = this.sourceOf(collection, plan, tx);
      const projection = options.projection && Object.keys(options.projection).length ? options.projection : undefined;
      const near = options.sort?.length ? null : nearOf(filter);
      if (near) {
        // `$nearSphere` answers nearest first, unless the query sorts otherwise.
        const matched = new Query(filter, this.mingoOptions).find(source).all() as Doc[];
        const at = new Map(matched.map((d) => [d, nearestDistance(resolvePath(d, near.path), near.from) ?? Infinity]));
        const ordered = [...matched].sort((a, b) => at.get(a)! - at.get(b)!);
        const page = ordered.slice(options.skip ?? 0, options.limit === undefined ? undefined : (options.skip ?? 0) + options.limit);
        if (!options.untracked) this.countReturned(collection, page.length);
        return clone(projection ? (new Query({}, this.mingoOptions).find(page, projection).all() as Doc[]) : page);
      }
      if (options.sort?.length) {
        // MongoDB's order (arrays by their smallest element ascending, largest descending).
        const wanted = options.limit === undefined ? undefined : (options.skip ?? 0) + options.limit;
        const matched = sortLikeMongo(new Query(filter, this.mingoOptions).find(source).all() as Doc[], options.sort, wanted);
        const page = matched.slice(options.skip ?? 0, wanted);
        if (!options.untracked) this.countReturned(collection, page.length);
        return clone(projection ? (new Query({}, this.mingoOptions).find(page, projection).all() as Doc[]) : page);
      }
      let cursor = new Query(filter, this.mingoOptions).find(source, projection);
      if (options.skip) cursor = cursor.skip(options.skip);
      if (options.limit !== undefined) cursor = cursor.limit(options.limit);
      const docs = cursor.all() as Doc[];
      if (!options.untracked) this.countReturned(collection, docs.length);
      return clone(docs);
    });
  }

  count(collection: string, filter: Filter, txId?: string): number {
    return this.inTransaction(txId, (tx) => {
      const plan = this.planned(collection, 'count', () => this.visible(collection, tx), filter, { count: true }, tx);
      const source = this.sourceOf(collection, plan, tx);
      const query = new Query(filter, this.mingoOptions);
      const n = source.filter((d) => query.test(d)).length;
      this.countReturned(collection, n);
      return n;
    });
  }

  aggregate(collection: string, pipeline: Filter[]): Doc[] {
    const all = () => this.visible(collection);
    let source: Doc[];
    let stages = pipeline;
    if (pipeline.slice(1).some((stage) => '$geoNear' in stage))
      throw new StoreError('DATABASE_REQUEST_FAILED', '[FailedOperation] $geoNear is only valid as the first stage in a pipeline.');
    if (pipeline[0] && '$geoNear' in pipeline[0]) {
      const spec = (pipeline[0].$geoNear ?? {}) as Record<string, unknown>;
      const key =
        typeof spec.key === 'string'
          ? spec.key
          : this.indexesOf(collection)
              .flatMap((i) => i.keys)
              .find(([, d]) => d === '2dsphere')?.[0];
      const near = { [key ?? '(no geo index)']: { $nearSphere: { $geometry: spec.near } } };
      this.planned(collection, 'aggregate', all, spec.query ? { $and: [near, spec.query] } : near, {});
      source = this.geoNear(all(), spec);
      stages = pipeline.slice(1);
    } else {
      // The leading $match (and a $sort and $skip/$limit right after it) run on indexes; the rest in memory.
      const first = pipeline[0] && '$match' in pipeline[0] ? (pipeline[0].$match as Filter) : {};
      let at = first === pipeline[0]?.$match ? 1 : 0;
      const shape: QueryShape = {};
      if (pipeline[at] && '$sort' in pipeline[at]!) shape.sort = Object.entries(pipeline[at++]!.$sort as Record<string, 1 | -1>);
      if (pipeline[at] && '$skip' in pipeline[at]!) shape.skip = pipeline[at++]!.$skip as number;
      if (pipeline[at] && '$limit' in pipeline[at]!) shape.limit = pipeline[at]!.$limit as number;
      // The stages run as given, on the documents the leading $match can answer.
      source = this.sourceOf(collection, this.planned(collection, 'aggregate', all, first, shape), undefined);
    }
    for (const stage of stages) {
      const lookup = stage.$lookup as { from?: unknown; foreignField?: unknown } | undefined;
      if (lookup && typeof lookup.from === 'string' && typeof lookup.foreignField === 'string' && this.collections.has(lookup.from)) {
        // Each input document looks up `from` by `foreignField`: one planned equality query.
        this.planned(lookup.from, 'lookup', () => this.visible(lookup.from as string), { [lookup.foreignField]: null }, {});
      }
    }
    const aggregator = new Aggregator(stages, {
      ...this.mingoOptions,
      // $lookup reads other collections as they are committed.
      collectionResolver: (name: string) => (this.collections.has(name) ? this.visible(name) : []),
    });
    return clone(aggregator.run(source) as Doc[]);
  }

  /** The `$geoNear` stage: documents by distance from `near`, nearest first, with the distance in `distanceField`. */
  private geoNear(source: Doc[], raw: unknown): Doc[] {
    const spec = (raw ?? {}) as Record<string, unknown>;
    const refuse = (message: string): never => {
      throw new StoreError('DATABASE_REQUEST_FAILED', `[FailedOperation] $geoNear ${message}`);
    };
    if (typeof spec.distanceField !== 'string' || !spec.distanceField) refuse('requires a distanceField');
    const geoJson = spec.near !== null && typeof spec.near === 'object' && !Array.isArray(spec.near);
    const near = nearSpec(geoJson ? { $geometry: spec.near } : spec.near);
    const query = spec.query ? new Query(spec.query as Filter, this.mingoOptions) : null;
    let key = typeof spec.key === 'string' ? spec.key : null;
    if (!key) {
      // MongoDB uses the collection's only geo index; the emulator, the only field holding geometries.
      const fields = new Set<string>();
      for (const doc of source)
        for (const [k, v] of Object.entries(doc))
          if (k !== '_id' && v !== null && typeof v === 'object' && !Array.isArray(v) && shapeOf(v)) fields.add(k);
      if (fields.size === 0) refuse('unable to find index for $geoNear query');
      if (fields.size > 1) refuse(`found more than one geo field (${[...fields].join(', ')}); give key`);
      key = [...fields][0]!;
    }
    const field = key;
    const multiplier = typeof spec.distanceMultiplier === 'number' ? spec.distanceMultiplier : 1;
    const min = typeof spec.minDistance === 'number' ? spec.minDistance : 0;
    const max = typeof spec.maxDistance === 'number' ? spec.maxDistance : Infinity;
    const out: Array<[number, Doc]> = [];
    for (const doc of source) {
      if (query && !query.test(doc)) continue;
      const value = resolvePath(doc, field);
      const meters = nearestDistance(value, near.from);
      if (meters === null) continue;
      // A legacy coordinate pair measures in radians, GeoJSON in meters.
      const distance = geoJson ? meters : meters / EARTH_RADIUS_M;
      if (distance < min || distance > max) continue;
      const copy = clone(doc);
      setPath(copy, spec.distanceField as string, distance * multiplier);
      if (typeof spec.includeLocs === 'string') setPath(copy, spec.includeLocs, clone(value));
      out.push([distance, copy]);
    }
    return out.sort((a, b) => a[0] - b[0]).map(([, d]) => d);
  }

  // ---- writes ------------------------------------------------------------------

  /** Inserts documents; a duplicate `_id` fails the whole call and writes nothing. Answers the `_id`s. */
  insert(collection: string, docs: Doc[], txId?: string): unknown[] {
    return this.inTransaction(txId, (tx) => this.insertIn(collection, docs, tx));
  }

  private insertIn(collection: string, docs: Doc[], tx: TransactionState | undefined): unknown[] {
    const prepared = docs.map((d) => {
      const doc = clone(d);
      if (doc._id === undefined) doc._id = newObjectId();
      assertStorable(doc);
      return { key: idKey(doc._id), doc };
    });
    const committed = this.collection(collection);
    const pending = tx?.writes.get(collection);
    const exists = (key: string): boolean => {
      if (pending?.has(key)) return pending.get(key) !== null;
      const slot = committed.get(key);
      if (!slot) return false;
      return (tx ? DocumentStore.versionAt(slot, this.snapshotOf(tx)) : slot.versions[slot.versions.length - 1]!.doc) !== null;
    };
    const adding = new Set<string>();
    for (const { key, doc } of prepared) {
      if (adding.has(key) || exists(key)) throw duplicateKey(collection, doc._id);
      adding.add(key);
    }
    this.write(
      collection,
      prepared.map(({ key, doc }) => [key, doc]),
      tx,
    );
    return prepared.map(({ doc }) => doc._id);
  }

  update(collection: string, filter: Filter, change: Doc, options: UpdateOptions, txId?: string): UpdateResult {
    return this.inTransaction(txId, (tx) => this.updateIn(collection, filter, change, options, tx));
  }

  private updateIn(
    collection: string,
    filter: Filter,
    change: Doc,
    options: UpdateOptions,
    tx: TransactionState | undefined,
  ): UpdateResult {
    const plan = this.planned(
      collection,
      'update',
      () => this.visible(collection, tx),
      filter,
      { limit: options.multi ? undefined : 1 },
      tx,
    );
    const source = this.sourceOf(collection, plan, tx);
    const query = new Query(filter, this.mingoOptions);
    const matches = source.filter((d) => query.test(d));
    const targets = options.multi ? matches : matches.slice(0, 1);
    this.countReturned(collection, targets.length);

    if (targets.length === 0) {
      if (!options.upsert) return { matched: 0, updated: 0, upsertedId: null };
      const seed = upsertSeed(filter);
      const doc = options.replace
        ? { ...clone(change), ...(seed._id !== undefined && change._id === undefined ? { _id: seed._id } : {}) }
        : this.applyOperators(seed, change);
      const [id] = this.insertIn(collection, [doc], tx);
      return { matched: 0, updated: 0, upsertedId: id ?? null };
    }

    const writes: Array<[string, Doc]> = [];
    for (const target of targets) {
      const next = options.replace ? { ...clone(change), _id: target._id } : this.applyOperators(clone(target), change);
      if (idKey(next._id) !== idKey(target._id))
        throw new StoreError('DATABASE_REQUEST_FAILED', '[FailedOperation] the _id of a document cannot be changed');
      assertStorable(next);
      if (!isDeepStrictEqual(next, target)) writes.push([idKey(target._id), next]);
    }
    this.write(collection, writes, tx);
    // CloudBase counts a whole-document `set()` as updated even when nothing changed;
    // for operators it answers MongoDB's count of documents actually modified.
    return { matched: targets.length, updated: options.replace ? targets.length : writes.length, upsertedId: null };
  }

  /** `findOneAndUpdate` returning the new document (`database.modifyAndReturnDoc`). */
  updateAndReturn(collection: string, filter: Filter, change: Doc, txId?: string): { updated: number; doc: Doc | null } {
    return this.inTransaction(txId, (tx) => {
      const plan = this.planned(collection, 'updateAndReturn', () => this.visible(collection, tx), filter, { limit: 1 }, tx);
      const source = this.sourceOf(collection, plan, tx);
      const query = new Query(filter, this.mingoOptions);
      const target = source.find((d) => query.test(d));
      if (!target) return { updated: 0, doc: null };
      this.countReturned(collection, 1);
      const next = this.applyOperators(clone(target), change);
      if (idKey(next._id) !== idKey(target._id))
        throw new StoreError('DATABASE_REQUEST_FAILED', '[FailedOperation] the _id of a document cannot be changed');
      assertStorable(next);
      if (!isDeepStrictEqual(next, target)) this.write(collection, [[idKey(target._id), next]], tx);
      // findAndModify's count is of documents found (`lastErrorObject.n`), changed or not.
      return { updated: 1, doc: clone(next) };
    });
  }

  remove(collection: string, filter: Filter, multi: boolean, txId?: string): number {
    return this.inTransaction(txId, (tx) => {
      const plan = this.planned(collection, 'remove', () => this.visible(collection, tx), filter, { limit: multi ? undefined : 1 }, tx);
      const source = this.sourceOf(collection, plan, tx);
      const query = new Query(filter, this.mingoOptions);
      const matches = source.filter((d) => query.test(d));
      const targets = multi ? matches : matches.slice(0, 1);
      this.countReturned(collection, targets.length);
      this.write(
        collection,
        targets.map((d) => [idKey(d._id), null]),
        tx,
      );
      return targets.length;
    });
  }

  private applyOperators(doc: Doc, operators: Doc): Doc {
    const ops = Object.keys(operators);
    if (ops.length && !ops.every((k) => k.startsWith('$'))) {
      throw new StoreError('INVALID_PARAM', 'an update must use operators ($set, $inc, …) or be a replacement');
    }
    assertPathsWritable(doc, operators);
    assertOperandTypes(doc, operators);
    applyUpdate(doc, operators as never, undefined, undefined, { cloneMode: 'deep', queryOptions: this.mingoOptions });
    return doc;
  }

  /**
   * Unique indexes: after these writes, no two documents may share a key (a missing
   * field counts as null, as in MongoDB, so only one document may lack it).
   */
  private assertUnique(collection: string, entries: Array<[string, Doc | null]>, view: () => Doc[]): void {
    const unique = this.indexesOf(collection).filter((i) => i.unique);
    if (unique.length === 0 || !entries.some(([, d]) => d)) return;
    const after = new Map(view().map((d) => [idKey(d._id), d] as [string, Doc]));
    for (const [key, doc] of entries) {
      if (doc) after.set(key, doc);
      else after.delete(key);
    }
    for (const index of unique) {
      const seen = new Map<string, string>();
      for (const [key, doc] of after) {
        const tuple = EJSON.stringify(
          index.keys.map(([field]) => resolvePath(doc, field) ?? null),
          { relaxed: false },
        );
        const other = seen.get(tuple);
        if (other !== undefined) {
          const shown = index.keys.map(([field]) => `${field}: ${JSON.stringify(resolvePath(doc, field) ?? null)}`).join(', ');
          throw new StoreError(
            'DATABASE_REQUEST_FAILED',
            `[FailedOperation] multiple write errors: [{write errors: [{E11000 duplicate key error collection: ${collection} index: ${index.name} dup key: { ${shown} }}]}, {<nil>}]`,
          );
        }
        seen.set(tuple, key);
      }
    }
  }

  private write(collection: string, entries: Array<[string, Doc | null]>, tx: TransactionState | undefined): void {
    if (entries.length === 0) return;
    const committed = this.collection(collection);
    this.assertUnique(collection, entries, () => this.visible(collection, tx));
    if (tx) {
      const snapshot = this.snapshotOf(tx);
      for (const [key] of entries) {
        const holder = this.locks.get(lockKey(collection, key));
        const slot = committed.get(key);
        const latest = slot ? slot.versions[slot.versions.length - 1]!.seq : 0;
        if ((holder !== undefined && holder !== tx.id) || latest > snapshot) {
          throw new StoreError('DATABASE_TRANSACTION_CONFLICT', TRANSACTION_CONFLICT_MESSAGE);
        }
      }
      let pending = tx.writes.get(collection);
      if (!pending) tx.writes.set(collection, (pending = new Map()));
      for (const [key, doc] of entries) {
        this.locks.set(lockKey(collection, key), tx.id);
        pending.set(key, doc);
      }
      return;
    }
    const holders = new Set<string>();
    for (const [key] of entries) {
      const holder = this.locks.get(lockKey(collection, key));
      if (holder) holders.add(holder);
    }
    if (holders.size) throw new DocumentLocked([...holders]);
    this.commitWrites(collection, entries, ++this.seq);
    this.onChange();
  }

  private commitWrites(collection: string, entries: Iterable<[string, Doc | null]>, seq: number): void {
    const committed = this.collection(collection);
    const indexes = [...(this.sorted.get(collection)?.values() ?? [])];
    for (const [key, doc] of entries) {
      const slot = committed.get(key);
      if (slot) {
        const before = slot.versions[slot.versions.length - 1]!.doc;
        slot.versions.push({ seq, doc });
        this.historic.add(lockKey(collection, key));
        for (const index of indexes) index.change(key, slot.ord, before, doc);
      } else if (doc) {
        const ord = ++this.ords;
        committed.set(key, { versions: [{ seq, doc }], ord });
        for (const index of indexes) index.change(key, ord, null, doc);
      }
    }
    this.prune();
  }

  /** Drops versions no open snapshot can read any more. */
  private prune(): void {
    if (this.historic.size === 0) return;
    let oldest = Infinity;
    for (const tx of this.transactions.values()) if (tx.snapshot !== null && tx.snapshot < oldest) oldest = tx.snapshot;
    for (const ref of this.historic) {
      const [collection, key] = splitLockKey(ref);
      const committed = this.collections.get(collection);
      const slot = committed?.get(key);
      if (!committed || !slot) {
        this.historic.delete(ref);
        continue;
      }
      let keepFrom = 0;
      for (let i = slot.versions.length - 1; i >= 0; i--) {
        if (slot.versions[i]!.seq <= oldest) {
          keepFrom = i;
          break;
        }
      }
      if (keepFrom > 0) slot.versions.splice(0, keepFrom);
      const first = slot.versions[0]!;
      if (slot.versions.length === 1 && first.seq <= oldest) {
        this.historic.delete(ref);
        // A removal every snapshot already sees needs no trace.
        if (first.doc === null) committed.delete(key);
      }
    }
  }

  // ---- transactions ------------------------------------------------------------

  startTransaction(): string {
    const id = `tx_${newObjectId()}`;
    const timer = setTimeout(() => {
      const tx = this.transactions.get(id);
      if (tx) this.endTransaction(tx);
    }, this.transactionLifetimeMs);
    timer.unref?.();
    this.transactions.set(id, { id, snapshot: null, writes: new Map(), timer });
    return id;
  }

  private tx(id: string): TransactionState {
    const tx = this.transactions.get(id);
    if (!tx) throw new StoreError('DATABASE_TRANSACTION_FAIL', TRANSACTION_NOT_EXIST_MESSAGE);
    return tx;
  }

  private snapshotOf(tx: TransactionState): number {
    if (tx.snapshot === null) tx.snapshot = this.seq;
    return tx.snapshot;
  }

  /** Runs one operation, in a transaction when `txId` is given; any failure in it ends the transaction, as in MongoDB. */
  private inTransaction<T>(txId: string | undefined, op: (tx: TransactionState | undefined) => T): T {
    if (!txId) return op(undefined);
    const tx = this.tx(txId);
    try {
      return op(tx);
    } catch (err) {
      if (this.transactions.get(txId) === tx) this.endTransaction(tx);
      throw err;
    }
  }

  private endTransaction(tx: TransactionState): void {
    clearTimeout(tx.timer);
    this.transactions.delete(tx.id);
    for (const [collection, pending] of tx.writes) for (const key of pending.keys()) this.locks.delete(lockKey(collection, key));
    const waiting = this.waiters.get(tx.id) ?? [];
    this.waiters.delete(tx.id);
    for (const wake of waiting) wake();
    this.prune();
  }

  /** Applies a transaction's writes at once. Conflicts were refused when the writes were made. */
  commitTransaction(id: string): void {
    const tx = this.tx(id);
    for (const [collection, pending] of tx.writes) {
      try {
        if (this.collections.has(collection)) this.assertUnique(collection, [...pending.entries()], () => this.visible(collection));
      } catch {
        // Another transaction committed the same unique key meanwhile (MongoDB: a write conflict).
        this.endTransaction(tx);
        throw new StoreError('DATABASE_TRANSACTION_CONFLICT', TRANSACTION_CONFLICT_MESSAGE);
      }
    }
    const seq = ++this.seq;
    for (const [collection, pending] of tx.writes)
      if (this.collections.has(collection)) this.commitWrites(collection, pending.entries(), seq);
    this.endTransaction(tx);
    if (tx.writes.size) this.onChange();
  }

  abortTransaction(id: string): void {
    this.endTransaction(this.tx(id));
  }

  /** Resolves once none of these transactions is open any more (committed, aborted or expired). */
  whenEnded(ids: string[]): Promise<void> {
    const open = ids.filter((id) => this.transactions.has(id));
    return Promise.all(
      open.map(
        (id) =>
          new Promise<void>((resolve) => {
            const list = this.waiters.get(id) ?? [];
            list.push(resolve);
            this.waiters.set(id, list);
          }),
      ),
    ).then(() => undefined);
  }

  /** Open transactions (for tests and diagnostics). */
  openTransactions(): number {
    return this.transactions.size;
  }

  // ---- whole-store operations --------------------------------------------------

  /** Inserts or replaces one document without a transaction and without waiting for locks (seeding). */
  put(collection: string, doc: Doc): void {
    if (!this.collections.has(collection)) this.createCollection(collection);
    const copy = clone(doc);
    this.commitWrites(collection, [[idKey(copy._id), copy]], ++this.seq);
    this.onChange();
  }

  snapshot(): Record<string, Doc[]> {
    const out: Record<string, Doc[]> = {};
    for (const name of this.collections.keys()) out[name] = clone(this.visible(name));
    return out;
  }

  load(data: Record<string, Doc[]>): void {
    this.clear();
    const seq = ++this.seq;
    for (const [name, docs] of Object.entries(data)) {
      this.collections.set(name, new Map());
      this.commitWrites(
        name,
        docs.map((d) => [idKey(d._id), d] as [string, Doc]),
        seq,
      );
    }
  }

  clear(): void {
    for (const tx of [...this.transactions.values()]) this.endTransaction(tx);
    this.collections.clear();
    this.sorted.clear();
    this.locks.clear();
    this.historic.clear();
    this.stats.clear();
    this.unindexedLog = [];
    this.onChange();
  }
}

function lockKey(collection: string, key: string): string {
  return `${collection}\u0000${key}`;
}

function splitLockKey(ref: string): [string, string] {
  const at = ref.indexOf('\u0000');
  return [ref.slice(0, at), ref.slice(at + 1)];
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
          throw new StoreError(
            'DATABASE_REQUEST_FAILED',
            `[FailedOperation] Cannot create field '${parts[i + 1]}' in element {${part}: ${JSON.stringify(next)}}`,
          );
        }
        current = next;
      }
    }
  }
}

function duplicateKey(collection: string, id: unknown): StoreError {
  // MongoDB's wording, which CloudBase passes through and callers match on.
  const shown = typeof id === 'string' ? JSON.stringify(id) : isObjectId(id) ? `ObjectId('${id.toHexString()}')` : String(id);
  return new StoreError(
    'DATABASE_REQUEST_FAILED',
    `[FailedOperation] multiple write errors: [{write errors: [{E11000 duplicate key error collection: ${collection} index: _id_ dup key: { _id: ${shown} }}]}, {<nil>}]`,
  );
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

/** The first `$nearSphere`/`$near` condition of a filter, for ordering by distance. */
function nearOf(filter: Filter): { path: string; from: [number, number] } | null {
  for (const [path, condition] of Object.entries(filter)) {
    if (path === '$and' && Array.isArray(condition)) {
      for (const part of condition) {
        const found = nearOf(part as Filter);
        if (found) return found;
      }
    }
    if (path.startsWith('$') || condition === null || typeof condition !== 'object') continue;
    const ops = condition as Record<string, unknown>;
    const spec = ops.$nearSphere ?? ops.$near;
    if (spec !== undefined) return { path, from: nearSpec(spec).from };
  }
  return null;
}

function resolvePath(doc: Doc, path: string): unknown {
  let current: unknown = doc;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

function setPath(doc: Doc, path: string, value: unknown): void {
  const parts = path.split('.');
  let current: Record<string, unknown> = doc;
  for (const part of parts.slice(0, -1)) {
    const next = current[part];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) current[part] = {};
    current = current[part] as Record<string, unknown>;
  }
  current[parts[parts.length - 1]!] = value;
}

/** Field paths a filter names (for messages). */
function filterFields(filter: Filter): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(filter)) {
    if ((key === '$and' || key === '$or' || key === '$nor') && Array.isArray(value)) {
      for (const part of value) if (part && typeof part === 'object') out.push(...filterFields(part as Filter));
    } else if (!key.startsWith('$')) out.push(key);
  }
  return out;
}

function isNumeric(v: unknown): boolean {
  return typeof v === 'number' || (isBsonValue(v) && ['Decimal128', 'Long', 'Double', 'Int32'].includes(v._bsontype));
}

function bsonTypeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (v instanceof Date) return 'date';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'double';
  if (typeof v === 'object') return isObjectId(v) ? 'objectId' : 'object';
  return typeof v;
}

/** The value at a dot path with array indexes, or undefined when the path stops; null for positional paths. */
function valueAtUpdatePath(doc: Doc, path: string): { value: unknown } | null {
  let current: unknown = doc;
  for (const part of path.split('.')) {
    if (part.startsWith('$')) return null;
    if (current === null || typeof current !== 'object') return { value: undefined };
    current = (current as Record<string, unknown>)[part];
  }
  return { value: current };
}

/**
 * MongoDB refuses arithmetic on values that are not numbers and array operators on
 * values that are not arrays (mingo quietly does nothing), e.g. `$inc` on a field
 * holding null: the update fails and nothing is written.
 */
function assertOperandTypes(doc: Doc, operators: Doc): void {
  const fail = (message: string): never => {
    throw new StoreError('DATABASE_REQUEST_FAILED', `[FailedOperation] ${message}`);
  };
  const id = JSON.stringify(doc._id);
  for (const [op, fields] of Object.entries(operators)) {
    if (fields === null || typeof fields !== 'object') continue;
    for (const [path, operand] of Object.entries(fields as Record<string, unknown>)) {
      const at = valueAtUpdatePath(doc, path);
      if (!at) continue;
      const { value } = at;
      const field = path.split('.').pop();
      if (op === '$inc' || op === '$mul') {
        if (!isNumeric(operand))
          fail(`Cannot ${op === '$inc' ? 'increment' : 'multiply'} with non-numeric argument: {${path}: ${JSON.stringify(operand)}}`);
        if (value !== undefined && !isNumeric(value))
          fail(
            `Cannot apply ${op} to a value of non-numeric type. {_id: ${id}} has the field '${field}' of non-numeric type ${bsonTypeName(value)}`,
          );
      } else if (op === '$push') {
        if (value !== undefined && !Array.isArray(value))
          fail(`The field '${field}' must be an array but is of type ${bsonTypeName(value)} in document {_id: ${id}}`);
      } else if (op === '$addToSet') {
        if (value !== undefined && !Array.isArray(value))
          fail(`Cannot apply $addToSet to non-array field. Field named '${field}' has non-array type ${bsonTypeName(value)}`);
      } else if (op === '$pop') {
        if (value !== undefined && !Array.isArray(value))
          fail(`Path '${path}' contains an element of non-array type '${bsonTypeName(value)}'`);
      } else if (op === '$pull' || op === '$pullAll') {
        if (value !== undefined && !Array.isArray(value)) fail(`Cannot apply ${op} to a non-array value`);
      }
    }
  }
}

const EMPTY_ARRAY = Symbol('empty array');
const quickCompare = fastCompare(mingoCompare);

/** The value a document sorts by: an array by its smallest (ascending) or largest (descending) element; an empty one first. */
function sortValue(value: unknown, direction: 1 | -1): unknown {
  if (!Array.isArray(value)) return value === undefined ? null : value;
  if (value.length === 0) return EMPTY_ARRAY;
  let best = value[0] === undefined ? null : value[0];
  for (const v of value.slice(1)) {
    const c = mingoCompare(v ?? null, best);
    if ((direction === 1 && c < 0) || (direction === -1 && c > 0)) best = v ?? null;
  }
  return best;
}

/** Sorted as MongoDB sorts; only the first `wanted` when given (stable, like a full sort). */
function sortLikeMongo(docs: Doc[], sort: SortSpec, wanted?: number): Doc[] {
  const keyed = docs.map((doc, at) => ({ doc, at, keys: sort.map(([field, dir]) => sortValue(mingoResolve(doc, field), dir)) }));
  type Keyed = (typeof keyed)[number];
  const cmp = (a: Keyed, b: Keyed) => {
    for (let i = 0; i < sort.length; i++) {
      const x = a.keys[i];
      const y = b.keys[i];
      const c = x === EMPTY_ARRAY || y === EMPTY_ARRAY ? (x === y ? 0 : x === EMPTY_ARRAY ? -1 : 1) : quickCompare(x, y);
      if (c !== 0) return c * sort[i]![1];
    }
    return a.at - b.at;
  };
  if (wanted === undefined || wanted * 4 >= keyed.length)
    return keyed
      .sort(cmp)
      .slice(0, wanted)
      .map((k) => k.doc);
  // A page of a large result: keep the `wanted` first in a bounded heap instead of sorting everything.
  return smallestK(keyed, wanted, cmp)
    .sort(cmp)
    .map((k) => k.doc);
}
