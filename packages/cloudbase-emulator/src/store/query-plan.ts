/**
 * How MongoDB would run a query against the declared indexes, and how many documents
 * it would examine (MongoDB's `totalDocsExamined`, near enough):
 *
 * - An index serves a query when the filter constrains its leading keys: equalities
 *   (a value, `$eq`, `$in`) on a prefix of its keys, then at most one range (`$gt`,
 *   `$gte`, `$lt`, `$lte`, `$exists: true`, an anchored regex); or when it gives the
 *   requested order (its keys after the equality prefix, all in the same or all in
 *   the opposite directions). `$ne`, `$nin`, `$not`, `$exists: false`, unanchored
 *   regexes, `$expr`, `$elemMatch` and the like bound nothing.
 * - Examined: the documents inside the index bounds; when the index gives the order
 *   (or none is asked) and there is a limit, only those read until `skip + limit`
 *   matched. The plan examining the fewest wins, as MongoDB's trial would pick it.
 * - `$or`: every branch must be served, or the whole query is a collection scan.
 * - Geo (`$nearSphere`, `$geoWithin`, `$geoIntersects`) needs a 2dsphere index on
 *   its field.
 * - No index: a collection scan examining every document (or until the limit, with
 *   no order asked). It is *unindexed* unless the filter is empty and no order asked
 *   (reading "any N documents" is cheap on CloudBase too). A count with an empty
 *   filter reads the collection's metadata and examines nothing.
 */
import { ID_INDEX, type IndexSpec } from './indexes';
import { smallestK } from './smallest';

type Doc = Record<string, unknown>;
type Filter = Record<string, unknown>;
type SortSpec = Array<[string, 1 | -1]>;

export interface QueryShape {
  sort?: SortSpec;
  skip?: number;
  limit?: number;
  /** A count: reads no documents for an empty filter. */
  count?: boolean;
}

interface Plan {
  /** The index used, `null` for a collection scan. */
  index: string | null;
  examined: number;
  unindexed: boolean;
}

type Kind = 'eq' | 'range' | 'geo';

const GEO = new Set(['$nearSphere', '$near', '$geoWithin', '$geoIntersects']);

function isOperatorObject(v: unknown): v is Record<string, unknown> {
  return (
    v !== null &&
    typeof v === 'object' &&
    !Array.isArray(v) &&
    !(v instanceof Date) &&
    !(v instanceof RegExp) &&
    typeof (v as { _bsontype?: unknown })._bsontype !== 'string' &&
    Object.keys(v).some((k) => k.startsWith('$'))
  );
}

function anchored(re: unknown, options?: unknown): boolean {
  if (re instanceof RegExp) return re.source.startsWith('^') && !re.flags.includes('i');
  return typeof re === 'string' && re.startsWith('^') && !(typeof options === 'string' && options.includes('i'));
}

/** What a condition on one field lets an index do with it. */
function kindOf(condition: unknown): Kind | null {
  if (condition instanceof RegExp) return anchored(condition) ? 'range' : null;
  if (!isOperatorObject(condition)) return 'eq';
  let best: Kind | null = null;
  for (const [op, arg] of Object.entries(condition)) {
    let k: Kind | null = null;
    if (op === '$eq' || op === '$in' || op === '$all') k = 'eq';
    else if (op === '$gt' || op === '$gte' || op === '$lt' || op === '$lte') k = 'range';
    else if (op === '$exists') k = arg === true ? 'range' : null;
    else if (op === '$regex') k = anchored(arg, condition.$options) ? 'range' : null;
    else if (GEO.has(op)) k = 'geo';
    if (k === 'geo' || (k === 'eq' && best !== 'geo') || (k === 'range' && best === null)) best = k;
  }
  return best;
}

/** Conditions per field from the filter's top level and its `$and`s (each with the sub-filter to apply). */
function fieldConditions(filter: Filter): Map<string, Array<{ kind: Kind | null; part: Filter }>> {
  const out = new Map<string, Array<{ kind: Kind | null; part: Filter }>>();
  const visit = (f: Filter) => {
    for (const [key, value] of Object.entries(f)) {
      if (key === '$and' && Array.isArray(value)) {
        for (const part of value) if (part && typeof part === 'object') visit(part as Filter);
        continue;
      }
      if (key.startsWith('$')) continue;
      const list = out.get(key) ?? [];
      list.push({ kind: kindOf(value), part: { [key]: value } });
      out.set(key, list);
    }
  };
  visit(filter);
  return out;
}

function bestKind(list: Array<{ kind: Kind | null }> | undefined): Kind | null {
  if (!list) return null;
  if (list.some((c) => c.kind === 'geo')) return 'geo';
  if (list.some((c) => c.kind === 'eq')) return 'eq';
  if (list.some((c) => c.kind === 'range')) return 'range';
  return null;
}

function nearField(filter: Filter): string | null {
  for (const [key, value] of Object.entries(filter)) {
    if (key === '$and' && Array.isArray(value)) {
      for (const part of value) {
        const found = part && typeof part === 'object' ? nearField(part as Filter) : null;
        if (found) return found;
      }
    }
    if (!key.startsWith('$') && isOperatorObject(value) && ('$nearSphere' in value || '$near' in value)) return key;
  }
  return null;
}

function isEmptyFilter(filter: Filter): boolean {
  return Object.keys(filter).length === 0;
}

/** Whether the index yields `sort` once its equality prefix is fixed. */
function givesOrder(index: IndexSpec, eqPrefix: number, sort: SortSpec): boolean {
  if (sort.length === 0) return true;
  const rest = index.keys.slice(eqPrefix);
  if (rest.length < sort.length) return false;
  let sign = 0;
  for (let i = 0; i < sort.length; i++) {
    const [field, dir] = sort[i]!;
    const [key, keyDir] = rest[i]!;
    if (key !== field || keyDir === '2dsphere') return false;
    const s = dir === keyDir ? 1 : -1;
    if (sign === 0) sign = s;
    else if (s !== sign) return false;
  }
  return true;
}

function scanUntil(ordered: Doc[], matches: (d: Doc) => boolean, wanted: number): number {
  let found = 0;
  for (let i = 0; i < ordered.length; i++) {
    if (matches(ordered[i]!)) found++;
    if (found >= wanted) return i + 1;
  }
  return ordered.length;
}

/** The `k`-th smallest document by `cmp` (1-based): O(n log k). Null when there are fewer. */
function kthSmallest<T>(docs: T[], k: number, cmp: (a: T, b: T) => number): T | null {
  if (k <= 0 || docs.length < k) return null;
  return smallestK(docs, k, cmp)[0]!;
}

/**
 * How many candidates an index read in order examines before `wanted` of them match:
 * those ordered up to the `wanted`-th match. Without sorting them all: it looks at a
 * growing prefix of the order (the first k by a bounded heap), testing the filter only
 * there, so a large collection costs O(n log k) comparisons and few filter tests.
 */
/** MongoDB's order, fast for the usual same-type values (strings, numbers, dates). */
export function fastCompare(compare: (a: unknown, b: unknown) => number): (a: unknown, b: unknown) => number {
  return (a, b) => {
    const ta = typeof a;
    if (ta === typeof b && (ta === 'string' || ta === 'number'))
      return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
    if (a instanceof Date && b instanceof Date) return a.getTime() - b.getTime() < 0 ? -1 : a.getTime() > b.getTime() ? 1 : 0;
    return compare(a, b);
  };
}

function scanInOrderUntil(
  candidates: Doc[],
  matches: (d: Doc) => boolean,
  wanted: number,
  sort: SortSpec,
  slowCompare: (a: unknown, b: unknown) => number,
): number {
  if (wanted <= 0) return 0;
  const compare = fastCompare(slowCompare);
  // Each candidate's sort values, read once.
  const items = candidates.map((doc) => ({ doc, keys: sort.map(([field]) => valueAt(doc, field) ?? null) }));
  type Item = (typeof items)[number];
  const cmp = (a: Item, b: Item) => {
    for (let i = 0; i < sort.length; i++) {
      const c = compare(a.keys[i], b.keys[i]);
      if (c !== 0) return c * sort[i]![1];
    }
    return 0;
  };
  for (let k = wanted; ; k *= 4) {
    const edge = kthSmallest(items, k, cmp);
    const prefix = edge ? items.filter((c) => cmp(c, edge) <= 0) : items;
    const hits = prefix.filter((c) => matches(c.doc));
    if (hits.length >= wanted) {
      const last = kthSmallest(hits, wanted, cmp)!;
      return prefix.filter((c) => cmp(c, last) <= 0).length;
    }
    if (!edge || prefix.length === items.length) return items.length;
  }
}

function valueAt(doc: Doc, path: string): unknown {
  let current: unknown = doc;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

interface PlanTools {
  /** Compiles a filter into a test (mingo, with the store's operators). */
  compile(filter: Filter): (doc: Doc) => boolean;
  /** MongoDB's order of values. */
  compare(a: unknown, b: unknown): number;
  /**
   * The documents within an index's bounds, read from the index itself (`conditions`:
   * the query's conditions per bounded field). In the index's order when asked
   * (`inOrderBelow`: the leading keys held equal) and each of those keys holds one
   * value (`inIndexOrder`), else in the order documents were first written. Null: the index cannot answer, filter every document instead.
   */
  fetch?(
    index: IndexSpec,
    conditions: Map<string, unknown[]>,
    inOrderBelow: number | null,
  ): { docs: Candidates; inIndexOrder: boolean } | null;
}

/** Candidate documents, read by position so an index range need not be copied to be walked. */
export interface Candidates {
  readonly length: number;
  at(position: number): Doc;
  all(): Doc[];
}

export function candidatesOf(docs: Doc[]): Candidates {
  return { length: docs.length, at: (i) => docs[i]!, all: () => docs };
}

/**
 * Which documents a query needs to look at, besides how many it examines: `source`
 * holds every document that can be in its answer (for a limited read in the index's
 * order, those up to the last one wanted); null means every document.
 */
export interface PlanWithSource extends Plan {
  source: Doc[] | null;
  /** `source` is in the order documents were first written (else in the index's order). */
  sourceInWriteOrder: boolean;
}

/** The first `wanted` matches walking `docs` (ascending in the sort's keys) forwards or backwards, ties at the end included. */
function walkInOrder(
  docs: Candidates,
  matches: (d: Doc) => boolean,
  wanted: number,
  sort: SortSpec,
  compare: (a: unknown, b: unknown) => number,
): Doc[] {
  const backwards = sort[0]![1] === -1;
  const out: Doc[] = [];
  let found = 0;
  let last: unknown[] | null = null;
  const keysOf = (d: Doc) => sort.map(([field]) => valueAt(d, field) ?? null);
  for (let k = 0; k < docs.length; k++) {
    const doc = docs.at(backwards ? docs.length - 1 - k : k);
    if (last) {
      const keys = keysOf(doc);
      if (keys.some((v, i) => compare(v, last![i]) !== 0)) break;
    }
    out.push(doc);
    if (!last && matches(doc) && ++found >= wanted) last = keysOf(doc);
  }
  return out;
}

export function planQuery(
  allDocs: () => Doc[],
  filter: Filter,
  shape: QueryShape,
  declared: IndexSpec[],
  tools: PlanTools,
): PlanWithSource {
  let memo: Doc[] | null = null;
  const docs = () => (memo ??= allDocs());
  if (shape.count && isEmptyFilter(filter)) return { index: null, examined: 0, unindexed: false, source: null, sourceInWriteOrder: true };
  const sort = shape.sort ?? [];
  const wanted = shape.limit === undefined || shape.count ? null : (shape.skip ?? 0) + shape.limit;
  const indexes = [ID_INDEX, ...declared];
  const matches = tools.compile(filter);

  const or = filter.$or;
  if (Array.isArray(or) && or.length > 0) {
    const { $or: _ignored, ...rest } = filter;
    let examined = 0;
    const used: string[] = [];
    for (const branch of or) {
      const plan = planQuery(docs, { ...rest, ...(branch as Filter) }, { count: false }, declared, tools);
      if (plan.unindexed || plan.index === null) return collectionScan(docs(), filter, sort, wanted, matches);
      examined += plan.examined;
      used.push(plan.index);
    }
    return {
      index: `OR(${used.join(', ')})`,
      examined: Math.min(examined, docs().length),
      unindexed: false,
      source: null,
      sourceInWriteOrder: true,
    };
  }

  const conditions = fieldConditions(filter);
  const near = nearField(filter);
  const options: Array<{ index: IndexSpec; ordered: boolean; candidates: Candidates; inIndexOrder: boolean }> = [];
  for (const index of indexes) {
    const bounded: string[] = [];
    let eqPrefix = 0;
    let prefixOpen = true;
    for (const [field, dir] of index.keys) {
      if (!prefixOpen) break;
      const kind = bestKind(conditions.get(field));
      if (dir === '2dsphere') {
        if (kind === 'geo') bounded.push(field);
        else prefixOpen = false;
        continue;
      }
      if (kind === 'eq') {
        bounded.push(field);
        eqPrefix += 1;
      } else if (kind === 'range') {
        bounded.push(field);
        prefixOpen = false;
      } else prefixOpen = false;
    }
    // `$nearSphere` can only be answered by a 2dsphere index on its field (MongoDB refuses it otherwise).
    if (near && !index.keys.some(([field, dir]) => dir === '2dsphere' && field === near)) continue;
    const ordered = sort.length > 0 && givesOrder(index, eqPrefix, sort);
    if (bounded.length === 0 && !ordered) continue;
    const bounds = bounded.flatMap((field) =>
      conditions
        .get(field)!
        .filter((c) => c.kind !== null)
        .map((c) => c.part),
    );
    const byField = new Map(
      bounded.map((field) => [
        field,
        conditions
          .get(field)!
          .filter((c) => c.kind !== null)
          .map((c) => c.part[field]),
      ]),
    );
    // A walk in the index's order needs every sort direction the same (entries are ascending on every key).
    const walkable = ordered && wanted !== null && sort.every(([, dir]) => dir === sort[0]![1]);
    const fetched = tools.fetch?.(index, byField, walkable ? eqPrefix : null) ?? null;
    if (fetched) options.push({ index, ordered, candidates: fetched.docs, inIndexOrder: fetched.inIndexOrder });
    else
      options.push({
        index,
        ordered,
        candidates: candidatesOf(bounds.length ? docs().filter(tools.compile({ $and: bounds })) : docs()),
        inIndexOrder: false,
      });
  }
  // Narrowest bounds first; a plan that cannot examine fewer than the best so far is skipped.
  options.sort((a, b) => a.candidates.length - b.candidates.length);
  let best: PlanWithSource | null = null;
  for (const { index, ordered, candidates, inIndexOrder } of options) {
    const atLeast = wanted !== null && (ordered || sort.length === 0) ? Math.min(wanted, candidates.length) : candidates.length;
    if (best && best.examined <= atLeast) continue;
    let examined = candidates.length;
    let source: Doc[] | null = null;
    let sourceInWriteOrder = !inIndexOrder;
    if (wanted !== null && ordered && inIndexOrder) {
      // The index hands its documents in order: read from the right end until enough match.
      source = walkInOrder(candidates, matches, wanted, sort, tools.compare);
      examined = source.length;
      sourceInWriteOrder = false;
    } else if (wanted !== null && ordered) examined = scanInOrderUntil(candidates.all(), matches, wanted, sort, tools.compare);
    else if (wanted !== null && sort.length === 0) examined = scanUntil(candidates.all(), matches, wanted);
    if (!best || examined < best.examined)
      best = { index: index.name, examined, unindexed: false, source: source ?? candidates.all(), sourceInWriteOrder };
  }
  return best ?? collectionScan(docs(), filter, sort, wanted, matches);
}

function collectionScan(docs: Doc[], filter: Filter, sort: SortSpec, wanted: number | null, matches: (d: Doc) => boolean): PlanWithSource {
  const examined = wanted !== null && sort.length === 0 ? scanUntil(docs, matches, wanted) : docs.length;
  return { index: null, examined, unindexed: !(isEmptyFilter(filter) && sort.length === 0), source: null, sourceInWriteOrder: true };
}
