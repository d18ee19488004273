import { DocumentStore } from './document-store';

function store() {
  const s = new DocumentStore();
  s.createCollection('c');
  return s;
}

test('a batch with a duplicate _id writes nothing', () => {
  const s = store();
  s.insert('c', [{ _id: 'a' }]);
  expect(() => s.insert('c', [{ _id: 'b' }, { _id: 'a' }])).toThrow(/E11000/);
  expect(s.find('c', {}).map((d) => d._id)).toEqual(['a']);
});

test('results are copies: mutating them changes nothing stored', () => {
  const s = store();
  s.insert('c', [{ _id: 'a', tags: ['x'] }]);
  (s.find('c', {})[0]!.tags as string[]).push('y');
  expect(s.find('c', {})[0]!.tags).toEqual(['x']);
});

test("an upsert starts from the filter's equality fields", () => {
  const s = store();
  const res = s.update('c', { _id: 'day:quick', kind: 'quick' }, { $inc: { count: 1 } }, { multi: false, upsert: true, replace: false });
  expect(res.upsertedId).toBe('day:quick');
  expect(s.find('c', {})).toEqual([{ _id: 'day:quick', kind: 'quick', count: 1 }]);
});

const set = (n: unknown) => ({ $set: { n } });
const one = { multi: false, upsert: false, replace: false };

test('a transaction reads its snapshot; a write to a document changed since fails at once and ends it', () => {
  const s = store();
  s.insert('c', [{ _id: 'a', n: 1 }]);
  const t = s.startTransaction();
  expect(s.find('c', { _id: 'a' }, {}, t)[0]!.n).toBe(1);
  s.update('c', { _id: 'a' }, set(2), one);
  expect(s.find('c', { _id: 'a' }, {}, t)[0]!.n).toBe(1);
  expect(() => s.update('c', { _id: 'a' }, set(3), one, t)).toThrow(/TransactionConflict/);
  expect(() => s.commitTransaction(t)).toThrow(/TransactionNotExist/);
  expect(s.find('c', {})[0]!.n).toBe(2);
});

test('a second transaction writing a document another open one wrote conflicts at that write', () => {
  const s = store();
  s.insert('c', [{ _id: 'a', n: 1 }]);
  const t1 = s.startTransaction();
  const t2 = s.startTransaction();
  s.update('c', { _id: 'a' }, set(2), one, t1);
  expect(() => s.update('c', { _id: 'a' }, set(3), one, t2)).toThrow(/TransactionConflict/);
  s.commitTransaction(t1);
  expect(s.find('c', {})[0]!.n).toBe(2);
});

test('two transactions inserting the same new _id: the second insert conflicts', () => {
  const s = store();
  const t1 = s.startTransaction();
  const t2 = s.startTransaction();
  s.insert('c', [{ _id: 'new' }], t1);
  expect(() => s.insert('c', [{ _id: 'new' }], t2)).toThrow(/TransactionConflict/);
  s.commitTransaction(t1);
  expect(s.count('c', {})).toBe(1);
});

test('documents only read never fail a commit', () => {
  const s = store();
  s.insert('c', [
    { _id: 'a', n: 1 },
    { _id: 'b', n: 1 },
  ]);
  const t = s.startTransaction();
  expect(s.find('c', {}, {}, t)).toHaveLength(2);
  s.update('c', { _id: 'a' }, set(5), one);
  s.remove('c', { _id: 'b' }, false);
  s.insert('c', [{ _id: 'w', n: 1 }], t);
  s.commitTransaction(t);
  expect(s.find('c', {}, { sort: [['_id', 1]] })).toEqual([
    { _id: 'a', n: 5 },
    { _id: 'w', n: 1 },
  ]);
});

test('a removed _id can be inserted again, in a transaction too', () => {
  const s = store();
  s.insert('c', [{ _id: 'k' }]);
  s.remove('c', { _id: 'k' }, false);
  const t = s.startTransaction();
  s.insert('c', [{ _id: 'k', again: true }], t);
  s.commitTransaction(t);
  expect(s.find('c', {})).toEqual([{ _id: 'k', again: true }]);
});

test('a write outside transactions to a locked document waits for the lock', async () => {
  const s = store();
  s.insert('c', [{ _id: 'a', n: 1 }]);
  const t = s.startTransaction();
  s.update('c', { _id: 'a' }, set(2), one, t);
  let blockedBy: string[] = [];
  try {
    s.update('c', { _id: 'a' }, set(3), one);
  } catch (err) {
    blockedBy = (err as { transactions: string[] }).transactions;
  }
  expect(blockedBy).toEqual([t]);
  const ended = s.whenEnded(blockedBy);
  s.commitTransaction(t);
  await ended;
  s.update('c', { _id: 'a' }, set(3), one);
  expect(s.find('c', {})[0]!.n).toBe(3);
});

test('an ended transaction cannot be used again', () => {
  const s = store();
  const t = s.startTransaction();
  s.abortTransaction(t);
  expect(() => s.commitTransaction(t)).toThrow(/TransactionNotExist/);
});

test('old versions are dropped once no snapshot needs them', () => {
  const s = store();
  s.insert('c', [{ _id: 'a', n: 0 }]);
  const t = s.startTransaction();
  s.find('c', {}, {}, t);
  for (let i = 1; i <= 5; i++) s.update('c', { _id: 'a' }, set(i), one);
  s.remove('c', { _id: 'a' }, false);
  expect(s.find('c', {}, {}, t)[0]!.n).toBe(0);
  s.abortTransaction(t);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  expect((s as any).collections.get('c').size).toBe(0);
});

test('scripts in queries are refused', () => {
  const s = store();
  s.insert('c', [{ _id: 'a' }]);
  expect(() => s.find('c', { $where: 'true' })).toThrow();
});

test('dates sort as dates, newest first, with ties broken by the next key', () => {
  const s = store();
  const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms);
  s.insert('c', [
    { _id: 'a', t: at(20) },
    { _id: 'b', t: at(30) },
    { _id: 'c', t: at(10) },
    { _id: 'd', t: at(30) },
  ]);
  expect(
    s
      .find(
        'c',
        {},
        {
          sort: [
            ['t', -1],
            ['_id', -1],
          ],
        },
      )
      .map((d) => d._id),
  ).toEqual(['d', 'b', 'a', 'c']);
  expect(s.find('c', { t: { $lt: at(30) } }, { sort: [['t', 1]] }).map((d) => d._id)).toEqual(['c', 'a']);
});

test('like MongoDB, a field cannot be created under null or a scalar', () => {
  const s = store();
  s.insert('c', [{ _id: 'u', phone: null, n: 1 }]);
  const set = (change: Record<string, unknown>) => s.update('c', { _id: 'u' }, change, { multi: false, upsert: false, replace: false });
  expect(() => set({ $set: { 'phone.number': '1' } })).toThrow(/Cannot create field 'number' in element \{phone: null\}/);
  expect(() => set({ $inc: { 'n.x': 1 } })).toThrow(/Cannot create field/);
  // Replacing the whole value, or creating under a missing field, is fine.
  set({ $set: { phone: { number: '1' }, 'meta.a': 1 } });
  expect(s.find('c', {})).toEqual([{ _id: 'u', phone: { number: '1' }, n: 1, meta: { a: 1 } }]);
});
