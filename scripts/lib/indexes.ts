/**
 * Applying `database-indexes/` to a CloudBase environment, for `npm run deploy` (and
 * checking it, for the dry run and `npm run doctor`). The emulator reads the same files
 * (emulator/store/indexes.ts) to plan queries.
 *
 * - Declared indexes missing online are created (`updateCollection` with
 *   `CreateIndexes`, then read back with `describeCollection`).
 * - An online index of the same name with other keys or uniqueness is reported, never
 *   changed: rebuilding an index on a live collection is a decision for a person.
 * - Online indexes nobody declared are reported, never dropped.
 *
 * The manager API's shapes are those of @cloudbase/manager-node's typings
 * (`MgoKeySchema { MgoIndexKeys: [{ Name, Direction }], MgoIsUnique }`); Direction as
 * the strings "1", "-1" and "2dsphere" is our reading of them, unconfirmed.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ID_INDEX, loadIndexDir, type IndexDirection, type IndexSpec } from '../../emulator/store/indexes';

export type { IndexSpec } from '../../emulator/store/indexes';

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

export function planIndexes(collection: string, declared: IndexSpec[], live: LiveIndex[]): IndexPlan {
  const plan: IndexPlan = { collection, create: [], same: [], differing: [], undeclared: [] };
  const byName = new Map(live.map((l) => [l.Name, l]));
  for (const spec of declared) {
    const online = byName.get(spec.name);
    if (!online) {
      plan.create.push(spec);
      continue;
    }
    const want = describeSpec(
      spec.keys.map(([f, d]) => [f, String(d)]),
      spec.unique,
    );
    const have = describeSpec(
      (online.Keys ?? []).map((k) => [k.Name ?? '?', String(k.Direction ?? '?')]),
      online.Unique === true,
    );
    if (want === have) plan.same.push(spec.name);
    else plan.differing.push({ name: spec.name, declared: want, live: have });
  }
  const names = new Set(declared.map((d) => d.name));
  for (const l of live) if (l.Name !== ID_INDEX.name && !names.has(l.Name)) plan.undeclared.push(l.Name);
  return plan;
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
      const present = new Set((after.Indexes ?? []).map((i) => i.Name));
      const missing = plan.create.filter((c) => !present.has(c.name)).map((c) => c.name);
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
