/**
 * Actions and operators as CloudBase answers them, driven through the pinned
 * @cloudbase/node-sdk 3.17.2 (@cloudbase/database 1.4.3) against `POST /admin`.
 *
 * "CloudBase:" notes cite the SDK authors' own suite run against CloudBase
 * (TencentCloudBase/node-sdk test/database/unit/<file>.test.ts › '<case>');
 * "MongoDB:" notes name MongoDB's documented answer where no CloudBase source says
 * more. See docs/emulator.md "Fidelity".
 */
import { connectNodeSdk } from './support/node-sdk';
import { startEmulator, type TestEmulator } from './support/emulator';

/* eslint-disable @typescript-eslint/no-explicit-any */
let t: TestEmulator;
let db: any;
let _: any;
let $: any;

beforeAll(async () => {
  t = await startEmulator({ collections: ['things', 'others'], strictIndexes: false }); // operators, not indexes, under test
  db = connectNodeSdk(t.url);
  _ = db.command;
  $ = _.aggregate;
});
afterAll(() => t.stop());
beforeEach(() => t.reset());

const things = () => db.collection('things');

describe('actions', () => {
  test('where().updateAndReturn() answers { updated, doc } with the new document, or { updated: 0, doc: null }', async () => {
    await things().add({ _id: 'c', n: 1 });
    // database.modifyAndReturnDoc: findAndModify returning the document after the update.
    expect(
      await things()
        .where({ _id: 'c' })
        .updateAndReturn({ n: _.inc(1) }),
    ).toEqual({ requestId: expect.any(String), updated: 1, doc: { _id: 'c', n: 2 } });
    expect(
      await things()
        .where({ _id: 'nothing' })
        .updateAndReturn({ n: _.inc(1) }),
    ).toEqual({ requestId: expect.any(String), updated: 0, doc: null });
    expect((await things().doc('c').get()).data).toEqual([{ _id: 'c', n: 2 }]);
  });

  test('set() with the content already stored answers updated: 1', async () => {
    const data = { name: 'x', point: new db.Geo.Point(1, 2), tags: ['a'] };
    const { id } = await things().add(data);
    // CloudBase (geo-advanced › 'GEO Advanced - CRUD'): set(initialData) on the same content → updated 1.
    expect((await things().doc(id).set(data)).updated).toBe(1);
  });

  test('a field name starting with $ is refused with DATABASE_REQUEST_FAILED and nothing is written', async () => {
    await expect(things().add({ $bad: 1 })).rejects.toMatchObject({
      code: 'DATABASE_REQUEST_FAILED',
      message: expect.stringContaining('$bad'),
    });
    await expect(things().add({ ok: { $nested: 1 } })).rejects.toMatchObject({ code: 'DATABASE_REQUEST_FAILED' });
    await things().add({ _id: 'd', ok: 1 });
    await expect(things().doc('d').set({ $x: 1 })).rejects.toMatchObject({ code: 'DATABASE_REQUEST_FAILED' });
    expect((await things().get()).data).toEqual([{ _id: 'd', ok: 1 }]);
  });
});

test('a query MongoDB refuses (unknown operator) answers DATABASE_REQUEST_FAILED', async () => {
  await things().add({ a: 1 });
  await expect(
    things()
      .where({ a: { $nonsense: 1 } })
      .get(),
  ).rejects.toMatchObject({ code: 'DATABASE_REQUEST_FAILED', message: expect.stringContaining('$nonsense') });
});

test('arithmetic on a non-number and array operators on a non-array are refused, nothing written', async () => {
  await things().add({ _id: 'u', n: null, s: 'x', a: [1] });
  const refused = { code: 'DATABASE_REQUEST_FAILED' };
  // MongoDB: "Cannot apply $inc to a value of non-numeric type … has the field 'n' of non-numeric type null".
  await expect(
    things()
      .doc('u')
      .update({ n: _.inc(1) }),
  ).rejects.toMatchObject({ ...refused, message: expect.stringContaining('non-numeric type null') });
  await expect(
    things()
      .doc('u')
      .update({ s: _.mul(2) }),
  ).rejects.toMatchObject(refused);
  await expect(
    things()
      .doc('u')
      .update({ s: _.push(1) }),
  ).rejects.toMatchObject({ ...refused, message: expect.stringContaining('must be an array') });
  await expect(things().doc('u').update({ s: _.pop() })).rejects.toMatchObject(refused);
  await expect(
    things()
      .where({ _id: 'u' })
      .update({ a: _.push(2), n: _.inc(1) }),
  ).rejects.toMatchObject(refused);
  expect((await things().doc('u').get()).data).toEqual([{ _id: 'u', n: null, s: 'x', a: [1] }]);
  // A missing field is created: $inc starts from 0, $push from [].
  await things()
    .doc('u')
    .update({ m: _.inc(2), b: _.push(1) });
  expect((await things().doc('u').get()).data[0]).toMatchObject({ m: 2, b: [1] });
});

test('push({ each, slice }) keeps the last n; neq on an array matches when no element equals it (a count-once update)', async () => {
  // CloudBase: Command.push's each/slice (cloud function SDK 1.2.1+); MongoDB: $push $slice, $ne on arrays.
  await things().add({ _id: 'day', count: 0 });
  const countOnce = (id: string) =>
    things()
      .where({ _id: 'day', ids: _.neq(id) })
      .update({ count: _.inc(1), ids: _.push({ each: [id], slice: -2 }) });
  expect((await countOnce('a')).updated).toBe(1); // no list yet: created
  expect((await countOnce('a')).updated).toBe(0); // listed: nothing written
  expect((await countOnce('b')).updated).toBe(1);
  expect((await countOnce('c')).updated).toBe(1);
  expect((await things().doc('day').get()).data).toEqual([{ _id: 'day', count: 3, ids: ['b', 'c'] }]);
  expect((await countOnce('a')).updated).toBe(1); // fallen off the kept list: counted again
});

test('orderBy as MongoDB sorts: types in BSON order, arrays by their smallest (asc) or largest (desc) element', async () => {
  await things().add([
    { _id: 'num', v: 10 },
    { _id: 'str', v: '20' },
    { _id: 'nul', v: null },
    { _id: 'mis' },
    { _id: 'date', v: new Date('2020-01-01T00:00:00Z') },
    { _id: 'bool', v: true },
    { _id: 'arr', v: [5, 30] },
  ]);
  const order = async (dir: 'asc' | 'desc') =>
    (await things().orderBy('v', dir).orderBy('_id', 'asc').get()).data.map((d: { _id: string }) => d._id);
  // MongoDB: null and missing equal and first, then numbers, strings, booleans, dates; [5, 30] sorts as 5 ascending, 30 descending.
  expect(await order('asc')).toEqual(['mis', 'nul', 'arr', 'num', 'str', 'bool', 'date']);
  expect(await order('desc')).toEqual(['date', 'bool', 'str', 'arr', 'num', 'mis', 'nul']);
});

describe('_id values', () => {
  test('a numeric _id stays a number: doc(n).get() and doc(n).remove() find it', async () => {
    const id = 1795949394506;
    // CloudBase (transaction › 'insert with custom docid'): res.id == docId.
    expect((await things().add({ _id: id, x: 1 })).id).toBe(id);
    expect((await things().doc(id).get()).data).toEqual([{ _id: id, x: 1 }]);
    // A string of the same digits is another _id (MongoDB compares by type).
    expect((await things().doc(String(id)).get()).data).toEqual([]);
    expect((await things().doc(id).remove()).deleted).toBe(1);
    expect((await things().count()).total).toBe(0);
  });

  test('an ObjectId _id is kept; ObjectIds read back as their hex string; $lookup joins on them', async () => {
    const a = '5f1b2c3d4e5f6a7b8c9d0e1f';
    const b = '5f1b2c3d4e5f6a7b8c9d0e20';
    // CloudBase (oid › 'test _id 为oid 结构插入'): addRes.id === the hex string.
    expect((await things().add({ _id: db.ObjectId({ id: a }), inviter: db.ObjectId({ id: b }), name: 'test' })).id).toBe(a);
    // CloudBase (oid › 'test 非 _id 为oid 结构插入'): where({ a: ObjectId }) finds it, data[0].a === hex.
    const found = await things()
      .where({ inviter: db.ObjectId({ id: b }) })
      .get();
    expect(found.data).toEqual([{ _id: a, inviter: b, name: 'test' }]);
    // An ObjectId is not its hex string (MongoDB compares by type).
    expect((await things().where({ inviter: b }).count()).total).toBe(0);
    // CloudBase (oid › 'test 联表 _id 与 非_id字段'): $lookup on ObjectId fields finds the other side.
    await db.collection('others').add({ _id: db.ObjectId({ id: b }), inviter: db.ObjectId({ id: a }), name: 'test1' });
    const joined = await db
      .collection('others')
      .aggregate()
      .lookup({ from: 'things', localField: 'inviter', foreignField: '_id', as: 'joined' })
      .end();
    expect(joined.data[0].joined).toEqual([{ _id: a, inviter: b, name: 'test' }]);
  });
});

describe('query operators', () => {
  beforeEach(async () => {
    await things().add([
      { _id: 'number', category: 'number', tags: [1, 2, 3, 4, 5, 6, 7, 8, 9] },
      { _id: 'embedded', category: 'embedded', tags: [{ value: 1 }, { value: 7 }] },
      { _id: 'strings', category: 'Web', tags: ['Go', 'C#'] },
    ]);
  });

  test('elemMatch with field conditions matches embedded documents only, never plain values', async () => {
    const ids = async (q: unknown) => (await things().where({ tags: q }).get()).data.map((d: { _id: string }) => d._id);
    // CloudBase (advanced-operator › exists › 'Array of Embedded Documents'): one result, 'embedded'.
    expect(await ids(_.elemMatch({ value: _.exists(true) }))).toEqual(['embedded']);
    // CloudBase (advanced-operator › mod › 'Array of Embedded Documents'): one result, 'embedded'.
    expect(await ids(_.elemMatch({ value: _.mod([4, 3]) }))).toEqual(['embedded']);
    // MongoDB: a negated field condition still needs a document element.
    expect(await ids(_.elemMatch({ value: _.neq(100) }))).toEqual(['embedded']);
    // CloudBase (advanced-operator › elemMatch › 'Element Match'): conditions on the element itself.
    expect(await ids(_.elemMatch(_.gt(2)))).toEqual(['number']);
  });

  test('jsonSchema in where, and under nor', async () => {
    // CloudBase (advanced-operator › jsonSchema › 'where' / 'nor'): every document / none.
    expect(
      (
        await things()
          .where(_.jsonSchema({ required: ['category'] }))
          .get()
      ).data,
    ).toHaveLength(3);
    expect(
      (
        await things()
          .where(_.nor([_.jsonSchema({ required: ['category'] })]))
          .get()
      ).data,
    ).toHaveLength(0);
    // MongoDB's dialect: bsonType, properties, items, enum.
    const schema = { properties: { tags: { bsonType: 'array', items: { bsonType: 'int' } }, category: { enum: ['number', 'Web'] } } };
    expect((await things().where(_.jsonSchema(schema)).get()).data.map((d: { _id: string }) => d._id)).toEqual(['number']);
    await expect(
      things()
        .where(_.jsonSchema({ $ref: '#/x' }))
        .get(),
    ).rejects.toMatchObject({ code: 'DATABASE_REQUEST_FAILED' });
  });
});

describe('geo (2dsphere)', () => {
  const attractions = () => [
    { _id: 'geoNear.0', city: 'Guangzhou', location: new db.Geo.Point(113.30593, 23.1361155), name: 'Canton Tower', old: false },
    { _id: 'geoNear.1', city: 'Hangzhou', location: new db.Geo.Point(113.306789, 23.1564721), name: 'Baiyun Mountain', old: true },
    { _id: 'geoNear.2', city: 'Beijing', location: new db.Geo.Point(116.3949659, 39.9163447), name: 'The Palace Museum', old: false },
  ];

  test('aggregate().geoNear(): distances in meters, nearest first, with query, key and includeLocs', async () => {
    await things().add(attractions());
    const res = await things()
      .aggregate()
      .geoNear({
        distanceField: 'distance',
        spherical: true,
        near: new db.Geo.Point(113.3089506, 23.0968251),
        query: { city: /zhou/, old: true },
        key: 'location',
        includeLocs: 'location',
      })
      .end();
    // CloudBase (aggregation › geoNear › 'geoNear'): one result, Hangzhou, distance === 6643.521654040738.
    expect(res.data).toHaveLength(1);
    expect(res.data[0].city).toBe('Hangzhou');
    expect(res.data[0].distance).toBe(6643.521654040738);
    // Without key: the only field holding GeoJSON (a plain number pair elsewhere is not taken for one).
    await things()
      .doc('geoNear.0')
      .update({ pair: [1, 2] });
    const all = await things()
      .aggregate()
      .geoNear({ distanceField: 'd', spherical: true, near: new db.Geo.Point(113.3089506, 23.0968251) })
      .end();
    expect(all.data.map((d: { _id: string }) => d._id)).toEqual(['geoNear.0', 'geoNear.1', 'geoNear.2']);
  });

  test('where geoNear: within maxDistance, nearest first; points read back as Geo.Point', async () => {
    await things().add(attractions());
    const near = (maxDistance: number) =>
      things()
        .where({ location: _.geoNear({ geometry: new db.Geo.Point(116.39, 39.91), maxDistance }) })
        .get();
    // MongoDB $nearSphere: nearest first (Beijing, then 1 887 440 m and 1 889 696 m away), cut at maxDistance.
    const res = await near(2_000_000);
    expect(res.data.map((d: { _id: string }) => d._id)).toEqual(['geoNear.2', 'geoNear.1', 'geoNear.0']);
    expect((await near(1_888_000)).data.map((d: { _id: string }) => d._id)).toEqual(['geoNear.2', 'geoNear.1']);
    expect(res.data[0].location).toBeInstanceOf(db.Geo.Point);
    // CloudBase (geo-advanced › 'GEO - geoNear'): the point itself, maxDistance 1, minDistance 0.
    const self = await things()
      .where({ location: _.geoNear({ geometry: new db.Geo.Point(116.3949659, 39.9163447), maxDistance: 1, minDistance: 0 }) })
      .get();
    expect(self.data.map((d: { _id: string }) => d._id)).toEqual(['geoNear.2']);
    const none = await things()
      .where({ location: _.geoNear({ geometry: new db.Geo.Point(0, 0), maxDistance: 1000 }) })
      .get();
    expect(none.data).toEqual([]);
  });

  test('geoWithin (polygon with a hole, centerSphere) and geoIntersects', async () => {
    const P = db.Geo.Point;
    const ring = (points: number[][]) => new db.Geo.LineString(points.map(([x, y]) => new P(x, y)));
    const square = new db.Geo.Polygon([
      ring([
        [-2, -2],
        [2, -2],
        [2, 2],
        [-2, 2],
        [-2, -2],
      ]),
    ]);
    const withHole = new db.Geo.Polygon([
      ring([
        [-2, -2],
        [2, -2],
        [2, 2],
        [-2, 2],
        [-2, -2],
      ]),
      ring([
        [-1, -1],
        [1, -1],
        [1, 1],
        [-1, 1],
        [-1, -1],
      ]),
    ]);
    await things().add([
      { _id: 'origin', at: new P(0, 0) },
      { _id: 'ring', at: new P(1.5, 1.5) },
      { _id: 'far', at: new P(10, 10) },
      { _id: 'road', at: new db.Geo.LineString([new P(-5, 0), new P(5, 0)]) },
    ]);
    const ids = async (q: unknown) => (await things().where({ at: q }).get()).data.map((d: { _id: string }) => d._id).sort();
    // CloudBase (geo-advanced › 'GEO - geoWithin'): Point(0, 0) is within the square.
    expect(await ids(_.geoWithin({ geometry: square }))).toEqual(['origin', 'ring']);
    expect(await ids(_.geoWithin({ geometry: withHole }))).toEqual(['ring']);
    // MongoDB: $centerSphere radius in radians (here ≈ 300 km around the origin).
    expect(await ids(_.geoWithin({ centerSphere: [new P(0, 0), 300 / 6378.1] }))).toEqual(['origin', 'ring']);
    // MongoDB: a line crossing the square intersects it though no vertex is inside.
    expect(await ids(_.geoIntersects({ geometry: square }))).toEqual(['origin', 'ring', 'road']);
  });
});

describe('aggregation expressions', () => {
  const date = new Date(1557826731686); // 2019-05-14T09:38:51.686Z, a Tuesday

  test('date operators as CloudBase answers them', async () => {
    await things().add({ date });
    const res = await things()
      .aggregate()
      .project({
        _id: 0,
        dayOfWeek: $.dayOfWeek('$date'),
        dayOfYear: $.dayOfYear('$date'),
        week: $.week('$date'),
        isoDayOfWeek: $.isoDayOfWeek('$date'),
        isoWeek: $.isoWeek('$date'),
        isoWeekYear: $.isoWeekYear('$date'),
        dateFromParts: $.dateFromParts({ year: 2017, month: 2, day: 8, hour: 12, timezone: 'America/New_York' }),
        dateFromString: $.dateFromString({ dateString: date.toISOString() }),
      })
      .end();
    // CloudBase (aggregation › Date › 'Date的各种操作符').
    expect(res.data[0]).toEqual({
      dayOfWeek: 3,
      dayOfYear: 134,
      week: 19,
      isoDayOfWeek: 2,
      isoWeek: 20,
      isoWeekYear: 2019,
      dateFromParts: new Date('2017-02-08T17:00:00.000Z'),
      dateFromString: date,
    });
  });

  test('China time: timezone arguments, and date strings without a zone', async () => {
    await things().add({ date });
    const res = await things()
      .aggregate()
      .project({
        _id: 0,
        hour: $.hour({ date: '$date', timezone: 'Asia/Shanghai' }),
        day: $.dateToString({ format: '%Y-%m-%d %H:%M', date: '$date', timezone: '+08:00' }),
        parsed: $.dateFromString({ dateString: '2019-05-14 17:38:51', timezone: 'Asia/Shanghai' }),
        iso: $.dateFromString({ dateString: '2019-05-14T17:38:51.686+08:00' }),
      })
      .end();
    // MongoDB: dateFromString reads "YYYY-MM-DD hh:mm:ss" and ISO 8601 without a format.
    expect(res.data[0]).toEqual({ hour: 17, day: '2019-05-14 17:38', parsed: new Date('2019-05-14T09:38:51Z'), iso: date });
  });

  test('$group accumulators, $mergeObjects included', async () => {
    await things().add([
      { k: 'a', v: 1 },
      { k: 'a', v: 2 },
      { k: 'b', v: 3 },
    ]);
    const res = await things()
      .aggregate()
      .group({
        _id: '$k',
        sum: $.sum('$v'),
        avg: $.avg('$v'),
        push: $.push('$v'),
        last: $.last('$v'),
        merged: $.mergeObjects({ latest: '$v' }),
        sd: $.stdDevSamp('$v'),
      })
      .sort({ _id: 1 })
      .end();
    // MongoDB: $mergeObjects is also a $group accumulator; $stdDevSamp of one value is null.
    expect(res.data).toEqual([
      { _id: 'a', sum: 3, avg: 1.5, push: [1, 2], last: 2, merged: { latest: 2 }, sd: Math.SQRT1_2 },
      { _id: 'b', sum: 3, avg: 3, push: [3], last: 3, merged: { latest: 3 }, sd: null },
    ]);
  });

  test('string operators: substr with length -1, byte and code point indexes', async () => {
    await things().add({ s: 'hello', u: 'héllo' });
    const res = await things()
      .aggregate()
      .project({
        _id: 0,
        substr: $.substr(['$s', 1, -1]),
        substrBytes: $.substrBytes(['$s', 2, -1]),
        bytesOfAccent: $.substrBytes(['$u', 0, 3]),
        substrCP: $.substrCP(['$u', 1, 2]),
        indexOfCP: $.indexOfCP(['$u', 'l']),
        indexOfBytes: $.indexOfBytes(['$u', 'l']),
        missing: $.indexOfCP(['$u', 'z']),
        strLenBytes: $.strLenBytes('$u'),
        strLenCP: $.strLenCP('$u'),
      })
      .end();
    // MongoDB: a negative length is "to the end"; byte operators count UTF-8 bytes (é is two).
    expect(res.data[0]).toEqual({
      substr: 'ello',
      substrBytes: 'llo',
      bytesOfAccent: 'hé',
      substrCP: 'él',
      indexOfCP: 2,
      indexOfBytes: 3,
      missing: -1,
      strLenBytes: 6,
      strLenCP: 5,
    });
    await expect(
      things()
        .aggregate()
        .project({ x: $.substrBytes(['$u', 2, 1]) })
        .end(),
    ).rejects.toMatchObject({ code: 'DATABASE_REQUEST_FAILED' });
  });

  test('arithmetic, array and group operators', async () => {
    await things().add({ name: '小明', scores: { chinese: 80, math: 90, english: 70 }, n: -2.567, a: [1, 2, 3] });
    const res = await things()
      .aggregate()
      .project({
        _id: 0,
        name: 1,
        // CloudBase (aggregation › project › '加入计算出的新字段'): totalScore 240.
        totalScore: $.sum(['$scores.chinese', '$scores.math', '$scores.english']),
        trunc: $.trunc('$n'),
        range: $.range([0, 10, 3]),
        avg: $.avg('$a'),
        stdDevSamp: $.stdDevSamp('$a'),
        zip: $.zip({ inputs: ['$a', ['x', 'y', 'z']] }),
        arrayToObject: $.arrayToObject([[['k', 1]]]),
        setIsSubset: $.setIsSubset([[1], '$a']),
      })
      .end();
    expect(res.data[0]).toEqual({
      name: '小明',
      totalScore: 240,
      trunc: -2,
      range: [0, 3, 6, 9],
      avg: 2,
      stdDevSamp: 1,
      zip: [
        [1, 'x'],
        [2, 'y'],
        [3, 'z'],
      ],
      arrayToObject: { k: 1 },
      setIsSubset: true,
    });
  });
});

describe("the SDK's no-throw mode (setThrowOnCode(false)) gets CloudBase's answer as a value", () => {
  // @cloudbase/node-sdk 3.17.2 honours `throwOnCode: false` through its module-wide
  // switch `setThrowOnCode`: the option given to `init()` does not reach the request
  // layer (see docs/emulator.md "Fidelity"). The gateway answers a refusal as
  // CloudBase does, `{ code, message, requestId }` with HTTP 200, so the SDK hands it back.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sdk = require('@cloudbase/node-sdk') as { setThrowOnCode(value: boolean): void };
  beforeEach(() => sdk.setThrowOnCode(false));
  afterEach(() => sdk.setThrowOnCode(true));

  test('add({ $_key: 1 }) answers code DATABASE_REQUEST_FAILED instead of throwing', async () => {
    // CloudBase (test/database/index.test.ts › '验证throwOnCode'): the same call, logged.
    expect(await things().add({ $_key: 1 })).toEqual({
      code: 'DATABASE_REQUEST_FAILED',
      message: "[FailedOperation] Document can't have $ prefixed field names: $_key",
      requestId: expect.any(String),
    });
    expect((await things().get()).data).toEqual([]);
  });

  test('a use of a committed transaction, and a write after read skew, answer their codes', async () => {
    await things().add({ _id: 'a', n: 1 });
    const committed = await db.startTransaction();
    await committed.commit();
    expect(await committed.collection('things').doc('a').set({ n: 2 })).toMatchObject({ code: 'DATABASE_TRANSACTION_FAIL' });

    const skewed = await db.startTransaction();
    await skewed.collection('things').doc('a').get();
    await things().doc('a').set({ n: 3 });
    expect(await skewed.collection('things').doc('a').update({ n: 4 })).toMatchObject({ code: 'DATABASE_TRANSACTION_CONFLICT' });
    expect((await things().doc('a').get()).data).toEqual([{ _id: 'a', n: 3 }]);
  });
});
