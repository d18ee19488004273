/**
 * Sorting as MongoDB sorts: its order of types and values (mingo's compare), an array by
 * its smallest element ascending and its largest descending, an empty array first; a
 * page of a large result kept in a bounded heap rather than sorting everything.
 */
import { compare as mingoCompare, resolve as mingoResolve } from 'mingo/util';
import type { Doc, SortSpec } from './document-values';
import { fastCompare } from './query-plan';
import { smallestK } from './smallest';

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
export function sortLikeMongo(docs: Doc[], sort: SortSpec, wanted?: number): Doc[] {
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
