import { Faults, validateFault } from './faults';

test('a database fault may name the action with or without the SDK\'s "database." prefix', () => {
  const faults = new Faults();
  faults.add(validateFault({ target: 'db:database.getDocument:quota_packs', errcode: 1 }));
  faults.add(validateFault({ target: 'db:modifyDocument', errcode: 2 }));
  expect(faults.take('db:getDocument:quota_packs')?.errcode).toBe(1);
  expect(faults.take('db:getDocument:quota_packs')).toBeNull();
  expect(faults.take('db:modifyDocument:users', 'db:modifyDocument')?.errcode).toBe(2);
});

test('targets outside the known forms are refused, naming the forms', () => {
  expect(() => validateFault({ target: 'db:', errcode: 1 })).toThrow(/target must be/);
  expect(() => validateFault({ target: 'http:/x', errcode: 1 })).toThrow(/target must be/);
});
