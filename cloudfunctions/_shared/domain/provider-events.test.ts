import { looksLikeResultEvent, parseResultEvent } from './provider-events';

const pushed = { event_type: 5, result: 0, order_id: 'sp-1', assign_appid: 'wx5eed1e0c0ffee001', receive_appid: 'wxa1b2c3d4e5f60718', sp_sku_id: 'x', sku_id: 'y', request_id: 'qp0123456789abcdef' };

test('an assign or cancel result is recognised by its shape, not by $url', () => {
  expect(looksLikeResultEvent(pushed)).toBe(true);
  expect(looksLikeResultEvent({ ...pushed, $url: 'assign' })).toBe(false);
  expect(looksLikeResultEvent({ Type: 'Timer' })).toBe(false);
  expect(looksLikeResultEvent(null)).toBe(false);
  expect(looksLikeResultEvent('event_type')).toBe(false);
});

test('the parsed event keeps the requestId and what it claims, nothing more', () => {
  expect(parseResultEvent(pushed)).toEqual({ ok: true, event: { type: 'assign', requestId: 'qp0123456789abcdef', orderId: 'sp-1', result: 0 } });
  expect(parseResultEvent({ ...pushed, event_type: '6', result: '1' })).toEqual({ ok: true, event: { type: 'cancel', requestId: 'qp0123456789abcdef', orderId: 'sp-1', result: 1 } });
});

test('other event types and bad request ids are refused with a reason', () => {
  expect(parseResultEvent({ ...pushed, event_type: 7 })).toEqual({ ok: false, reason: expect.stringContaining('not 5') });
  expect(parseResultEvent({ ...pushed, request_id: 'short' })).toEqual({ ok: false, reason: expect.stringContaining('request_id') });
  expect(parseResultEvent({ ...pushed, request_id: { $ne: null } })).toEqual({ ok: false, reason: expect.stringContaining('request_id') });
  expect(parseResultEvent({ ...pushed, request_id: undefined })).toMatchObject({ ok: false });
});
