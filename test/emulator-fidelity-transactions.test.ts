/**
 * Transactions as CloudBase answers them, driven through the pinned
 * @cloudbase/node-sdk 3.17.2 (@cloudbase/database 1.4.3) against `POST /admin`.
 *
 * "CloudBase:" notes name what CloudBase answers; the source is the SDK authors' own
 * test suite run against CloudBase (TencentCloudBase/node-sdk
 * test/database/unit/transaction.test.ts: '冲突检测', '读快照', '读偏',
 * '事务提交后, 不能进行其它操作', 'rollback within runTransaction') and MongoDB's
 * snapshot isolation, which CloudBase runs on. See docs/emulator.md "Fidelity".
 */
import { connectNodeSdk } from './support/node-sdk';
import { startEmulator, type TestEmulator } from './support/emulator';

/* eslint-disable @typescript-eslint/no-explicit-any */
let t: TestEmulator;
let db: any;

const CONFLICT = {
  code: 'DATABASE_TRANSACTION_CONFLICT',
  message: '[ResourceUnavailable.TransactionConflict] Transaction is conflict, maybe resource operated by others in the same time.',
};
const NOT_EXIST = {
  code: 'DATABASE_TRANSACTION_FAIL',
  message: '[ResourceUnavailable.TransactionNotExist] Transaction does not exist on the server, it may be caused by timeout or abort.',
};

beforeAll(async () => {
  t = await startEmulator({ collections: ['things', 'admins'] });
  db = connectNodeSdk(t.url);
});
afterAll(() => t.stop());
beforeEach(async () => {
  await t.reset();
  t.emulator.store.transactionLifetimeMs = 30_000;
  await db.collection('things').add({ _id: 'a', n: 1 });
  await db.collection('things').add({ _id: 'b', n: 1 });
});

const things = () => db.collection('things');
const n = async (id: string) => (await things().doc(id).get()).data[0]?.n;

test('a transaction reads one snapshot; writing a document changed outside since then fails at once', async () => {
  const tx = await db.startTransaction();
  expect((await tx.collection('things').doc('a').get()).data).toEqual({ _id: 'a', n: 1 });
  await things().doc('a').set({ n: 2 });
  await things().doc('b').set({ n: 2 });
  // CloudBase ('读偏'): both reads give the snapshot, even b, first read after the change.
  expect((await tx.collection('things').doc('a').get()).data).toEqual({ _id: 'a', n: 1 });
  expect((await tx.collection('things').doc('b').get()).data).toEqual({ _id: 'b', n: 1 });
  // CloudBase: DATABASE_TRANSACTION_CONFLICT at the write itself, not at commit.
  await expect(tx.collection('things').doc('a').update({ n: 3 })).rejects.toMatchObject(CONFLICT);
  expect(await n('a')).toBe(2);
});

test('its own writes are visible to it only, until commit', async () => {
  const tx = await db.startTransaction();
  await tx.collection('things').doc('a').update({ n: 5 });
  // CloudBase ('读快照'): the transaction sees its write, a reader outside does not.
  expect((await tx.collection('things').doc('a').get()).data).toEqual({ _id: 'a', n: 5 });
  expect(await n('a')).toBe(1);
  await tx.commit();
  expect(await n('a')).toBe(5);
});

test('write-write: the second transaction to write a document is refused at that write', async () => {
  const tx1 = await db.startTransaction();
  const tx2 = await db.startTransaction();
  await tx1.collection('things').doc('a').get();
  await tx2.collection('things').doc('a').update({ n: 2 });
  // CloudBase ('冲突检测'): tx1's update fails with DATABASE_TRANSACTION_CONFLICT; tx2 commits.
  await expect(tx1.collection('things').doc('a').update({ n: 3 })).rejects.toMatchObject(CONFLICT);
  await tx2.commit();
  expect(await n('a')).toBe(2);
  // MongoDB aborts a transaction on a write conflict, so tx1 is gone (the SDK authors'
  // note: "mongo write conflict时会自动rollback,兜底的rollback会报错").
  await expect(tx1.rollback()).rejects.toMatchObject(NOT_EXIST);
});

test('two transactions adding the same new _id: the second add conflicts', async () => {
  const tx1 = await db.startTransaction();
  const tx2 = await db.startTransaction();
  await tx1.collection('things').add({ _id: 'new', by: 1 });
  await expect(tx2.collection('things').add({ _id: 'new', by: 2 })).rejects.toMatchObject(CONFLICT);
  await tx1.commit();
  expect((await things().doc('new').get()).data).toEqual([{ _id: 'new', by: 1 }]);
});

test('documents a transaction only read never make its commit fail', async () => {
  const tx = await db.startTransaction();
  await tx.collection('things').doc('a').get();
  await tx.collection('things').doc('b').get();
  await things().doc('a').update({ n: 9 });
  await things().doc('b').remove();
  await tx.collection('things').add({ _id: 'c', n: 1 });
  // MongoDB snapshot isolation refuses conflicting writes only: the commit succeeds.
  await expect(tx.commit()).resolves.toMatchObject({ requestId: expect.any(String) });
  expect(await n('c')).toBe(1);
});

test('after commit or rollback every use answers DATABASE_TRANSACTION_FAIL', async () => {
  const committed = await db.startTransaction();
  await committed.commit();
  // CloudBase ('事务提交后, 不能进行其它操作'): code DATABASE_TRANSACTION_FAIL, TransactionNotExist.
  await expect(committed.collection('things').doc('a').set({ n: 2 })).rejects.toMatchObject(NOT_EXIST);
  await expect(committed.collection('things').doc('a').get()).rejects.toMatchObject(NOT_EXIST);
  await expect(committed.commit()).rejects.toMatchObject(NOT_EXIST);

  const aborted = await db.startTransaction();
  await aborted.collection('things').doc('a').update({ n: 7 });
  await aborted.rollback();
  await expect(aborted.collection('things').add({ x: 1 })).rejects.toMatchObject(NOT_EXIST);
  await expect(aborted.rollback()).rejects.toMatchObject(NOT_EXIST);
  expect(await n('a')).toBe(1);
});

test('a transaction left open expires and is aborted, releasing its documents', async () => {
  t.emulator.store.transactionLifetimeMs = 100;
  const tx = await db.startTransaction();
  await tx.collection('things').doc('a').update({ n: 2 });
  // A write outside waits for the lock, and gets it when the transaction expires.
  await things().doc('a').update({ n: 3 });
  await expect(tx.commit()).rejects.toMatchObject(NOT_EXIST);
  expect(await n('a')).toBe(3);
});

test('a deleted _id can be added again inside a transaction', async () => {
  await things().add({ _id: 'k', v: 1 });
  await things().doc('k').remove();
  await db.runTransaction(async (tx: any) => {
    await tx.collection('things').add({ _id: 'k', v: 2 });
  });
  expect((await things().doc('k').get()).data).toEqual([{ _id: 'k', v: 2 }]);
});

test("removing an admin and adding the same openid back, each in a transaction (the product's flow)", async () => {
  await db.runTransaction(async (tx: any) => tx.collection('admins').add({ _id: 'o_x', addedBy: 'o_me' }));
  await db.runTransaction(async (tx: any) => {
    expect((await tx.collection('admins').doc('o_x').get()).data).toMatchObject({ _id: 'o_x' });
    await tx.collection('admins').doc('o_x').remove();
  });
  await db.runTransaction(async (tx: any) => tx.collection('admins').add({ _id: 'o_x', addedBy: 'o_me' }));
  expect((await db.collection('admins').get()).data).toEqual([{ _id: 'o_x', addedBy: 'o_me' }]);
});

test('runTransaction retries after a conflict with a fresh snapshot and succeeds', async () => {
  let attempts = 0;
  const result = await db.runTransaction(async (tx: any) => {
    attempts += 1;
    const { data } = await tx.collection('things').doc('a').get();
    if (attempts === 1) await things().doc('a').update({ n: 10 }); // someone else, meanwhile
    await tx
      .collection('things')
      .doc('a')
      .update({ n: data.n + 1 });
    return data.n;
  });
  expect(attempts).toBe(2);
  expect(result).toBe(10);
  expect(await n('a')).toBe(11);
  expect(t.emulator.store.openTransactions()).toBe(0);
});

test('where().get() and where().updateAndReturn() carry the transaction: its snapshot and its own writes', async () => {
  const tx = await db.startTransaction();
  await tx.collection('things').doc('a').update({ n: 5 });
  await things().doc('b').update({ n: 9 }); // outside, after the snapshot
  const seen = await tx
    .collection('things')
    .where({ n: db.command.gte(1) })
    .orderBy('_id', 'asc')
    .get();
  expect(seen.data).toEqual([
    { _id: 'a', n: 5 },
    { _id: 'b', n: 1 },
  ]);
  const changed = await tx
    .collection('things')
    .where({ _id: 'a' })
    .updateAndReturn({ n: db.command.inc(1) });
  expect(changed).toMatchObject({ updated: 1, doc: { _id: 'a', n: 6 } });
  expect(await n('a')).toBe(1);
  await tx.commit();
  expect(await n('a')).toBe(6);
});

describe('calls the SDK sends without transactionId', () => {
  // @cloudbase/database 1.4.3: Query.update(), Query.remove() and count() never put the
  // transaction's id in the request, so CloudBase runs them as ordinary writes/reads.
  test('tx.collection().where().update() and .remove() act at once, outside the transaction, and survive a rollback', async () => {
    const tx = await db.startTransaction();
    const updated = await tx.collection('things').where({ _id: 'b' }).update({ n: 4 });
    expect(updated.updated).toBe(1);
    expect(await n('b')).toBe(4); // visible outside before any commit
    await tx.collection('things').where({ _id: 'a' }).remove();
    await tx.rollback();
    expect((await things().get()).data).toEqual([{ _id: 'b', n: 4 }]);
  });

  test('count() inside a transaction counts what is committed, not its own adds', async () => {
    const tx = await db.startTransaction();
    await tx.collection('things').add({ _id: 'c' });
    expect((await tx.collection('things').count()).total).toBe(2);
    await tx.commit();
    expect((await things().count()).total).toBe(3);
  });

  test('a write outside the transaction to a document it wrote waits until it ends', async () => {
    const tx = await db.startTransaction();
    await tx.collection('things').doc('a').update({ n: 2 });
    let done = false;
    const outside = tx
      .collection('things')
      .where({ _id: 'a' })
      .update({ n: db.command.inc(10) })
      .then((r: unknown) => {
        done = true;
        return r;
      });
    // The other document is not locked: its write goes through meanwhile.
    await things().doc('b').update({ n: 5 });
    expect(done).toBe(false);
    await tx.commit();
    await expect(outside).resolves.toMatchObject({ updated: 1 });
    expect(await n('a')).toBe(12);
  });
});
