/**
 * A declared index as the emulator keeps it: the committed documents of a collection
 * in the order of the index's keys, so the planner's chosen index *fetches* its
 * candidates (a binary search per bound) instead of the store filtering every
 * document. With 1,000,000 documents a query examines what MongoDB would examine,
 * and costs about that much.
 *
 * Kept simple on purpose, and therefore partial:
 * - Keys are compared in MongoDB's order for the types a product indexes: null (and a
 *   missing field), numbers, strings, booleans, dates. An index holding any other key
 *   (an array — MongoDB's multikey index —, a document, an ObjectId, NaN) is
 *   *irregular*: it answers no fetch, and the store filters every document as before.
 *   Results never depend on this: a fetch only narrows which documents the query's
 *   own filter then tests.
 * - Entries are ascending on every key whatever the declared direction (a direction
 *   changes which orders an index can give, not which documents are in its bounds).
 *   Ties keep the order the documents were first written, as a collection scan does.
 * - It follows committed state only. A read in a transaction adds what the
 *   transaction wrote and what changed since its snapshot (see DocumentStore).
 */
import type { IndexSpec } from './indexes';

type Doc = Record<string, unknown>;

interface IndexEntry {
  keys: unknown[];
  /** The slot's insertion number: ties keep the order documents were first written. */
  ord: number;
  slot: string;
  doc: Doc;
}

/** One end of a range on one key: a value with its type's rank, or the edge of a type. */
interface Edge {
  rank: number;
  value: unknown;
  /** -1: before every value of the rank, 1: after every one; 0: at `value`. */
  edge: -1 | 0 | 1;
  inclusive: boolean;
}

interface KeyRange {
  low: Edge;
  high: Edge;
}

/** The ranges allowed per leading key of an index: points on all but the last. */
type KeyRanges = KeyRange[][];

const MISSING_RANK = 1;

/** MongoDB's type order for the kinds of values a regular index holds; null for any other. */
function rankOf(value: unknown): number | null {
  if (value === null || value === undefined) return MISSING_RANK;
  if (typeof value === 'number') return Number.isNaN(value) ? null : 2;
  if (typeof value === 'string') return 3;
  if (typeof value === 'boolean') return 8;
  if (value instanceof Date || Object.prototype.toString.call(value) === '[object Date]') return 9;
  return null;
}

function valueOf(value: unknown): number | string | boolean {
  if (value === null || value === undefined) return 0;
  if (typeof value === 'object') return (value as Date).getTime();
  return value as number | string | boolean;
}

/** Compares two regular key values in MongoDB's order. */
function compareKeys(a: unknown, b: unknown): number {
  const ra = rankOf(a)!;
  const rb = rankOf(b)!;
  if (ra !== rb) return ra < rb ? -1 : 1;
  const va = valueOf(a);
  const vb = valueOf(b);
  return va < vb ? -1 : va > vb ? 1 : 0;
}

/** The index key of one field, or `undefined` when it is irregular (an array on the path, or an unordered type). */
function keyOf(doc: Doc, path: string): { value: unknown } | undefined {
  let current: unknown = doc;
  for (const part of path.split('.')) {
    if (Array.isArray(current)) return undefined;
    if (current === null || typeof current !== 'object' || rankOf(current) === 9) return { value: null };
    current = (current as Record<string, unknown>)[part];
  }
  if (rankOf(current) === null) return undefined;
  return { value: current ?? null };
}

function compareEntries(a: IndexEntry, b: IndexEntry): number {
  for (let i = 0; i < a.keys.length; i++) {
    const c = compareKeys(a.keys[i], b.keys[i]);
    if (c !== 0) return c;
  }
  return a.ord - b.ord;
}

function compareToEdge(value: unknown, edge: Edge): number {
  const rank = rankOf(value)!;
  if (rank !== edge.rank) return rank < edge.rank ? -1 : 1;
  if (edge.edge !== 0) return -edge.edge;
  return compareKeys(value, edge.value);
}

export class SortedIndex {
  private readonly entries: IndexEntry[] = [];
  /** Documents whose keys this index cannot order; while any is held, it answers no fetch. */
  private irregular = new Set<string>();

  constructor(readonly spec: IndexSpec) {}

  get size(): number {
    return this.entries.length;
  }

  /** Builds the index over documents given in the order they were first written. */
  static build(spec: IndexSpec, docs: Iterable<{ slot: string; ord: number; doc: Doc }>): SortedIndex {
    const index = new SortedIndex(spec);
    for (const { slot, ord, doc } of docs) {
      const keys = index.keysOf(doc);
      if (keys) index.entries.push({ keys, ord, slot, doc });
      else index.irregular.add(slot);
    }
    index.entries.sort(compareEntries);
    return index;
  }

  get regular(): boolean {
    return this.irregular.size === 0;
  }

  private keysOf(doc: Doc): unknown[] | null {
    const keys: unknown[] = [];
    for (const [field] of this.spec.keys) {
      const key = keyOf(doc, field);
      if (!key) return null;
      keys.push(key.value);
    }
    return keys;
  }

  /** The first position whose entry is not before `probe`. */
  private lowerBound(probe: IndexEntry): number {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareEntries(this.entries[mid]!, probe) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Replaces a document's entry: `before` is what was committed (null: nothing), `after` what is now (null: removed). */
  change(slot: string, ord: number, before: Doc | null, after: Doc | null): void {
    if (before) {
      const keys = this.keysOf(before);
      if (keys) {
        const at = this.lowerBound({ keys, ord, slot, doc: before });
        if (this.entries[at]?.slot === slot) this.entries.splice(at, 1);
      }
      this.irregular.delete(slot);
    }
    if (after) {
      const keys = this.keysOf(after);
      if (!keys) {
        this.irregular.add(slot);
        return;
      }
      const entry = { keys, ord, slot, doc: after };
      this.entries.splice(this.lowerBound(entry), 0, entry);
    }
  }

  /** The position of the first entry whose leading keys are not before `edges` (`after`: the first that is after). */
  private seek(prefix: unknown[], edge: Edge, after: boolean): number {
    const depth = prefix.length;
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const keys = this.entries[mid]!.keys;
      let c = 0;
      for (let i = 0; i < depth && c === 0; i++) c = compareKeys(keys[i], prefix[i]);
      if (c === 0) c = compareToEdge(keys[depth], edge);
      if (c < 0 || (c === 0 && after)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * The one contiguous run of entries the ranges allow when every key has a single
   * range (points but the last): positions `[from, to)`, read with `entryAt` without
   * copying. Null when the ranges allow several runs.
   */
  span(ranges: KeyRanges): { from: number; to: number } | null {
    if (ranges.some((r) => r.length !== 1)) return null;
    return this.runs(ranges)[0]!;
  }

  entryAt(position: number): IndexEntry {
    return this.entries[position]!;
  }

  /**
   * The entries within the ranges, in index order. `ranges[i]` constrains key i; every
   * key but the last given holds points (equalities), so each combination of them is
   * one contiguous run of entries.
   */
  fetch(ranges: KeyRanges): IndexEntry[] {
    const out: IndexEntry[] = [];
    for (const { from, to } of this.runs(ranges)) for (let i = from; i < to; i++) out.push(this.entries[i]!);
    return out;
  }

  /** The runs `[from, to)` of entries within the ranges, in index order (counted without copying). */
  runs(ranges: KeyRanges): Array<{ from: number; to: number }> {
    if (ranges.length === 0) return [{ from: 0, to: this.entries.length }];
    const out: Array<{ from: number; to: number }> = [];
    const last = ranges.length - 1;
    const walk = (prefix: unknown[]) => {
      if (prefix.length === last) {
        for (const { low, high } of ranges[last]!) {
          const from = this.seek(prefix, low, !low.inclusive);
          out.push({ from, to: Math.max(from, this.seek(prefix, high, high.inclusive)) });
        }
        return;
      }
      for (const { low } of ranges[prefix.length]!) walk([...prefix, low.value]);
    };
    walk([]);
    return out;
  }
}

/** A point range `[value, value]`, or null when the value is not one an index orders. */
function pointRange(value: unknown): KeyRange | null {
  const rank = rankOf(value);
  if (rank === null) return null;
  const v = value ?? null;
  return { low: { rank, value: v, edge: 0, inclusive: true }, high: { rank, value: v, edge: 0, inclusive: true } };
}

/**
 * The range a comparison allows, within the type of its operand (MongoDB's type
 * bracketing: `$gt: 5` matches numbers only). Null when not one an index orders.
 */
function comparisonRange(op: '$gt' | '$gte' | '$lt' | '$lte', value: unknown): KeyRange | null {
  const rank = rankOf(value);
  if (rank === null || rank === MISSING_RANK) return null;
  const at: Edge = { rank, value, edge: 0, inclusive: op === '$gte' || op === '$lte' };
  if (op === '$gt' || op === '$gte') return { low: at, high: { rank, value: null, edge: 1, inclusive: true } };
  return { low: { rank, value: null, edge: -1, inclusive: true }, high: at };
}

/** The intersection of two ranges of one key, or null when empty. */
function intersect(a: KeyRange, b: KeyRange): KeyRange | null {
  // The later low and the earlier high; at the same place the exclusive end is the stricter.
  const pick = (x: Edge, y: Edge, later: boolean): Edge => {
    const c = compareEdges(x, y);
    if (c === 0) return x.inclusive ? y : x;
    return c > 0 === later ? x : y;
  };
  const low = pick(a.low, b.low, true);
  const high = pick(a.high, b.high, false);
  const c = compareEdges(low, high);
  if (c > 0 || (c === 0 && !(low.inclusive && high.inclusive))) return null;
  return { low, high };
}

function compareEdges(x: Edge, y: Edge): number {
  if (x.rank !== y.rank) return x.rank < y.rank ? -1 : 1;
  if (x.edge === 0 && y.edge === 0) return compareKeys(x.value, y.value);
  return x.edge === y.edge ? 0 : x.edge - y.edge;
}

function isPoint(r: KeyRange): boolean {
  return r.low.edge === 0 && r.high.edge === 0 && compareKeys(r.low.value, r.high.value) === 0;
}

function isOperatorObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && rankOf(v) === null && Object.keys(v).some((k) => k.startsWith('$'));
}

/** The ranges one condition on a field allows; `exact` false when part of it was not understood (it then narrows nothing). */
function conditionRanges(condition: unknown): { ranges: KeyRange[] | null; exact: boolean } {
  if (condition instanceof RegExp) return { ranges: null, exact: false };
  if (!isOperatorObject(condition)) {
    const point = pointRange(condition);
    return { ranges: point ? [point] : null, exact: point !== null };
  }
  let ranges: KeyRange[] | null = null;
  let exact = true;
  const narrow = (next: KeyRange[]) => {
    ranges = ranges === null ? next : ranges.flatMap((r) => next.map((n) => intersect(r, n)).filter((x): x is KeyRange => x !== null));
  };
  for (const [op, arg] of Object.entries(condition)) {
    if (op === '$eq') {
      const point = pointRange(arg);
      if (point) narrow([point]);
      else exact = false;
    } else if (op === '$in' && Array.isArray(arg)) {
      const points = arg.map(pointRange);
      if (points.every((p): p is KeyRange => p !== null)) narrow(points);
      else exact = false;
    } else if (op === '$gt' || op === '$gte' || op === '$lt' || op === '$lte') {
      const range = comparisonRange(op, arg);
      if (range) narrow([range]);
      else exact = false;
    } else exact = false;
  }
  return { ranges, exact };
}

/**
 * Translates a query's conditions on an index's leading keys into ranges to fetch:
 * equalities (points) on a prefix of the keys, then at most one key with a range.
 * `exact`: every condition given was translated, so the fetch needs no filtering;
 * `points`: how many leading keys hold a single point (the index's order below them
 * is the order of the keys after).
 */
export function rangesFor(index: IndexSpec, conditions: Map<string, unknown[]>): { ranges: KeyRange[][]; exact: boolean; points: number } {
  const ranges: KeyRange[][] = [];
  let exact = true;
  let points = 0;
  let singlePoints = true;
  const used = new Set<string>();
  for (const [field, direction] of index.keys) {
    const list = conditions.get(field);
    if (!list || direction === '2dsphere') break;
    let allowed: KeyRange[] | null = null;
    for (const condition of list) {
      const { ranges: r, exact: e } = conditionRanges(condition);
      exact &&= e;
      if (r === null) continue;
      allowed = allowed === null ? r : allowed.flatMap((a) => r.map((b) => intersect(a, b)).filter((x): x is KeyRange => x !== null));
    }
    if (allowed === null) break;
    used.add(field);
    const sorted = [...allowed].sort((a, b) => compareEdges(a.low, b.low));
    // Points in order, once each, so the fetch comes back in index order.
    const distinct = sorted.filter(
      (r, i) => i === 0 || !isPoint(r) || !isPoint(sorted[i - 1]!) || compareEdges(r.low, sorted[i - 1]!.low) !== 0,
    );
    ranges.push(distinct);
    const allPoints = distinct.every(isPoint);
    if (singlePoints && allPoints && distinct.length === 1) points += 1;
    else singlePoints = false;
    if (!allPoints) break;
  }
  for (const field of conditions.keys()) if (!used.has(field)) exact = false;
  return { ranges, exact, points };
}
