import { APPID_PATTERN, assignmentIdFor, REQUEST_ID_PATTERN, requestIdFor } from './provider-ids';

test('the same key always gives the same ids; different keys different ones', () => {
  expect(assignmentIdFor('order-7-shop-3')).toBe(assignmentIdFor('order-7-shop-3'));
  expect(requestIdFor('order-7-shop-3')).toBe(requestIdFor('order-7-shop-3'));
  expect(assignmentIdFor('a')).not.toBe(assignmentIdFor('b'));
  expect(requestIdFor('a')).not.toBe(requestIdFor('b'));
});

test("requestIds meet WeChat's rule whatever the key holds", () => {
  for (const key of ['k', 'x'.repeat(500), '中文 key with spaces/and:colons', '🙂']) {
    expect(requestIdFor(key)).toMatch(REQUEST_ID_PATTERN);
    expect(assignmentIdFor(key)).toMatch(/^[0-9a-f]{24}$/);
  }
});

test('the record id and the requestId differ, so neither reveals the other', () => {
  expect(requestIdFor('k').slice(2)).not.toContain(assignmentIdFor('k').slice(0, 10));
});

test("appids have WeChat's form", () => {
  expect(APPID_PATTERN.test('wx5eed1e0c0ffee001')).toBe(true);
  for (const bad of ['wx5EED1E0C0FFEE001', 'wx5eed1e0c0ffee00', 'wx5eed1e0c0ffee0011', 'xx5eed1e0c0ffee001', 'wx5eed1e0c0ffeeg01', ''])
    expect(APPID_PATTERN.test(bad)).toBe(false);
});
