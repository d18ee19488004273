import { canMove, nextStatus, requestDifferences, statusAfterEvent, statusFromEvent, type AssignmentStatus } from './provider-assignment';

test("a signed event's result is the status: assign 0 done, else failed; cancel 0 cancelled, else done", () => {
  expect(statusFromEvent('assign', 0)).toBe('done');
  expect(statusFromEvent('assign', 10121012)).toBe('failed');
  expect(statusFromEvent('cancel', 0)).toBe('cancelled');
  expect(statusFromEvent('cancel', 10121014)).toBe('done');
});

test('a confirmed status moves the record forward once; the same status again changes nothing', () => {
  expect(nextStatus('pending', 'done')).toBe('done');
  expect(nextStatus('done', 'done')).toBeNull();
  expect(nextStatus('done', 'cancelling')).toBe('cancelling');
  expect(nextStatus('cancelling', 'cancelled')).toBe('cancelled');
  expect(nextStatus('pending', null)).toBeNull();
  // A late assign event for an assignment already being cancelled changes nothing.
  expect(nextStatus('cancelling', 'failed')).toBeNull();
});

test("final statuses stay final; nothing goes back to pending; unknown is settled by WeChat's later word", () => {
  const all: AssignmentStatus[] = ['pending', 'done', 'failed', 'cancelling', 'cancelled', 'unknown'];
  for (const to of all) {
    expect(canMove('failed', to)).toBe(false);
    expect(canMove('cancelled', to)).toBe(false);
  }
  for (const from of all) expect(canMove(from, 'pending')).toBe(false);
  expect(nextStatus('unknown', 'done')).toBe('done');
  expect(nextStatus('unknown', 'failed')).toBe('failed');
  expect(canMove('done', 'unknown')).toBe(false);
});

test('a key reused for another request names the fields that differ', () => {
  const stored = { orderId: 'o1', skuId: 's1', receiverAppId: 'wx0000000000000001', beginTime: null };
  expect(requestDifferences(stored, { ...stored })).toEqual([]);
  expect(requestDifferences(stored, { ...stored, skuId: 's2', beginTime: 1 })).toEqual(['skuId', 'beginTime']);
});

test('an assign result never moves an assignment being cancelled; a cancel result does', () => {
  expect(statusAfterEvent('cancelling', 'assign', 0)).toBeNull();
  expect(statusAfterEvent('cancelling', 'assign', 10121012)).toBeNull();
  expect(statusAfterEvent('cancelling', 'cancel', 0)).toBe('cancelled');
  expect(statusAfterEvent('cancelling', 'cancel', 10121014)).toBe('done');
  expect(statusAfterEvent('pending', 'assign', 0)).toBe('done');
  expect(statusAfterEvent('unknown', 'assign', 0)).toBe('done');
  expect(statusAfterEvent('done', 'assign', 0)).toBeNull();
});
