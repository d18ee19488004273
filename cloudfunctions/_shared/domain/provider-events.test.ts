import { parseResultEvent } from './provider-events';

// As a verified push gives them: every field as text (charge_sp_assign's field list).
const pushed = {
  event_type: '5',
  result: '0',
  order_id: 'DD2970445798112968704',
  assign_appid: 'wx5eed1e0c0ffee001',
  receive_appid: 'wxa1b2c3d4e5f60718',
  sp_spu_id: '10000117',
  sp_sku_id: 'x',
  spu_id: '10000077',
  sku_id: 'y',
  request_id: 'qp0123456789abcdef',
  receive_pkg_id: '9001',
};

test("an assign result keeps the requestId, the claims to cross-check, the result and the receiver's pack", () => {
  expect(parseResultEvent(pushed)).toEqual({
    ok: true,
    event: {
      type: 'assign',
      requestId: 'qp0123456789abcdef',
      orderId: 'DD2970445798112968704',
      receiverAppId: 'wxa1b2c3d4e5f60718',
      result: 0,
      receivePkgId: '9001',
    },
  });
  expect(parseResultEvent({ ...pushed, event_type: 6, result: 10121014, receive_pkg_id: undefined })).toEqual({
    ok: true,
    event: expect.objectContaining({ type: 'cancel', result: 10121014, receivePkgId: null }),
  });
});

test('other event types, bad request ids and a missing result are refused with a reason', () => {
  expect(parseResultEvent({ ...pushed, event_type: '7' })).toEqual({ ok: false, reason: expect.stringContaining('not 5') });
  expect(parseResultEvent({ ...pushed, request_id: 'short' })).toEqual({ ok: false, reason: expect.stringContaining('request_id') });
  expect(parseResultEvent({ ...pushed, request_id: { $ne: null } })).toEqual({ ok: false, reason: expect.stringContaining('request_id') });
  expect(parseResultEvent({ ...pushed, result: 'ok' })).toEqual({ ok: false, reason: expect.stringContaining('result') });
});
