/**
 * Indexes as code: the emulator plans each query against the declared indexes
 * (database-indexes/<collection>.json), counts what it examines in GET /v1/stats, and
 * in strict mode (CLOUDBASE_EMULATOR_STRICT_INDEXES=1) fails an unindexed query with
 * DATABASE_TIMEOUT — CloudBase's answer to a scan too slow for its time limit
 * (docs.cloudbase.net error-code/DATABASE_TIMEOUT: "add indexes"). Driven through the
 * pinned @cloudbase/node-sdk against POST /admin.
 */
import { loadIndexDir, parseIndexFile, type IndexSpec } from '../packages/cloudbase-emulator/src/store/indexes';
import { PROJECT_ROOT } from '../scripts/lib/cloudbaserc';
import { connectNodeSdk } from './support/node-sdk';
import { startEmulator, type TestEmulator } from './support/emulator';

/* eslint-disable @typescript-eslint/no-explicit-any */
const indexes: Record<string, IndexSpec[]> = {
  things: [
    {
      name: 'owner_day',
      keys: [
        ['owner', 1],
        ['day', -1],
      ],
      unique: false,
    },
    { name: 'code', keys: [['code', 1]], unique: true },
    { name: 'where', keys: [['at', '2dsphere']], unique: false },
  ],
};

interface Counters {
  count: number;
  examined: number;
  returned: number;
  unindexed: number;
}

let t: TestEmulator;
let strict: TestEmulator;
let db: any;
let strictDb: any;

beforeAll(async () => {
  [t, strict] = await Promise.all([
    startEmulator({ collections: ['things', 'others'], indexes, strictIndexes: false }),
    startEmulator({ collections: ['things', 'others'], indexes, strictIndexes: true }),
  ]);
  db = connectNodeSdk(t.url);
  strictDb = connectNodeSdk(strict.url);
});
afterAll(() => Promise.all([t.stop(), strict.stop()]));

async function seed(target: any, n = 40): Promise<void> {
  const docs = Array.from({ length: n }, (_, i) => ({
    _id: `d${String(i).padStart(3, '0')}`,
    owner: `o${i % 4}`,
    day: `2026-01-${String((i % 28) + 1).padStart(2, '0')}`,
    code: `c${i}`,
  }));
  await target.collection('things').add(docs);
}

/** The counters one call adds, read from GET /v1/stats. */
async function measure(call: () => Promise<unknown>): Promise<Counters> {
  const read = async () =>
    (await t.http<{ queries: Record<string, Counters> }>('GET', '/v1/stats')).body.queries.things ?? {
      count: 0,
      examined: 0,
      returned: 0,
      unindexed: 0,
    };
  const before = await read();
  await call();
  const after = await read();
  return {
    count: after.count - before.count,
    examined: after.examined - before.examined,
    returned: after.returned - before.returned,
    unindexed: after.unindexed - before.unindexed,
  };
}

describe('GET /v1/stats counts what each query examines', () => {
  beforeAll(async () => {
    await t.reset();
    await seed(db);
  });
  const things = () => db.collection('things');
  const _ = () => db.command;

  test('an index on the leading field: only the documents of that owner are examined', async () => {
    expect(await measure(() => things().where({ owner: 'o1' }).get())).toEqual({ count: 1, examined: 10, returned: 10, unindexed: 0 });
  });

  test('equality then order by the next key, with a limit: as many examined as returned', async () => {
    expect(await measure(() => things().where({ owner: 'o1' }).orderBy('day', 'desc').limit(3).get())).toEqual({
      count: 1,
      examined: 3,
      returned: 3,
      unindexed: 0,
    });
    // The index read backwards gives ascending order too.
    expect(await measure(() => things().where({ owner: 'o2' }).orderBy('day', 'asc').limit(2).get())).toMatchObject({
      examined: 2,
      unindexed: 0,
    });
  });

  test('a field no index leads with is a collection scan: every document examined, unindexed', async () => {
    expect(await measure(() => things().where({ day: '2026-01-05' }).get())).toEqual({ count: 1, examined: 40, returned: 2, unindexed: 1 });
  });

  test('$neq bounds nothing, $or needs every branch indexed', async () => {
    expect(
      await measure(() =>
        things()
          .where({ owner: _().neq('o1') })
          .get(),
      ),
    ).toMatchObject({ examined: 40, unindexed: 1 });
    expect(
      await measure(() =>
        things()
          .where(_().or([{ owner: 'o1' }, { code: 'c2' }]))
          .get(),
      ),
    ).toMatchObject({ examined: 11, unindexed: 0 });
    expect(
      await measure(() =>
        things()
          .where(_().or([{ owner: 'o1' }, { day: '2026-01-02' }]))
          .get(),
      ),
    ).toMatchObject({ examined: 40, unindexed: 1 });
  });

  test('_id is always indexed; a count of everything reads no document; updates and removals are planned too', async () => {
    expect(await measure(() => things().doc('d007').get())).toEqual({ count: 1, examined: 1, returned: 1, unindexed: 0 });
    expect(await measure(() => things().count())).toEqual({ count: 1, examined: 0, returned: 40, unindexed: 0 });
    expect(await measure(() => things().where({ day: '2026-01-09' }).update({ seen: true }))).toMatchObject({ count: 1, unindexed: 1 });
    expect(await measure(() => things().where({ code: 'c39' }).remove())).toEqual({ count: 1, examined: 1, returned: 1, unindexed: 0 });
  });

  test('an empty filter with no order is not unindexed (any N documents are cheap); with an order no index gives, it is', async () => {
    expect(await measure(() => things().limit(5).get())).toEqual({ count: 1, examined: 5, returned: 5, unindexed: 0 });
    expect(await measure(() => things().orderBy('code', 'asc').limit(5).get())).toEqual({
      count: 1,
      examined: 5,
      returned: 5,
      unindexed: 0,
    });
    expect(await measure(() => things().orderBy('day', 'asc').limit(5).get())).toMatchObject({ examined: 39, unindexed: 1 });
  });

  test("the emulator's own inspection (GET /v1/db/:collection) is not counted", async () => {
    expect(await measure(() => t.docs('things'))).toEqual({ count: 0, examined: 0, returned: 0, unindexed: 0 });
  });

  test('the latest unindexed queries name their fields, to tell which index is missing', async () => {
    await things()
      .where({ day: '2026-01-03', owner: _().exists(false) })
      .get();
    const { body } = await t.http<{ unindexedQueries: Array<{ collection: string; action: string; fields: string[] }> }>(
      'GET',
      '/v1/stats',
    );
    expect(body.unindexedQueries.at(-1)).toEqual({ collection: 'things', action: 'read', fields: ['day', 'owner'], sort: [] });
  });
});

describe('strict mode (CLOUDBASE_EMULATOR_STRICT_INDEXES=1)', () => {
  beforeAll(async () => {
    await strict.reset();
    await seed(strictDb, 8);
  });

  test('an unindexed query fails with DATABASE_TIMEOUT naming the collection and the file to fix', async () => {
    await expect(strictDb.collection('things').where({ day: '2026-01-01' }).get()).rejects.toMatchObject({
      code: 'DATABASE_TIMEOUT',
      message: expect.stringContaining('database-indexes/things.json'),
    });
    await expect(strictDb.collection('things').where({ day: '2026-01-01' }).count()).rejects.toMatchObject({ code: 'DATABASE_TIMEOUT' });
    await expect(
      strictDb
        .collection('things')
        .where({ owner: strictDb.command.neq('o1') })
        .update({ x: 1 }),
    ).rejects.toMatchObject({ code: 'DATABASE_TIMEOUT' });
    // A geo query needs its 2dsphere index: `others` declares none.
    await strictDb.collection('others').add({ at: new strictDb.Geo.Point(1, 1) });
    await expect(
      strictDb
        .collection('others')
        .where({ at: strictDb.command.geoNear({ geometry: new strictDb.Geo.Point(1, 1), maxDistance: 10 }) })
        .get(),
    ).rejects.toMatchObject({ code: 'DATABASE_TIMEOUT' });
  });

  test('indexed queries, _id reads, transactions and geo on a 2dsphere index work', async () => {
    const things = strictDb.collection('things');
    expect((await things.where({ owner: 'o1', day: strictDb.command.gte('2026-01-01') }).get()).data).toHaveLength(2);
    expect((await things.doc('d001').get()).data).toHaveLength(1);
    await strictDb.runTransaction(async (tx: any) => {
      const { data } = await tx.collection('things').doc('d001').get();
      await tx
        .collection('things')
        .doc('d001')
        .update({ n: (data.n ?? 0) + 1 });
    });
    await things.add({ _id: 'geo', owner: 'g', code: 'geo', at: new strictDb.Geo.Point(113.3, 23.1) });
    expect(
      (
        await things.where({ at: strictDb.command.geoNear({ geometry: new strictDb.Geo.Point(113.3, 23.1), maxDistance: 10 }) }).get()
      ).data.map((d: any) => d._id),
    ).toEqual(['geo']);
  });
});

describe('unique indexes', () => {
  beforeEach(() => t.reset());

  test('a second document with the same key is refused with E11000 naming the index; nothing is written', async () => {
    await db.collection('things').add({ code: 'x' });
    await expect(db.collection('things').add({ code: 'x' })).rejects.toMatchObject({
      code: 'DATABASE_REQUEST_FAILED',
      message: expect.stringMatching(/E11000 duplicate key error collection: things index: code dup key/),
    });
    expect((await db.collection('things').count()).total).toBe(1);
    // MongoDB: a missing field is null for a unique index, so only one document may lack it.
    await db.collection('things').add({ other: 1 });
    await expect(db.collection('things').add({ other: 2 })).rejects.toMatchObject({ code: 'DATABASE_REQUEST_FAILED' });
    // Updating into a taken key is refused too.
    const { id } = await db.collection('things').add({ code: 'y' });
    await expect(db.collection('things').doc(id).update({ code: 'x' })).rejects.toMatchObject({ code: 'DATABASE_REQUEST_FAILED' });
  });

  test('two transactions adding the same unique key: the second to commit conflicts', async () => {
    const tx1 = await db.startTransaction();
    const tx2 = await db.startTransaction();
    await tx1.collection('things').add({ code: 'same' });
    await tx2.collection('things').add({ code: 'same' });
    await tx1.commit();
    await expect(tx2.commit()).rejects.toMatchObject({ code: 'DATABASE_TRANSACTION_CONFLICT' });
    expect((await db.collection('things').where({ code: 'same' }).count()).total).toBe(1);
  });
});

describe('database-indexes/ files', () => {
  test('mistakes are reported naming the file and field', () => {
    expect(parseIndexFile('c', { indexes: [{ name: 'a', keys: { x: 2 } }] }).problems).toEqual([
      'database-indexes/c.json indexes[0].keys.x: must be 1, -1 or "2dsphere"',
    ]);
    expect(parseIndexFile('c', { indexes: [{ name: 'a', keys: {} }] }).problems[0]).toMatch(/indexes\[0\]\.keys/);
    expect(parseIndexFile('c', { indexes: [{ name: '_id_', keys: { x: 1 } }] }).problems[0]).toMatch(/name/);
    expect(parseIndexFile('c', { indexes: [{ name: 'a', keys: { x: 1 }, unique: 'yes' }] }).problems[0]).toMatch(/unique/);
    expect(parseIndexFile('c', [{ name: 'a' }]).problems[0]).toMatch(/"indexes" array/);
    // CloudBase's limits: 100 indexes per collection, 31 fields per index.
    const many = Array.from({ length: 100 }, (_, i) => ({ name: `i${i}`, keys: { [`f${i}`]: 1 } }));
    expect(parseIndexFile('c', { indexes: many }).problems).toEqual([
      "database-indexes/c.json: CloudBase allows at most 100 indexes per collection, _id's included",
    ]);
    const wide = Object.fromEntries(Array.from({ length: 32 }, (_, i) => [`f${i}`, 1]));
    expect(parseIndexFile('c', { indexes: [{ name: 'w', keys: wide }] }).problems[0]).toMatch(/at most 31 fields/);
    expect(parseIndexFile('c', { indexes: [{ name: 'a', keys: { x: 1, 'y.z': -1 }, unique: true }] })).toEqual({
      indexes: [
        {
          name: 'a',
          keys: [
            ['x', 1],
            ['y.z', -1],
          ],
          unique: true,
        },
      ],
      problems: [],
    });
  });

  test("the project's own declarations load without problems", () => {
    expect(loadIndexDir(PROJECT_ROOT).problems).toEqual([]);
  });
});
