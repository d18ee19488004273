/**
 * Applying `database-indexes/` to a CloudBase environment, for `npm run deploy` (and
 * checking it, for the dry run and `npm run doctor`). The emulator reads the same files
 * (packages/cloudbase-emulator/src/store/indexes.ts) to plan queries.
 *
 * - Declared indexes missing online are created (`updateCollection` with
 *   `CreateIndexes`, then read back with `describeCollection`).
 * - An index is matched by its keys (MongoDB identifies it so and refuses a second one
 *   on the same keys), then by name: the same keys online under another name is the
 *   declared index. Other uniqueness is reported, never changed: rebuilding an index
 *   on a live collection is a decision for a person.
 * - Two declared indexes on the same keys are refused by the dry run.
 * - Online indexes nobody declared are reported, never dropped.
 *
 * The manager API's shapes are those of @cloudbase/manager-node's typings
 * (`MgoKeySchema { MgoIndexKeys: [{ Name, Direction }], MgoIsUnique }`); Direction as
 * the strings "1", "-1" and "2dsphere" is our reading of them, unconfirmed.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ID_INDEX, loadIndexDir, type IndexDirection, type IndexSpec } from '../../packages/cloudbase-emulator/src/store/indexes';

export type { IndexSpec } from '../../packages/cloudbase-emulator/src/store/indexes';

/** An index as `describeCollection` lists it. */
export interface LiveIndex {
  Name: string;
  Keys?: Array<{ Name?: string; Direction?: string }>;
  Unique?: boolean;
}

/** The part of @cloudbase/manager-node's DatabaseService this needs. */
export interface IndexApi {
  describeCollection(name: string): Promise<{ Indexes?: LiveIndex[] }>;
  updateCollection(
    name: string,
    change: {
      CreateIndexes: Array<{
        IndexName: string;
        MgoKeySchema: { MgoIndexKeys: Array<{ Name: string; Direction: string }>; MgoIsUnique: boolean };
      }>;
    },
  ): Promise<unknown>;
}

export interface IndexPlan {
  collection: string;
  create: IndexSpec[];
  /** Declared and present as declared. */
  same: string[];
  /** Same name online, other keys or uniqueness: reported, not changed. */
  differing: Array<{ name: string; declared: string; live: string }>;
  /** Online, not declared: reported, not dropped. */
  undeclared: string[];
}

export function toCreateIndex(spec: IndexSpec) {
  return {
    IndexName: spec.name,
    MgoKeySchema: {
      MgoIndexKeys: spec.keys.map(([field, direction]) => ({ Name: field, Direction: String(direction) })),
      MgoIsUnique: spec.unique,
    },
  };
}

function describeSpec(keys: Array<[string, string]>, unique: boolean): string {
  return `${keys.map(([f, d]) => `${f}:${d}`).join(', ')}${unique ? ' (unique)' : ''}`;
}

/** An index's keys as one comparable text ("phone:1,day:-1"): CloudBase/MongoDB identify an index by its keys. */
const keysOf = (keys: Array<[string, string | number]>) => keys.map(([f, d]) => `${f}:${String(d)}`).join(',');

export function planIndexes(collection: string, declared: IndexSpec[], live: LiveIndex[]): IndexPlan {
  const plan: IndexPlan = { collection, create: [], same: [], differing: [], undeclared: [] };
  const liveKeys = (l: LiveIndex) => keysOf((l.Keys ?? []).map((k) => [k.Name ?? '?', String(k.Direction ?? '?')]));
  const matched = new Set<string>();
  for (const spec of declared) {
    const want = describeSpec(
      spec.keys.map(([f, d]) => [f, String(d)]),
      spec.unique,
    );
    // The same keys online under any name is this index (MongoDB refuses a second one).
    const online = live.find((l) => liveKeys(l) === keysOf(spec.keys)) ?? live.find((l) => l.Name === spec.name);
    if (!online) {
      plan.create.push(spec);
      continue;
    }
    matched.add(online.Name);
    const have = describeSpec(
      (online.Keys ?? []).map((k) => [k.Name ?? '?', String(k.Direction ?? '?')]),
      online.Unique === true,
    );
    if (want === have) plan.same.push(online.Name === spec.name ? spec.name : `${spec.name} (online as "${online.Name}")`);
    else plan.differing.push({ name: spec.name, declared: want, live: online.Name === spec.name ? have : `"${online.Name}" ${have}` });
  }
  for (const l of live) if (l.Name !== ID_INDEX.name && !matched.has(l.Name)) plan.undeclared.push(l.Name);
  return plan;
}

/** Two declared indexes of a collection on the same keys: the cloud would refuse the second. */
export function duplicateIndexKeys(byCollection: Record<string, IndexSpec[]>): string[] {
  const problems: string[] = [];
  for (const [collection, specs] of Object.entries(byCollection)) {
    const seen = new Map<string, string>();
    for (const spec of specs) {
      const keys = keysOf(spec.keys);
      const first = seen.get(keys);
      if (first) problems.push(`database-indexes/${collection}.json: "${spec.name}" has the same keys as "${first}" (${keys}); keep one`);
      else seen.set(keys, spec.name);
    }
  }
  return problems;
}

/**
 * Problems with the files, for the dry run and doctor: unreadable or malformed files,
 * and files for collections the project does not have (no database-rules/ file).
 */
export function checkIndexFiles(root: string): string[] {
  const { byCollection, problems } = loadIndexDir(root);
  const rulesDir = join(root, 'database-rules');
  const collections = new Set(
    existsSync(rulesDir)
      ? readdirSync(rulesDir)
          .filter((f) => f.endsWith('.json'))
          .map((f) => f.slice(0, -5))
      : [],
  );
  problems.push(...duplicateIndexKeys(byCollection));
  for (const name of Object.keys(byCollection)) {
    if (!collections.has(name)) problems.push(`database-indexes/${name}.json: no collection "${name}" (no database-rules/${name}.json)`);
  }
  return problems;
}

/**
 * Creates the declared indexes missing online and reads every collection back. Answers
 * one plan per collection (as found before creating) and lines to print; throws when a
 * created index does not show up when read back.
 */
export async function applyIndexes(
  api: IndexApi,
  byCollection: Record<string, IndexSpec[]>,
  log: (line: string) => void = () => {},
): Promise<IndexPlan[]> {
  const plans: IndexPlan[] = [];
  for (const [collection, declared] of Object.entries(byCollection).sort(([a], [b]) => a.localeCompare(b))) {
    const before = await api.describeCollection(collection);
    const plan = planIndexes(collection, declared, before.Indexes ?? []);
    plans.push(plan);
    if (plan.create.length) {
      await api.updateCollection(collection, { CreateIndexes: plan.create.map(toCreateIndex) });
      const after = await api.describeCollection(collection);
      const missing = planIndexes(collection, plan.create, after.Indexes ?? []).create.map((c) => c.name);
      if (missing.length) throw new Error(`indexes of "${collection}" not found when read back after creating them: ${missing.join(', ')}`);
    }
    for (const spec of plan.create)
      log(
        `  ✓ index ${collection}.${spec.name} (${describeSpec(
          spec.keys.map(([f, d]) => [f, String(d)]),
          spec.unique,
        )}) — created, read back`,
      );
    for (const name of plan.same) log(`  ✓ index ${collection}.${name} — already there`);
    for (const d of plan.differing)
      log(
        `  ! index ${collection}.${d.name}: declared ${d.declared}, online ${d.live} — left as it is; drop it in the console to have it rebuilt`,
      );
    for (const name of plan.undeclared)
      log(`  ! index ${collection}.${name} is online but not in database-indexes/${collection}.json — left in place`);
  }
  return plans;
}

export type { IndexDirection };
