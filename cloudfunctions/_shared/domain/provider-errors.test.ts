import { mapWechatError } from './provider-errors';

test('not enough left, an expired order and a forbidden cancel are conflicts WeChat refused', () => {
  expect(mapWechatError(10121006, 'assign')).toEqual({ code: 'CONFLICT', message: expect.stringContaining('nothing was assigned'), refused: true });
  expect(mapWechatError(10121012, 'assign')).toMatchObject({ code: 'CONFLICT', refused: true });
  expect(mapWechatError(10121014, 'cancel')).toEqual({ code: 'CONFLICT', message: expect.stringContaining('7 days'), refused: true });
});

test('bad arguments, no relationship and a bad appid are INVALID_ARGUMENT', () => {
  for (const errcode of [40097, 10045, 40013]) expect(mapWechatError(errcode, 'assign')).toMatchObject({ code: 'INVALID_ARGUMENT', refused: true });
});

test('busy, timeouts and network failures are UPSTREAM_UNAVAILABLE and leave the outcome open', () => {
  for (const errcode of [-1, -2, -3]) expect(mapWechatError(errcode, 'assign')).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', refused: false });
  expect(mapWechatError(-1, 'assign').message).toContain('same idempotencyKey');
});

test('an errcode we do not know is not taken as a refusal', () => {
  expect(mapWechatError(45011, 'assign')).toEqual({ code: 'UPSTREAM_UNAVAILABLE', message: expect.stringContaining('45011'), refused: false });
});

test('token failures point at the configuration and never at the argument', () => {
  expect(mapWechatError(40013, 'token')).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', message: expect.stringContaining('PROVIDER_APPID') });
  expect(mapWechatError(42001, 'read')).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', message: expect.stringContaining('PROVIDER_TOKEN_PATH') });
});
