/** Failures in the user's words: a code maps to Chinese; the server's English never comes through. */
import { CloudError, type ErrorCode } from './cloud';
import { ERROR_TEXT, errorField, errorText } from './errors';

const CODES: ErrorCode[] = [
  'INVALID_ARGUMENT',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'RATE_LIMITED',
  'WECHAT_THROTTLED',
  'PHONE_CODE_INVALID',
  'UPSTREAM_UNAVAILABLE',
  'INTERNAL',
  'NETWORK',
];

test.each(CODES)('%s has Chinese words and never echoes the server', (code) => {
  const text = errorText(new CloudError(code, 'The order has not enough calls left for this SKU'));
  expect(text).toBe(ERROR_TEXT[code]);
  expect(text).toMatch(/[\u4e00-\u9fa5]/);
  expect(text).not.toMatch(/[A-Za-z]{3,}/);
});

test("the field the server names picks the screen's own words, most specific first", () => {
  const err = new CloudError('FORBIDDEN', 'only bookkeeping (记账) orders are accepted while prices are hidden', 'mode');
  expect(errorField(err)).toBe('mode');
  expect(errorText(err, { 'FORBIDDEN:mode': '只能记账', FORBIDDEN: '没有权限' })).toBe('只能记账');
  expect(
    errorText(new CloudError('INVALID_ARGUMENT', 'qty must be at least 1', 'lines.0.qty'), { 'INVALID_ARGUMENT:lines': '商品数量有误' }),
  ).toBe('商品数量有误');
});

test('the message is never parsed for a field: only error.field names one', () => {
  // A message that looks like "field: …" but comes without error.field names nothing.
  expect(errorField(new CloudError('INVALID_ARGUMENT', 'mode: only bookkeeping orders'))).toBeNull();
  expect(errorText(new CloudError('FORBIDDEN', 'mode: only bookkeeping orders'), { 'FORBIDDEN:mode': '只能记账' })).toBe(
    ERROR_TEXT.FORBIDDEN,
  );
  expect(errorField(new CloudError('INTERNAL', 'Something went wrong on our side; please try again.'))).toBeNull();
});

test('anything that is not a CloudError reads as a generic Chinese failure', () => {
  expect(errorText(new Error('boom'))).toMatch(/^[^A-Za-z]+$/);
});
