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

test('an upsert starts from the filter\'s equality fields', () => {
  const s = store();
  const res = s.update('c', { _id: 'day:quick', kind: 'quick' }, { $inc: { count: 1 } }, { multi: false, upsert: true, replace: false });
  expect(res.upsertedId).toBe('day:quick');
  expect(s.find('c', {})).toEqual([{ _id: 'day:quick', kind: 'quick', count: 1 }]);
});

test('transactions do not see each other\'s uncommitted writes', () => {
  const s = store();
  s.insert('c', [{ _id: 'a', n: 1 }]);
  const t1 = s.startTransaction();
  s.update('c', { _id: 'a' }, { $set: { n: 2 } }, { multi: false, upsert: false, replace: false }, t1);
  expect(s.find('c', { _id: 'a' })[0]!.n).toBe(1);
  const t2 = s.startTransaction();
  expect(s.find('c', { _id: 'a' }, {}, t2)[0]!.n).toBe(1);
  s.commitTransaction(t1);
  // t2 read the old version: committing anything now would be a lost update.
  s.update('c', { _id: 'a' }, { $inc: { n: 10 } }, { multi: false, upsert: false, replace: false }, t2);
  expect(() => s.commitTransaction(t2)).toThrow(/WriteConflict/);
  expect(s.find('c', { _id: 'a' })[0]!.n).toBe(2);
});

test('two transactions inserting the same new _id: the second commit fails', () => {
  const s = store();
  const t1 = s.startTransaction();
  const t2 = s.startTransaction();
  s.insert('c', [{ _id: 'new' }], t1);
  s.insert('c', [{ _id: 'new' }], t2);
  s.commitTransaction(t1);
  expect(() => s.commitTransaction(t2)).toThrow(/WriteConflict/);
  expect(s.count('c', {})).toBe(1);
});

test('a removed document conflicts with a transaction that read it', () => {
  const s = store();
  s.insert('c', [{ _id: 'a' }]);
  const t = s.startTransaction();
  s.find('c', { _id: 'a' }, {}, t);
  s.update('c', { _id: 'a' }, { $set: { seen: true } }, { multi: false, upsert: false, replace: false }, t);
  s.remove('c', { _id: 'a' }, false);
  expect(() => s.commitTransaction(t)).toThrow(/WriteConflict/);
  expect(s.count('c', {})).toBe(0);
});

test('an ended transaction cannot be used again', () => {
  const s = store();
  const t = s.startTransaction();
  s.abortTransaction(t);
  expect(() => s.commitTransaction(t)).toThrow(/does not exist or has ended/);
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
  expect(s.find('c', {}, { sort: [['t', -1], ['_id', -1]] }).map((d) => d._id)).toEqual(['d', 'b', 'a', 'c']);
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
