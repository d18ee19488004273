/**
 * The emulator as the real wx-server-sdk sees it: every database action, transactions,
 * server dates, `cloud.openapi`, `cloud.callFunction`, fault injection, and the phone
 * sandbox's code rules. Nothing is mocked; the SDK talks HTTP to the emulator.
 */
import { connectWxServerSdk } from './support/sdk';
import { startEmulator, type TestEmulator } from './support/emulator';

type Cloud = ReturnType<typeof connectWxServerSdk>;
// The SDK's typings return unions with void (callback overloads); tests use it loosely.
type AnyDb = any; // eslint-disable-line @typescript-eslint/no-explicit-any

let t: TestEmulator;
let cloud: Cloud;
let db: AnyDb;
let now = Date.parse('2026-03-01T04:00:00Z');

beforeAll(async () => {
  t = await startEmulator({ collections: ['todos', 'accounts', 'users'], clock: () => now, strictIndexes: false }); // the SDK's queries on collections without indexes
  cloud = connectWxServerSdk(t.url);
  db = cloud.database({ throwOnNotFound: false } as never);
});
afterAll(() => t.stop());
beforeEach(async () => {
  await t.reset();
  now = Date.parse('2026-03-01T04:00:00Z');
});

/** The SDK throws objects with errCode/errMsg; this reads them uniformly. */
async function failureOf(promise: Promise<unknown>): Promise<{ errCode: unknown; errMsg: string }> {
  try {
    await promise;
  } catch (err) {
    const e = err as { errCode?: unknown; errMsg?: string; message?: string };
    return { errCode: e.errCode, errMsg: String(e.errMsg ?? e.message ?? err) };
  }
  throw new Error('expected the call to fail');
}

describe('documents', () => {
  test('add, get, update, set and remove one document', async () => {
    const todos = db.collection('todos');
    expect(await todos.add({ data: { _id: 't1', title: 'write tests', n: 1, due: new Date('2026-03-02T00:00:00Z') } })).toMatchObject({
      _id: 't1',
    });
    const { data } = await todos.doc('t1').get();
    expect(data).toEqual({ _id: 't1', title: 'write tests', n: 1, due: new Date('2026-03-02T00:00:00Z') });

    expect((await todos.doc('t1').update({ data: { title: 'ship' } })).stats.updated).toBe(1);
    expect((await todos.doc('t1').get()).data).toMatchObject({ title: 'ship', n: 1 });

    // set replaces the whole document
    await todos.doc('t1').set({ data: { title: 'replaced' } });
    expect((await todos.doc('t1').get()).data).toEqual({ _id: 't1', title: 'replaced' });

    expect((await todos.doc('t1').remove()).stats.removed).toBe(1);
    expect((await todos.doc('t1').get()).data).toBeNull();
  });

  test('generated ids are unique and batch add returns them all', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 20; i++) ids.add((await db.collection('todos').add({ data: { i } }))._id);
    expect(ids.size).toBe(20);
    expect((await db.collection('todos').count()).total).toBe(20);
  });

  test("a duplicate _id is rejected with MongoDB's E11000 error and changes nothing", async () => {
    await db.collection('todos').add({ data: { _id: 'same', v: 1 } });
    const failure = await failureOf(db.collection('todos').add({ data: { _id: 'same', v: 2 } }));
    expect(failure.errMsg).toMatch(/E11000 duplicate key/);
    expect((await db.collection('todos').doc('same').get()).data).toEqual({ _id: 'same', v: 1 });
  });

  test('an unknown collection fails clearly; createCollection makes it', async () => {
    const failure = await failureOf(db.collection('nope').get());
    expect(failure.errCode).toBe(-502005);
    expect(failure.errMsg).toMatch(/not exist/);
    await db.createCollection('nope');
    expect((await db.collection('nope').get()).data).toEqual([]);
    expect((await failureOf(db.createCollection('nope'))).errMsg).toMatch(/exist/);
  });
});

describe('update operators', () => {
  test('inc, push, set, remove and nested paths', async () => {
    const _ = db.command;
    await db.collection('todos').add({ data: { _id: 'x', n: 1, tags: ['a'], meta: { a: 1 }, gone: true } });
    await db
      .collection('todos')
      .doc('x')
      .update({
        data: { n: _.inc(2), tags: _.push(['b', 'c']), meta: { b: 2 }, whole: _.set({ k: 1 }), gone: _.remove() },
      });
    expect((await db.collection('todos').doc('x').get()).data).toEqual({
      _id: 'x',
      n: 3,
      tags: ['a', 'b', 'c'],
      meta: { a: 1, b: 2 },
      whole: { k: 1 },
    });
  });

  test('concurrent inc loses no increment', async () => {
    const _ = db.command;
    await db.collection('todos').add({ data: { _id: 'counter', n: 0 } });
    await Promise.all(
      Array.from({ length: 25 }, () =>
        db
          .collection('todos')
          .doc('counter')
          .update({ data: { n: _.inc(1) } }),
      ),
    );
    expect((await db.collection('todos').doc('counter').get()).data.n).toBe(25);
  });

  test('set on a missing document creates it (upsert); update on one does nothing', async () => {
    const _ = db.command;
    expect(
      (
        await db
          .collection('todos')
          .doc('ghost')
          .update({ data: { n: _.inc(1) } })
      ).stats.updated,
    ).toBe(0);
    expect((await db.collection('todos').doc('ghost').get()).data).toBeNull();
    const res = await db
      .collection('todos')
      .doc('made')
      .set({ data: { n: 1 } });
    expect(res._id).toBe('made');
    expect((await db.collection('todos').doc('made').get()).data).toEqual({ _id: 'made', n: 1 });
  });

  test('where().update() changes every match', async () => {
    const _ = db.command;
    await db.collection('todos').add({
      data: [
        { _id: 'a', n: 1 },
        { _id: 'b', n: 5 },
        { _id: 'c', n: 9 },
      ],
    });
    const res = await db
      .collection('todos')
      .where({ n: _.gte(5) })
      .update({ data: { big: true } });
    expect(res.stats.updated).toBe(2);
    expect((await db.collection('todos').where({ big: true }).get()).data.map((d: { _id: string }) => d._id).sort()).toEqual(['b', 'c']);
  });

  test('server date resolves to the emulator clock, with offsets', async () => {
    await db.collection('todos').add({ data: { _id: 'd', at: db.serverDate(), later: db.serverDate({ offset: 60_000 }) } });
    const { data } = await db.collection('todos').doc('d').get();
    expect(data.at).toEqual(new Date(now));
    expect(data.later).toEqual(new Date(now + 60_000));
  });
});

describe('queries', () => {
  beforeEach(async () => {
    await db.collection('todos').add({
      data: [
        { _id: 'p1', kind: 'quick', n: 1, at: new Date('2026-01-01T00:00:00Z'), owner: { city: 'Shenzhen' } },
        { _id: 'p2', kind: 'realtime', n: 2, at: new Date('2026-01-02T00:00:00Z'), owner: { city: 'Beijing' } },
        { _id: 'p3', kind: 'quick', n: 3, at: new Date('2026-01-03T00:00:00Z'), owner: { city: 'Shenzhen' } },
        { _id: 'p4', kind: 'quick', n: 4, at: new Date('2026-01-04T00:00:00Z'), owner: { city: 'Shanghai' } },
      ],
    });
  });

  test('where with commands, and/or, nested fields, regex and dates', async () => {
    const _ = db.command;
    const ids = async (q: AnyDb) => (await q.get()).data.map((d: { _id: string }) => d._id).sort();
    expect(await ids(db.collection('todos').where({ n: _.gt(1).and(_.lt(4)) }))).toEqual(['p2', 'p3']);
    expect(await ids(db.collection('todos').where(_.or([{ kind: 'realtime' }, { n: 4 }])))).toEqual(['p2', 'p4']);
    expect(await ids(db.collection('todos').where({ 'owner.city': 'Shenzhen' }))).toEqual(['p1', 'p3']);
    expect(await ids(db.collection('todos').where({ owner: { city: db.RegExp({ regexp: '^sh', options: 'i' }) } }))).toEqual([
      'p1',
      'p3',
      'p4',
    ]);
    expect(await ids(db.collection('todos').where({ at: _.gte(new Date('2026-01-03T00:00:00Z')) }))).toEqual(['p3', 'p4']);
    expect(await ids(db.collection('todos').where({ kind: _.in(['realtime']) }))).toEqual(['p2']);
  });

  test('orderBy, skip, limit and field projection', async () => {
    const { data } = await db.collection('todos').where({ kind: 'quick' }).orderBy('n', 'desc').skip(1).limit(1).field({ n: true }).get();
    expect(data).toEqual([{ _id: 'p3', n: 3 }]);
  });

  test('count with a condition', async () => {
    expect((await db.collection('todos').where({ kind: 'quick' }).count()).total).toBe(3);
  });

  test('aggregate groups and sorts', async () => {
    const $ = db.command.aggregate;
    const { list } = await db
      .collection('todos')
      .aggregate()
      .match({ n: db.command.gte(1) })
      .group({ _id: '$kind', total: $.sum('$n'), count: $.sum(1) })
      .sort({ total: -1 })
      .end();
    expect(list).toEqual([
      { _id: 'quick', total: 8, count: 3 },
      { _id: 'realtime', total: 2, count: 1 },
    ]);
  });

  test('where().remove() removes every match', async () => {
    expect((await db.collection('todos').where({ kind: 'quick' }).remove()).stats.removed).toBe(3);
    expect((await db.collection('todos').count()).total).toBe(1);
  });
});

describe('transactions', () => {
  beforeEach(async () => {
    await db.collection('accounts').add({
      data: [
        { _id: 'alice', balance: 100 },
        { _id: 'bob', balance: 0 },
      ],
    });
  });
  const balances = async () =>
    (await db.collection('accounts').orderBy('_id', 'asc').get()).data.map((d: { _id: string; balance: number }) => [d._id, d.balance]);

  test('runTransaction commits every write together', async () => {
    const _ = db.command;
    await db.runTransaction(async (tx: AnyDb) => {
      const alice = (await tx.collection('accounts').doc('alice').get()).data;
      await tx
        .collection('accounts')
        .doc('alice')
        .update({ data: { balance: _.inc(-30) } });
      await tx
        .collection('accounts')
        .doc('bob')
        .update({ data: { balance: _.inc(30) } });
      // Inside the transaction its own writes are visible; outside they are not yet.
      expect((await tx.collection('accounts').doc('alice').get()).data.balance).toBe(alice.balance - 30);
      expect((await db.collection('accounts').doc('alice').get()).data.balance).toBe(100);
    });
    expect(await balances()).toEqual([
      ['alice', 70],
      ['bob', 30],
    ]);
  });

  test('a throwing transaction body rolls everything back', async () => {
    const _ = db.command;
    await expect(
      db.runTransaction(async (tx: AnyDb) => {
        await tx
          .collection('accounts')
          .doc('alice')
          .update({ data: { balance: _.inc(-30) } });
        throw new Error('insufficient funds');
      }),
    ).rejects.toBeTruthy();
    expect(await balances()).toEqual([
      ['alice', 100],
      ['bob', 0],
    ]);
  });

  test('startTransaction with explicit rollback', async () => {
    const tx = await db.startTransaction();
    await tx
      .collection('accounts')
      .doc('bob')
      .set({ data: { balance: 999 } });
    await tx.rollback();
    expect(await balances()).toEqual([
      ['alice', 100],
      ['bob', 0],
    ]);
  });

  test('a write outside to a document the transaction wrote waits for it to end, then applies on top', async () => {
    // MongoDB (CloudBase's engine) makes a write outside a transaction wait for the
    // transaction's lock; see test/emulator-fidelity-transactions.test.ts.
    const _ = db.command;
    const tx = await db.startTransaction();
    await tx
      .collection('accounts')
      .doc('bob')
      .update({ data: { balance: _.inc(1) } });
    let done = false;
    const outside = db
      .collection('accounts')
      .doc('bob')
      .update({ data: { touched: true } })
      .then(() => (done = true));
    await db.collection('accounts').doc('alice').get();
    expect(done).toBe(false);
    await tx.commit();
    await outside;
    expect((await db.collection('accounts').doc('bob').get()).data).toEqual({ _id: 'bob', balance: 1, touched: true });
  });
});

describe('WeChat open API: phone numbers', () => {
  test('a minted code exchanges once for the number, then is spent', async () => {
    const code = await t.mintCode({ phoneNumber: '13800138000', openid: 'o_alice' });
    const res = await cloud.openapi.phonenumber.getPhoneNumber({ code, openid: 'o_alice' });
    expect(res).toMatchObject({ errCode: 0, phoneInfo: { phoneNumber: '13800138000', purePhoneNumber: '13800138000', countryCode: '86' } });
    const again = await failureOf(cloud.openapi.phonenumber.getPhoneNumber({ code, openid: 'o_alice' }));
    expect(again.errCode).toBe(40029);
  });

  test('a code minted for another user is invalid, and stays unspent for its owner', async () => {
    const code = await t.mintCode({ phoneNumber: '13800138000', openid: 'o_alice' });
    expect((await failureOf(cloud.openapi.phonenumber.getPhoneNumber({ code, openid: 'o_mallory' }))).errCode).toBe(40029);
    expect(await cloud.openapi.phonenumber.getPhoneNumber({ code, openid: 'o_alice' })).toMatchObject({ errCode: 0 });
  });

  test('a code expires after five minutes', async () => {
    const code = await t.mintCode({ phoneNumber: '13800138000', openid: 'o_alice' });
    now += 5 * 60 * 1000;
    expect((await failureOf(cloud.openapi.phonenumber.getPhoneNumber({ code, openid: 'o_alice' }))).errCode).toBe(40029);
  });

  test('foreign numbers carry the country prefix in phoneNumber only', async () => {
    const code = await t.mintCode({ phoneNumber: '91234567', countryCode: '852' });
    expect((await cloud.openapi.phonenumber.getPhoneNumber({ code })).phoneInfo).toMatchObject({
      phoneNumber: '+85291234567',
      purePhoneNumber: '91234567',
      countryCode: '852',
    });
  });

  test('an unknown code is invalid', async () => {
    expect((await failureOf(cloud.openapi.phonenumber.getPhoneNumber({ code: 'made-up' }))).errCode).toBe(40029);
  });

  test('every minted code is one charge, exchanged or not', async () => {
    const used = await t.mintCode({ phoneNumber: '13800138000', openid: 'o_a' });
    await t.mintCode({ phoneNumber: '13800138001', openid: 'o_b', kind: 'realtime' });
    await cloud.openapi.phonenumber.getPhoneNumber({ code: used, openid: 'o_a' });
    const { body } = await t.http<{ total: number; byKind: Record<string, number>; codes: Array<{ code: string; exchanges: number }> }>(
      'GET',
      '/v1/wechat/charges',
    );
    expect(body.total).toBe(2);
    expect(body.byKind).toEqual({ quick: 1, realtime: 1 });
    expect(body.codes.find((c) => c.code === used)?.exchanges).toBe(1);
  });
});

describe('fault injection', () => {
  test('a WeChat API fails the next N calls with the given errcode, then recovers', async () => {
    await t.http('POST', '/v1/faults', { target: 'openapi:phonenumber.getPhoneNumber', errcode: -1, times: 2 });
    const code = await t.mintCode({ phoneNumber: '13800138000' });
    expect((await failureOf(cloud.openapi.phonenumber.getPhoneNumber({ code }))).errCode).toBe(-1);
    expect((await failureOf(cloud.openapi.phonenumber.getPhoneNumber({ code }))).errCode).toBe(-1);
    // The injected failures did not spend the code.
    expect(await cloud.openapi.phonenumber.getPhoneNumber({ code })).toMatchObject({ errCode: 0 });
  });

  test('a database action fails for one collection only, once', async () => {
    await t.http('POST', '/v1/faults', { target: 'db:insertDocument:todos', errcode: 1 });
    expect((await failureOf(db.collection('todos').add({ data: { a: 1 } }))).errMsg).toMatch(/injected/);
    await db.collection('accounts').add({ data: { a: 1 } });
    await db.collection('todos').add({ data: { a: 2 } });
    expect((await db.collection('todos').count()).total).toBe(1);
  });

  test('a delay slows the call without failing it', async () => {
    await t.http('POST', '/v1/faults', { target: 'db:getDocument', delayMs: 150 });
    const started = Date.now();
    await db.collection('todos').get();
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  test('bad fault specs are refused with a reason; DELETE clears pending faults', async () => {
    const bad = await t.http<{ error: { code: string; message: string } }>('POST', '/v1/faults', { target: 'nonsense', errcode: 1 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/target/);
    await t.http('POST', '/v1/faults', { target: 'db:getDocument', errcode: 1, times: 5 });
    await t.http('DELETE', '/v1/faults');
    await expect(db.collection('todos').get()).resolves.toBeTruthy();
  });
});

describe('cloud.callFunction', () => {
  test('calls a built function in its container; a server-side call carries no user', async () => {
    const res = await cloud.callFunction({ name: 'auth', data: { $url: 'session' } });
    expect((res as { result: unknown }).result).toEqual({ ok: false, error: { code: 'UNAUTHENTICATED', message: expect.any(String) } });
  });

  test('an unknown function fails', async () => {
    expect((await failureOf(cloud.callFunction({ name: 'missing', data: {} }) as Promise<unknown>)).errMsg).toMatch(/not found/i);
  });
});

describe('stats', () => {
  test('count gateway actions and container starts', async () => {
    await db.collection('todos').get();
    await t.call('auth', { $url: 'session' });
    await t.call('auth', { $url: 'session' });
    const { body } = await t.http<{ actions: Record<string, number>; containers: Record<string, { cold: number; warm: number }> }>(
      'GET',
      '/v1/stats',
    );
    expect(body.actions['database.getDocument']).toBeGreaterThanOrEqual(1);
    expect(body.containers.auth!.cold + body.containers.auth!.warm).toBe(2);
    expect(body.containers.auth!.warm).toBeGreaterThanOrEqual(1);
  });
});
