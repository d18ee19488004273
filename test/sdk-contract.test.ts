/**
 * Contract with the SDKs' wire protocol. The emulator answers the gateway actions the
 * pinned wx-server-sdk sends; if an SDK upgrade renames an action or changes the pin,
 * this fails loudly here instead of subtly everywhere.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connectWxServerSdk } from './support/sdk';
import { startEmulator, type TestEmulator } from './support/emulator';

let t: TestEmulator;
let cloud: ReturnType<typeof connectWxServerSdk>;
let db: any; // eslint-disable-line @typescript-eslint/no-explicit-any

beforeAll(async () => {
  t = await startEmulator({ collections: ['things'], strictIndexes: false }); // queries on a collection without indexes
  cloud = connectWxServerSdk(t.url);
  db = cloud.database({ throwOnNotFound: false } as never);
});
afterAll(() => t.stop());

async function actionsOf(call: () => Promise<unknown>): Promise<string[]> {
  await t.http('POST', '/v1/reset');
  await db.collection('things').add({ data: { _id: 'seed', n: 1 } });
  const before = (await t.http<{ actions: Record<string, number> }>('GET', '/v1/stats')).body.actions;
  await call().catch(() => undefined);
  const after = (await t.http<{ actions: Record<string, number> }>('GET', '/v1/stats')).body.actions;
  return Object.keys(after)
    .filter((a) => after[a] !== before[a])
    .sort();
}

test('wx-server-sdk is pinned to the version the emulator was verified against', () => {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  expect(pkg.dependencies['wx-server-sdk']).toBe('4.0.2');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  expect(require('wx-server-sdk/package.json').version).toBe('4.0.2');
});

const cases: Array<[string, () => Promise<unknown>, string[]]> = [
  ['collection.add', () => db.collection('things').add({ data: { n: 2 } }), ['database.insertDocument']],
  ['doc.get', () => db.collection('things').doc('seed').get(), ['database.getDocument']],
  ['where.get', () => db.collection('things').where({ n: 1 }).get(), ['database.getDocument']],
  ['count', () => db.collection('things').count(), ['database.calculateDocument']],
  [
    'doc.update',
    () =>
      db
        .collection('things')
        .doc('seed')
        .update({ data: { n: 2 } }),
    ['database.modifyDocument'],
  ],
  [
    'doc.set',
    () =>
      db
        .collection('things')
        .doc('seed')
        .set({ data: { n: 3 } }),
    ['database.modifyDocument'],
  ],
  ['doc.remove', () => db.collection('things').doc('seed').remove(), ['database.removeDocument']],
  ['aggregate', () => db.collection('things').aggregate().match({ n: 1 }).end(), ['database.aggregateDocuments']],
  ['createCollection', () => db.createCollection('more_things'), ['database.addCollection']],
  [
    'runTransaction',
    () =>
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      db.runTransaction(async (tx: any) =>
        tx
          .collection('things')
          .doc('seed')
          .update({ data: { n: 5 } }),
      ),
    ['database.commitTransaction', 'database.modifyDocument', 'database.startTransaction'],
  ],
  [
    'transaction rollback',
    async () => {
      const tx = await db.startTransaction();
      await tx.rollback();
    },
    ['database.abortTransaction', 'database.startTransaction'],
  ],
  ['openapi', () => cloud.openapi.phonenumber.getPhoneNumber({ code: 'x' }), ['wx.openApi']],
  ['callFunction', () => cloud.callFunction({ name: 'auth', data: {} }) as Promise<unknown>, ['functions.invokeFunction']],
];

test.each(cases.map(([name, call, expected]) => ({ name, call, expected })))('$name is sent as $expected', async ({ call, expected }) => {
  expect(await actionsOf(call)).toEqual(expected);
});

test('an action the emulator does not know is answered ACTION_NOT_SUPPORTED, not a crash', async () => {
  const res = await fetch(`${t.url}/admin`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ action: 'storage.getUploadMetadata' }),
  });
  expect(res.status).toBe(200);
  expect(await res.json()).toMatchObject({ code: 'ACTION_NOT_SUPPORTED', message: expect.stringContaining('storage.getUploadMetadata') });
});

test('malformed gateway requests get clear errors', async () => {
  const post = async (body: string, type = 'application/json') =>
    (await fetch(`${t.url}/admin`, { method: 'POST', headers: { 'content-type': type }, body })).json();
  expect(await post('{not json')).toMatchObject({ error: { code: 'INVALID_JSON' } });
  expect(await post(JSON.stringify({ action: 'database.getDocument', collectionName: 'things', query: '{bad' }))).toMatchObject({
    code: 'INVALID_PARAM',
    message: expect.stringContaining('query'),
  });
  expect(await post(JSON.stringify({ action: 'database.insertDocument', collectionName: 'things', data: 'x' }))).toMatchObject({
    code: 'INVALID_PARAM',
  });
  expect(await post(JSON.stringify({ collectionName: 'things' }))).toMatchObject({
    code: 'INVALID_PARAM',
    message: expect.stringContaining('action'),
  });
  // The emulator still answers afterwards.
  expect((await t.http('GET', '/v1/health')).status).toBe(200);
});

test('@cloudbase/node-sdk used directly works against the emulator too', async () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const tcb = require('@cloudbase/node-sdk') as typeof import('@cloudbase/node-sdk');
  const app = tcb.init({ env: 'quickphone-local', serviceUrl: `${t.url}/admin`, secretId: 'local', secretKey: 'local' } as never);
  const nodeDb = app.database();
  await t.http('POST', '/v1/reset');
  await nodeDb.collection('things').add({ _id: 'n1', n: 7 });
  const res = await nodeDb.collection('things').doc('n1').get();
  expect(res.data).toEqual([{ _id: 'n1', n: 7 }]);
  const counted = await nodeDb
    .collection('things')
    .where({ n: nodeDb.command.gt(5) })
    .count();
  expect(counted.total).toBe(1);
});
