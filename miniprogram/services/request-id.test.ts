import { newRequestId } from './request-id';

test('request ids are 16+ safe characters after their prefix, and differ each time', () => {
  const ids = new Set<string>();
  for (let i = 0; i < 1000; i += 1) {
    const id = newRequestId('a');
    expect(id).toMatch(/^a[0-9a-z]{16,64}$/);
    ids.add(id);
  }
  expect(ids.size).toBe(1000);
  // Even when Math.random gives a short string, the id keeps its length (orders' requestId needs 8+).
  const spy = jest.spyOn(Math, 'random').mockReturnValue(0.5);
  expect(newRequestId('o', 0)).toBe('o0i0000000i0000000');
  spy.mockRestore();
});
