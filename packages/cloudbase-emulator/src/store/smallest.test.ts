import { smallestK } from './smallest';

test('the k smallest, whatever the input order, equal the first k of a full sort', () => {
  let seed = 7;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
  for (let run = 0; run < 200; run++) {
    const items = Array.from({ length: rand() % 60 }, () => rand() % 25);
    const k = rand() % 70;
    const cmp = (a: number, b: number) => a - b;
    const got = smallestK(items, k, cmp).sort(cmp);
    expect(got).toEqual([...items].sort(cmp).slice(0, Math.max(0, k)));
  }
});

test('the heap answers the k-th smallest first', () => {
  expect(smallestK([5, 1, 4, 2, 3], 3, (a, b) => a - b)[0]).toBe(3);
  expect(smallestK([1, 2], 0, (a, b) => a - b)).toEqual([]);
});
