import { assignOutcome, cancelOutcome, mapWechatError } from './provider-errors';

test("every documented and community code of assign maps to a refusal, WeChat's word, a retry or unknown", () => {
  expect(assignOutcome(0, false)).toEqual({ kind: 'accepted' });
  expect(assignOutcome(10121009, true)).toMatchObject({ kind: 'status', status: 'done' });
  expect(assignOutcome(10121010, true)).toMatchObject({ kind: 'status', status: 'cancelled' });
  expect(assignOutcome(10121011, false)).toMatchObject({ kind: 'status', status: 'pending' });
  for (const errcode of [10121004, -1, -2, -3, 40001, 42001]) expect(assignOutcome(errcode, false)).toMatchObject({ kind: 'retry' });
  for (const [errcode, code] of [
    [10120002, 'INVALID_ARGUMENT'],
    [10120800, 'INVALID_ARGUMENT'],
    [10121001, 'INVALID_ARGUMENT'],
    [10121012, 'CONFLICT'],
    [10121013, 'INVALID_ARGUMENT'],
    [10121014, 'CONFLICT'],
    [10121031, 'CONFLICT'],
    [10045, 'INVALID_ARGUMENT'],
    [10120405, 'UPSTREAM_UNAVAILABLE'],
  ] as const) {
    expect(assignOutcome(errcode, false)).toMatchObject({
      kind: 'refused',
      error: { code, message: expect.stringContaining(String(errcode)) },
    });
    // Sent again, a refusal may answer an earlier send that went through (community: 10121031 after success).
    expect(assignOutcome(errcode, true)).toMatchObject({ kind: 'unknown', error: { message: expect.stringContaining('unknown') } });
  }
  // A first send answered with any error was not done: failed with its reason, whether we know the code or not.
  for (const errcode of [48001, 61007, 45011]) {
    expect(assignOutcome(errcode, false)).toMatchObject({
      kind: 'refused',
      error: { code: 'UPSTREAM_UNAVAILABLE', message: expect.stringContaining(String(errcode)) },
    });
    expect(assignOutcome(errcode, true)).toMatchObject({ kind: 'unknown' });
  }
  // Seen nightly on order/query_list: busy, asked again later.
  expect(assignOutcome(10120020, false)).toMatchObject({ kind: 'retry' });
  expect(mapWechatError(10120020, 'read')).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', refused: false });
});

test('cancel: 10121010 cancelled, 10121011 in progress, refusals leave it as it was, unknown codes unknown only on a resend', () => {
  expect(cancelOutcome(10121010)).toMatchObject({ kind: 'status', status: 'cancelled' });
  expect(cancelOutcome(10121011)).toMatchObject({ kind: 'status', status: 'cancelling' });
  expect(cancelOutcome(10121014)).toMatchObject({
    kind: 'refused',
    error: { code: 'CONFLICT', message: expect.stringMatching(/used.*7 days/) },
  });
  expect(cancelOutcome(10121004)).toMatchObject({ kind: 'retry' });
  expect(cancelOutcome(99999)).toMatchObject({ kind: 'refused', error: { message: expect.stringContaining('99999') } });
  expect(cancelOutcome(99999, true)).toMatchObject({ kind: 'unknown' });
  expect(cancelOutcome(10121014, true)).toMatchObject({ kind: 'refused' });
});

test("token failures point at the service platform's credentials", () => {
  expect(mapWechatError(40013, 'token')).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', message: expect.stringContaining('服务平台') });
  expect(mapWechatError(42001, 'read')).toMatchObject({
    code: 'UPSTREAM_UNAVAILABLE',
    message: expect.stringContaining('PROVIDER_TOKEN_PATH'),
  });
});
