/**
 * Reads served by a declared index fetch their candidates from it; whatever the index
 * holds, the answers are those a scan of every document gives. Each case runs the
 * same queries against two stores with the same writes: one with indexes, one without.
 */
import { DocumentStore } from './document-store';
import type { Filter, SortSpec } from './document-values';
import type { IndexSpec } from './indexes';

const INDEXES: IndexSpec[] = [
  {
    name: 'a_b',
    keys: [
      ['a', 1],
      ['b', -1],
    ],
    unique: false,
  },
  {
    name: 'at_id',
    keys: [
      ['at', -1],
      ['_id', -1],
    ],
    unique: false,
  },
  { name: 'tag', keys: [['meta.tag', 1]], unique: false },
];

/** A small deterministic generator (tests must not depend on Math.random). */
function rng(seed: number) {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    return x / 0x7fffffff;
  };
}

function pair() {
  const indexed = new DocumentStore();
  const scanned = new DocumentStore();
  for (const s of [indexed, scanned]) s.createCollection('c');
  indexed.setIndexes({ c: INDEXES });
  return [indexed, scanned] as const;
}

function randomDoc(r: () => number, i: number): Record<string, unknown> {
  const doc: Record<string, unknown> = { _id: `d${String(i).padStart(4, '0')}` };
  const a = r();
  if (a < 0.8) doc.a = Math.floor(r() * 5);
  else if (a < 0.9) doc.a = null;
  else if (a < 0.95) doc.a = 'x';
  const b = r();
  if (b < 0.9) doc.b = Math.floor(r() * 20);
  doc.at = new Date(Date.UTC(2026, 0, 1) + Math.floor(r() * 50) * 3600_000);
  if (r() < 0.7) doc.meta = { tag: ['p', 'q', 'r'][Math.floor(r() * 3)] };
  return doc;
}

const QUERIES: Array<{ filter: Filter; sort?: SortSpec; skip?: number; limit?: number }> = [
  { filter: { a: 2 } },
  { filter: { a: null } },
  { filter: { a: { $in: [3, 1, 1, 'x'] } } },
  { filter: { a: 2, b: { $gt: 5, $lte: 15 } } },
  { filter: { a: 2, b: { $lt: 10 } }, sort: [['b', -1]], limit: 3 },
  { filter: { a: { $gte: 1, $lt: 3 } }, sort: [['a', 1]], skip: 2, limit: 5 },
  {
    filter: {},
    sort: [
      ['at', -1],
      ['_id', -1],
    ],
    limit: 7,
  },
  {
    filter: { at: { $lt: new Date(Date.UTC(2026, 0, 2)) } },
    sort: [
      ['at', -1],
      ['_id', -1],
    ],
    limit: 4,
  },
  {
    filter: { at: new Date(Date.UTC(2026, 0, 1, 5)), _id: { $lt: 'd0100' } },
    sort: [
      ['at', -1],
      ['_id', -1],
    ],
    limit: 3,
  },
  { filter: { 'meta.tag': 'q', a: { $ne: 2 } }, limit: 5 },
  { filter: { 'meta.tag': { $gt: 'p' } }, sort: [['at', 1]] },
  { filter: { _id: { $in: ['d0003', 'd0150', 'nope'] } } },
  { filter: { a: { $gt: 'a' } } },
  { filter: { a: 1, b: { $gt: 50 } } },
];

function expectSameAnswers(indexed: DocumentStore, scanned: DocumentStore, tx?: [string, string]) {
  for (const q of QUERIES) {
    const options = { sort: q.sort, skip: q.skip, limit: q.limit };
    const label = JSON.stringify(q);
    expect([label, indexed.find('c', q.filter, options, tx?.[0])]).toEqual([label, scanned.find('c', q.filter, options, tx?.[1])]);
    expect([label, indexed.count('c', q.filter, tx?.[0])]).toEqual([label, scanned.count('c', q.filter, tx?.[1])]);
  }
}

test('indexed reads answer what a scan answers, after inserts, updates and removals', () => {
  const [indexed, scanned] = pair();
  const r = rng(7);
  const docs = Array.from({ length: 300 }, (_, i) => randomDoc(r, i));
  for (const s of [indexed, scanned]) s.insert('c', docs);
  expectSameAnswers(indexed, scanned);
  for (const s of [indexed, scanned]) {
    s.update('c', { a: 2 }, { $inc: { b: 3 } }, { multi: true, upsert: false, replace: false });
    s.remove('c', { a: 4 }, true);
    s.remove('c', { _id: 'd0010' }, false);
    s.insert('c', [{ _id: 'd0010', a: 2, b: 1, at: new Date(Date.UTC(2026, 0, 1)) }]);
  }
  expectSameAnswers(indexed, scanned);
});

test('in a transaction: its snapshot and its own writes, as a scan sees them', () => {
  const [indexed, scanned] = pair();
  const r = rng(11);
  const docs = Array.from({ length: 200 }, (_, i) => randomDoc(r, i));
  for (const s of [indexed, scanned]) s.insert('c', docs);
  const tx = [indexed.startTransaction(), scanned.startTransaction()] as [string, string];
  [indexed, scanned].forEach((s, i) => {
    s.find('c', { _id: 'd0001' }, {}, tx[i]); // the snapshot starts here
    s.update('c', { _id: 'd0002' }, { $set: { a: 2, b: 99 } }, { multi: false, upsert: false, replace: false }, tx[i]);
    s.insert('c', [{ _id: 'n1', a: 2, b: 7, at: new Date(Date.UTC(2026, 0, 3)) }], tx[i]);
    // Outside, after the snapshot: invisible to the transaction.
    s.update('c', { _id: 'd0003' }, { $set: { a: 2 } }, { multi: false, upsert: false, replace: false });
    s.remove('c', { _id: 'd0004' }, false);
  });
  expectSameAnswers(indexed, scanned, tx);
  expectSameAnswers(indexed, scanned);
});

test('an index holding arrays or other unordered keys still answers right (read as a scan)', () => {
  const [indexed, scanned] = pair();
  for (const s of [indexed, scanned])
    s.insert('c', [
      { _id: 'x', a: [1, 2], b: 1 },
      { _id: 'y', a: 2, b: 2 },
      { _id: 'z', a: { n: 1 }, b: 3 },
    ]);
  expect(indexed.find('c', { a: 2 }).map((d) => d._id)).toEqual(['x', 'y']);
  expectSameAnswers(indexed, scanned);
});

test('a page in index order examines about one page however deep the cursor', () => {
  const [indexed] = pair();
  const base = Date.UTC(2026, 0, 1);
  indexed.insert(
    'c',
    Array.from({ length: 5000 }, (_, i) => ({ _id: `d${String(i).padStart(5, '0')}`, at: new Date(base + i * 1000) })),
  );
  const before = indexed.queryStats().c?.examined ?? 0;
  const page = indexed.find(
    'c',
    { at: { $lt: new Date(base + 2500 * 1000) } },
    {
      sort: [
        ['at', -1],
        ['_id', -1],
      ],
      limit: 21,
    },
  );
  expect(page.map((d) => d._id)).toEqual(Array.from({ length: 21 }, (_, i) => `d${String(2499 - i).padStart(5, '0')}`));
  expect(indexed.queryStats().c!.examined - before).toBe(21);
});
