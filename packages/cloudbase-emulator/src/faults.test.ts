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

test('a standing fault hits about its rate of calls, the same calls for the same seed, until cleared', () => {
  const hits = (seed: number) => {
    const faults = new Faults();
    faults.add(validateFault({ target: 'db:insertDocument', errcode: 1, rate: 0.12, seed }));
    return Array.from({ length: 2000 }, () => faults.take('db:insertDocument') !== null);
  };
  const first = hits(3);
  expect(hits(3)).toEqual(first);
  const n = first.filter(Boolean).length;
  expect(n).toBeGreaterThan(180);
  expect(n).toBeLessThan(300);
  const faults = new Faults();
  faults.add(validateFault({ target: 'db:insertDocument', errcode: 1, rate: 1 }));
  expect(faults.take('db:insertDocument')).not.toBeNull();
  faults.clear();
  expect(faults.take('db:insertDocument')).toBeNull();
});

test("a standing fault's delay is drawn within its range", () => {
  const faults = new Faults();
  faults.add(validateFault({ target: 'openapi:phonenumber.getPhoneNumber', delayMs: 1000, delayMaxMs: 6000, rate: 1, seed: 1 }));
  const delays = Array.from({ length: 200 }, () => faults.take('openapi:phonenumber.getPhoneNumber')!.delayMs);
  expect(Math.min(...delays)).toBeGreaterThanOrEqual(1000);
  expect(Math.max(...delays)).toBeLessThanOrEqual(6000);
  expect(new Set(delays).size).toBeGreaterThan(50);
  expect(() => validateFault({ target: 'db:x', errcode: 1, rate: 0 })).toThrow(/rate/);
  expect(() => validateFault({ target: 'db:x', delayMs: 10, delayMaxMs: 5 })).toThrow(/delayMaxMs/);
});

test('a lost answer needs a db target and the errcode the caller hears', () => {
  expect(validateFault({ target: 'db:insertDocument:phone_charges', errcode: 1, answerLost: true })).toMatchObject({ answerLost: true });
  expect(() => validateFault({ target: 'openapi:phonenumber.getPhoneNumber', errcode: 1, answerLost: true })).toThrow(/answerLost/);
  expect(() => validateFault({ target: 'db:insertDocument', delayMs: 5, answerLost: true })).toThrow(/answerLost/);
  expect(() => validateFault({ target: 'db:insertDocument', errcode: 1, answerLost: 'yes' })).toThrow(/answerLost must be a boolean/);
});
