/**
 * The emulator's document database: collections of documents with MongoDB query,
 * update and aggregation semantics (mingo), a unique `_id`, declared indexes that plan
 * and count every query, and transactions as CloudBase runs them on MongoDB (snapshot
 * isolation: transactions.ts has the rules).
 *
 * Each document keeps its committed versions while an open snapshot may still need
 * them: a transaction reads the versions at its snapshot, overlaid with its own writes.
 * Every value handed out is a copy, so a caller can never change stored state by
 * mutating a result.
 *
 * Beside it, by concern: document-values.ts (ids, copies, paths), update-operators.ts,
 * sort-order.ts, aggregation.ts (pipelines, `$geoNear`), geo.ts, query-plan.ts and
 * sorted-index.ts (indexes), transactions.ts.
 */
import { EJSON } from 'bson';
import { Query } from 'mingo/query';
import type { Options } from 'mingo/types';
import { compare as mingoCompare } from 'mingo/util';
import { isDeepStrictEqual } from 'node:util';
import { aggregate, type PipelineStore } from './aggregation';
import {
  assertStorable,
  clone,
  docRef,
  idKey,
  isObjectId,
  newObjectId,
  resolvePath,
  splitDocRef,
  type Doc,
  type Filter,
  type SortSpec,
} from './document-values';
import { nearestDistance, nearOf } from './geo';
import type { IndexSpec } from './indexes';
import { jsonSchemaValidator, mingoContext } from './operators';
import { candidatesOf, planQuery, type Candidates, type PlanWithSource, type QueryShape } from './query-plan';
import { sortLikeMongo } from './sort-order';
import { rangesFor, SortedIndex } from './sorted-index';
import { StoreError } from './store-error';
import { DocumentLocked, TRANSACTION_CONFLICT_MESSAGE, Transactions, type Transaction } from './transactions';
import { applyUpdateOperators, upsertSeed } from './update-operators';

interface FindOptions {
  sort?: SortSpec;
  skip?: number;
  limit?: number;
  projection?: Record<string, unknown>;
  /** Not a database action (the emulator's own inspection API): neither planned nor counted. */
  untracked?: boolean;
}

interface UpdateOptions {
  /** Update every match (true) or the first (false). */
  multi: boolean;
  /** Insert when nothing matches. */
  upsert: boolean;
  /** `update` is a whole replacement document rather than operators. */
  replace: boolean;
}

interface UpdateResult {
  matched: number;
  updated: number;
  upsertedId: unknown;
}

/** Per collection, behind `GET /v1/stats` `queries`. */
interface QueryCounters {
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
interface UnindexedQuery {
  collection: string;
  action: string;
  fields: string[];
  sort: string[];
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

export class DocumentStore {
  private readonly collections = new Map<string, Map<string, Slot>>();
  private readonly transactions = new Transactions({ seq: () => this.seq, ended: () => this.prune() });
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
  /** Called after every committed change (persistence uses it to know it is dirty). */
  onChange: () => void = () => {};

  /** How long a transaction may stay open before it is aborted (CloudBase: 30 s, see docs/emulator.md). */
  get transactionLifetimeMs(): number {
    return this.transactions.lifetimeMs;
  }
  set transactionLifetimeMs(ms: number) {
    this.transactions.lifetimeMs = ms;
  }

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
    tx?: Transaction,
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
    tx: Transaction | undefined,
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
    const snapshot = this.transactions.snapshotOf(tx);
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
      const [c, key] = splitDocRef(ref);
      if (c === collection) consider(key);
    }
    if (pending) for (const key of pending.keys()) consider(key);
    return { docs: candidatesOf([...found.values()].sort((a, b) => a.ord - b.ord).map((f) => f.doc)), inIndexOrder: false };
  }

  /** What a plan says to read, in the order documents were first written; every visible document when it says nothing. */
  private sourceOf(collection: string, plan: PlanWithSource | null, tx: Transaction | undefined): Doc[] {
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
  private visible(collection: string, tx?: Transaction): Doc[] {
    const committed = this.collection(collection);
    if (!tx) {
      const out: Doc[] = [];
      for (const slot of committed.values()) {
        const doc = slot.versions[slot.versions.length - 1]!.doc;
        if (doc) out.push(doc);
      }
      return out;
    }
    const snapshot = this.transactions.snapshotOf(tx);
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
    return this.transactions.run(txId, (tx) => {
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
    return this.transactions.run(txId, (tx) => {
      const plan = this.planned(collection, 'count', () => this.visible(collection, tx), filter, { count: true }, tx);
      const source = this.sourceOf(collection, plan, tx);
      const query = new Query(filter, this.mingoOptions);
      const n = source.filter((d) => query.test(d)).length;
      this.countReturned(collection, n);
      return n;
    });
  }

  aggregate(collection: string, pipeline: Filter[]): Doc[] {
    return aggregate(this.pipelineStore(), collection, pipeline);
  }

  /** The store as aggregation.ts reads it: committed state, every query planned and counted. */
  private pipelineStore(): PipelineStore {
    return {
      visible: (collection) => this.visible(collection),
      hasCollection: (collection) => this.collections.has(collection),
      indexesOf: (collection) => this.indexesOf(collection),
      plan: (collection, action, filter, shape) => {
        const plan = this.planned(collection, action, () => this.visible(collection), filter, shape);
        return () => this.sourceOf(collection, plan, undefined);
      },
      mingoOptions: this.mingoOptions,
    };
  }

  // ---- writes ------------------------------------------------------------------

  /** Inserts documents; a duplicate `_id` fails the whole call and writes nothing. Answers the `_id`s. */
  insert(collection: string, docs: Doc[], txId?: string): unknown[] {
    return this.transactions.run(txId, (tx) => this.insertIn(collection, docs, tx));
  }

  private insertIn(collection: string, docs: Doc[], tx: Transaction | undefined): unknown[] {
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
      return (tx ? DocumentStore.versionAt(slot, this.transactions.snapshotOf(tx)) : slot.versions[slot.versions.length - 1]!.doc) !== null;
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
    return this.transactions.run(txId, (tx) => this.updateIn(collection, filter, change, options, tx));
  }

  private updateIn(collection: string, filter: Filter, change: Doc, options: UpdateOptions, tx: Transaction | undefined): UpdateResult {
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
    return this.transactions.run(txId, (tx) => {
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
    return this.transactions.run(txId, (tx) => {
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
    return applyUpdateOperators(doc, operators, this.mingoOptions);
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

  private write(collection: string, entries: Array<[string, Doc | null]>, tx: Transaction | undefined): void {
    if (entries.length === 0) return;
    const committed = this.collection(collection);
    this.assertUnique(collection, entries, () => this.visible(collection, tx));
    if (tx) {
      this.transactions.stage(tx, collection, entries, (key) => {
        const slot = committed.get(key);
        return slot ? slot.versions[slot.versions.length - 1]!.seq : 0;
      });
      return;
    }
    const holders = this.transactions.holders(
      collection,
      entries.map(([key]) => key),
    );
    if (holders.length) throw new DocumentLocked(holders);
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
        this.historic.add(docRef(collection, key));
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
    const oldest = this.transactions.oldestSnapshot();
    for (const ref of this.historic) {
      const [collection, key] = splitDocRef(ref);
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

  // ---- transactions (transactions.ts) --------------------------------------------

  startTransaction(): string {
    return this.transactions.start();
  }

  /** Applies a transaction's writes at once. Conflicts were refused when the writes were made. */
  commitTransaction(id: string): void {
    const tx = this.transactions.get(id);
    for (const [collection, pending] of tx.writes) {
      try {
        if (this.collections.has(collection)) this.assertUnique(collection, [...pending.entries()], () => this.visible(collection));
      } catch {
        // Another transaction committed the same unique key meanwhile (MongoDB: a write conflict).
        this.transactions.end(tx);
        throw new StoreError('DATABASE_TRANSACTION_CONFLICT', TRANSACTION_CONFLICT_MESSAGE);
      }
    }
    const seq = ++this.seq;
    for (const [collection, pending] of tx.writes)
      if (this.collections.has(collection)) this.commitWrites(collection, pending.entries(), seq);
    this.transactions.end(tx);
    if (tx.writes.size) this.onChange();
  }

  abortTransaction(id: string): void {
    this.transactions.end(this.transactions.get(id));
  }

  /** Resolves once none of these transactions is open any more (committed, aborted or expired). */
  whenEnded(ids: string[]): Promise<void> {
    return this.transactions.whenEnded(ids);
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
    this.transactions.clear();
    this.collections.clear();
    this.sorted.clear();
    this.historic.clear();
    this.stats.clear();
    this.unindexedLog = [];
    this.onChange();
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
