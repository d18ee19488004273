import { canMove, nextStatus, requestDifferences, statusFromWechat, type AssignmentStatus } from './provider-assignment';

test('WeChat\'s assignList status numbers map to ours; unknown numbers to nothing', () => {
  expect([1, 2, 3, 4, 5].map(statusFromWechat)).toEqual(['pending', 'done', 'failed', 'cancelling', 'cancelled']);
  expect(statusFromWechat(0)).toBeNull();
  expect(statusFromWechat(9)).toBeNull();
});

test('a confirmed status moves the record forward once; the same status again changes nothing', () => {
  expect(nextStatus('pending', 'done')).toBe('done');
  expect(nextStatus('done', 'done')).toBeNull();
  expect(nextStatus('done', 'cancelling')).toBe('cancelling');
  expect(nextStatus('cancelling', 'cancelled')).toBe('cancelled');
  expect(nextStatus('pending', null)).toBeNull();
});

test('final statuses stay final; nothing goes back to pending', () => {
  const all: AssignmentStatus[] = ['pending', 'done', 'failed', 'cancelling', 'cancelled'];
  for (const to of all) {
    expect(canMove('failed', to)).toBe(false);
    expect(canMove('cancelled', to)).toBe(false);
  }
  for (const from of all) expect(canMove(from, 'pending')).toBe(false);
  expect(nextStatus('cancelled', 'done')).toBeNull();
});

test('a cancel WeChat refuses after accepting it returns the assignment to done', () => {
  expect(nextStatus('cancelling', 'done')).toBe('done');
  expect(canMove('done', 'failed')).toBe(false);
});

test('a key reused for another request names the fields that differ', () => {
  const stored = { orderId: 'o1', skuId: 's1', receiverAppId: 'wx0000000000000001', beginTime: null };
  expect(requestDifferences(stored, { ...stored })).toEqual([]);
  expect(requestDifferences(stored, { ...stored, skuId: 's2', beginTime: 1 })).toEqual(['skuId', 'beginTime']);
});
