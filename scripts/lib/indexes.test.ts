import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyIndexes, checkIndexFiles, planIndexes, toCreateIndex, type IndexApi, type IndexSpec, type LiveIndex } from './indexes';

const byDay: IndexSpec = {
  name: 'openid_day',
  keys: [
    ['openid', 1],
    ['day', -1],
  ],
  unique: false,
};
const code: IndexSpec = { name: 'code', keys: [['code', 1]], unique: true };

/** A fake environment: collections with their online indexes, recording calls. */
function fakeApi(live: Record<string, LiveIndex[]>, opts: { dropOnCreate?: boolean } = {}): IndexApi & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async describeCollection(name) {
      calls.push(`describe ${name}`);
      return { Indexes: live[name] ?? [] };
    },
    async updateCollection(name, change) {
      calls.push(`create ${name} ${change.CreateIndexes.map((c) => c.IndexName).join(',')}`);
      if (opts.dropOnCreate) return {};
      live[name] = [
        ...(live[name] ?? []),
        ...change.CreateIndexes.map((c) => ({ Name: c.IndexName, Keys: c.MgoKeySchema.MgoIndexKeys, Unique: c.MgoKeySchema.MgoIsUnique })),
      ];
      return {};
    },
  };
}

test('the manager API shape of a declared index', () => {
  expect(toCreateIndex(byDay)).toEqual({
    IndexName: 'openid_day',
    MgoKeySchema: {
      MgoIndexKeys: [
        { Name: 'openid', Direction: '1' },
        { Name: 'day', Direction: '-1' },
      ],
      MgoIsUnique: false,
    },
  });
});

test('plan: missing ones created, same ones kept, different or undeclared ones only reported', () => {
  const live: LiveIndex[] = [
    { Name: '_id_', Keys: [{ Name: '_id', Direction: '1' }], Unique: true },
    { Name: 'code', Keys: [{ Name: 'code', Direction: '1' }], Unique: false },
    { Name: 'old', Keys: [{ Name: 'x', Direction: '1' }] },
  ];
  expect(planIndexes('phone_charges', [byDay, code], live)).toEqual({
    collection: 'phone_charges',
    create: [byDay],
    same: [],
    differing: [{ name: 'code', declared: 'code:1 (unique)', live: 'code:1' }],
    undeclared: ['old'],
  });
});

test('apply creates what is missing, reads it back, and a second run changes nothing', async () => {
  const api = fakeApi({ phone_charges: [{ Name: '_id_', Keys: [{ Name: '_id', Direction: '1' }], Unique: true }] });
  const lines: string[] = [];
  await applyIndexes(api, { phone_charges: [byDay, code] }, (l) => lines.push(l));
  expect(api.calls).toEqual(['describe phone_charges', 'create phone_charges openid_day,code', 'describe phone_charges']);
  expect(lines.join('\n')).toMatch(/openid_day .* created, read back/);
  api.calls.length = 0;
  const plans = await applyIndexes(api, { phone_charges: [byDay, code] });
  expect(api.calls).toEqual(['describe phone_charges']);
  expect(plans[0]).toMatchObject({ create: [], same: ['openid_day', 'code'] });
});

test('apply fails when a created index does not read back', async () => {
  await expect(applyIndexes(fakeApi({}, { dropOnCreate: true }), { users: [code] })).rejects.toThrow(
    /users.*not found when read back.*code/,
  );
});

test('file checks: malformed files and files for unknown collections', () => {
  const root = mkdtempSync(join(tmpdir(), 'qp-indexes-'));
  mkdirSync(join(root, 'database-rules'));
  mkdirSync(join(root, 'database-indexes'));
  writeFileSync(join(root, 'database-rules', 'users.json'), '{}');
  writeFileSync(join(root, 'database-indexes', 'users.json'), JSON.stringify({ indexes: [{ name: 'a', keys: { x: 1 } }] }));
  writeFileSync(join(root, 'database-indexes', 'ghosts.json'), JSON.stringify({ indexes: [] }));
  writeFileSync(join(root, 'database-indexes', 'broken.json'), '{');
  const problems = checkIndexFiles(root);
  expect(problems).toHaveLength(2);
  expect(problems.join('\n')).toMatch(/broken\.json: not JSON/);
  expect(problems.join('\n')).toMatch(/ghosts\.json: no collection "ghosts"/);
});

test("the project's files pass the checks", () => {
  expect(checkIndexFiles(join(__dirname, '..', '..'))).toEqual([]);
});
