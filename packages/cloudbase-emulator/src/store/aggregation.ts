/**
 * Aggregation pipelines: the leading `$match` (with a `$sort` and `$skip`/`$limit` right
 * after it) planned against the indexes like a find, each `$lookup` counted as the
 * equality query it runs per document, the rest in memory (mingo); and the `$geoNear`
 * stage, which must come first. Reads committed state only (the store takes no
 * transaction for an aggregation).
 */
import { Aggregator } from 'mingo/aggregator';
import { Query } from 'mingo/query';
import type { Options } from 'mingo/types';
import { clone, resolvePath, setPath, type Doc, type Filter } from './document-values';
import { EARTH_RADIUS_M, nearSpec, nearestDistance, shapeOf } from './geo';
import type { IndexSpec } from './indexes';
import type { QueryShape } from './query-plan';
import { StoreError } from './store-error';

/** What a pipeline reads from the store. */
export interface PipelineStore {
  /** A collection's committed documents (refused when it does not exist). */
  visible(collection: string): Doc[];
  hasCollection(collection: string): boolean;
  indexesOf(collection: string): IndexSpec[];
  /**
   * Plans and counts a query as the store counts every query (refused in strict mode
   * when no index serves it); the answer reads what the plan says to read.
   */
  plan(collection: string, action: string, filter: Filter, shape: QueryShape): () => Doc[];
  mingoOptions: Options;
}

/** The pipeline's answer over `collection`: copies, as every store answer. */
export function aggregate(store: PipelineStore, collection: string, pipeline: Filter[]): Doc[] {
  const all = () => store.visible(collection);
  let source: Doc[];
  let stages = pipeline;
  if (pipeline.slice(1).some((stage) => '$geoNear' in stage))
    throw new StoreError('DATABASE_REQUEST_FAILED', '[FailedOperation] $geoNear is only valid as the first stage in a pipeline.');
  if (pipeline[0] && '$geoNear' in pipeline[0]) {
    const spec = (pipeline[0].$geoNear ?? {}) as Record<string, unknown>;
    const key =
      typeof spec.key === 'string'
        ? spec.key
        : store
            .indexesOf(collection)
            .flatMap((i) => i.keys)
            .find(([, d]) => d === '2dsphere')?.[0];
    const near = { [key ?? '(no geo index)']: { $nearSphere: { $geometry: spec.near } } };
    store.plan(collection, 'aggregate', spec.query ? { $and: [near, spec.query] } : near, {});
    source = geoNear(all(), spec, store.mingoOptions);
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
    source = store.plan(collection, 'aggregate', first, shape)();
  }
  for (const stage of stages) {
    const lookup = stage.$lookup as { from?: unknown; foreignField?: unknown } | undefined;
    if (lookup && typeof lookup.from === 'string' && typeof lookup.foreignField === 'string' && store.hasCollection(lookup.from)) {
      // Each input document looks up `from` by `foreignField`: one planned equality query.
      store.plan(lookup.from, 'lookup', { [lookup.foreignField]: null }, {});
    }
  }
  const aggregator = new Aggregator(stages, {
    ...store.mingoOptions,
    // $lookup reads other collections as they are committed.
    collectionResolver: (name: string) => (store.hasCollection(name) ? store.visible(name) : []),
  });
  return clone(aggregator.run(source) as Doc[]);
}

/** The `$geoNear` stage: documents by distance from `near`, nearest first, with the distance in `distanceField`. */
function geoNear(source: Doc[], raw: unknown, mingoOptions: Options): Doc[] {
  const spec = (raw ?? {}) as Record<string, unknown>;
  const refuse = (message: string): never => {
    throw new StoreError('DATABASE_REQUEST_FAILED', `[FailedOperation] $geoNear ${message}`);
  };
  if (typeof spec.distanceField !== 'string' || !spec.distanceField) refuse('requires a distanceField');
  const geoJson = spec.near !== null && typeof spec.near === 'object' && !Array.isArray(spec.near);
  const near = nearSpec(geoJson ? { $geometry: spec.near } : spec.near);
  const query = spec.query ? new Query(spec.query as Filter, mingoOptions) : null;
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
