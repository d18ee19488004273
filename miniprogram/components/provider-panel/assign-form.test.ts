/** The provider panel's pure helpers: appid check, start dates, labels and error words. */
import { CloudError } from '../../services/cloud';
import {
  assignErrorText,
  beginTimeOf,
  canCancel,
  cancelErrorText,
  checkAssignForm,
  figureText,
  isAppid,
  isSettling,
  orderStatusText,
  statusLabel,
  STATUS_LABELS,
} from './assign-form';

test.each([
  ['wx5eed1e0c0ffee001', true],
  [' wx0123456789abcdef ', true],
  ['wx0123456789ABCDEF', false],
  ['wx0123456789abcde', false],
  ['wx0123456789abcdef0', false],
  ['wa0123456789abcdef', false],
  ['wx0123456789abcdeg', false],
  ['', false],
])('isAppid(%j) is %s', (text, ok) => {
  expect(isAppid(text)).toBe(ok);
});

test('a start day is midnight China time; impossible days are refused', () => {
  expect(beginTimeOf('2026-06-01')).toBe(Date.parse('2026-06-01T00:00:00+08:00'));
  expect(beginTimeOf('2026-02-30')).toBeNull();
  expect(beginTimeOf('2026-6-1')).toBeNull();
  expect(beginTimeOf('')).toBeNull();
});

test('status labels, and which statuses can be withdrawn or are still settling', () => {
  expect(STATUS_LABELS).toEqual({
    pending: '处理中',
    done: '已分配',
    failed: '失败',
    cancelling: '撤回中',
    cancelled: '已撤回',
    unknown: '结果未知',
  });
  expect(statusLabel('done')).toBe('已分配');
  expect(statusLabel('weird')).toBe('weird');
  // An unknown one too: WeChat accepting the withdrawal shows it existed.
  expect(['pending', 'done', 'failed', 'cancelling', 'cancelled', 'unknown'].filter(canCancel)).toEqual(['done', 'unknown']);
  expect(['pending', 'done', 'failed', 'cancelling', 'cancelled'].filter(isSettling)).toEqual(['pending', 'cancelling']);
});

describe('checkAssignForm', () => {
  const order = { orderId: 'o1', remaining: 20000 };
  const skus = [
    { skuId: 's10k', calls: 10000 },
    { skuId: 's50k', calls: 50000 },
  ];
  const form = { appid: 'wx5eed1e0c0ffee002', skuId: 's10k', startText: '' };

  test('a good form becomes assign params; a start date becomes beginTime', () => {
    expect(checkAssignForm(form, order, skus)).toEqual({
      ok: { orderId: 'o1', skuId: 's10k', receiverAppId: 'wx5eed1e0c0ffee002', calls: 10000 },
    });
    expect(checkAssignForm({ ...form, appid: ' wx5eed1e0c0ffee002 ', startText: '2026-06-01' }, order, skus)).toEqual({
      ok: {
        orderId: 'o1',
        skuId: 's10k',
        receiverAppId: 'wx5eed1e0c0ffee002',
        calls: 10000,
        beginTime: Date.parse('2026-06-01T00:00:00+08:00'),
      },
    });
  });

  test.each([
    [{}, null, '订单'],
    [{ skuId: '' }, order, '规格'],
    [{ appid: 'wx5EED1E0C0FFEE002' }, order, 'AppID'],
    [{ appid: 'merchant' }, order, 'AppID'],
    [{ skuId: 's50k' }, order, '剩余 20000 次'],
    [{ startText: '2026-13-01' }, order, '开始日期'],
  ])('%j on %j is refused with a message about %s', (over, o, words) => {
    const result = checkAssignForm({ ...form, ...over }, o, skus);
    expect('error' in result && result.error).toContain(words);
  });
});

test('errors are worded for the staff: CONFLICT clearly, a network failure says to retry', () => {
  expect(assignErrorText(new CloudError('NETWORK', 'timeout'))).toContain('重试');
  expect(assignErrorText(new CloudError('CONFLICT', 'not enough left'))).toContain('未分配');
  expect(cancelErrorText(new CloudError('CONFLICT', 'used'))).toContain('无法撤回');
  expect(cancelErrorText(new CloudError('NOT_FOUND', 'no'))).toContain('找不到');
  expect(assignErrorText(new Error('x'))).toBe('分配失败，请重试');
});

test('no server English reaches the staff: codes and field names are mapped to Chinese', () => {
  const english = /[A-Za-z]{3,}/;
  for (const err of [
    new CloudError('CONFLICT', 'The order has not enough calls left for this SKU'),
    new CloudError('INVALID_ARGUMENT', 'must be a mini program appid', 'receiverAppId'),
    new CloudError('INVALID_ARGUMENT', 'something odd'),
    new CloudError('UPSTREAM_UNAVAILABLE', 'WeChat answered errcode 10121004'),
    new CloudError('INTERNAL', 'Something went wrong on our side; please try again.'),
  ]) {
    // "AppID" is the platform's own word, as WeChat's console shows it.
    expect(assignErrorText(err).replace(/AppID/g, '')).not.toMatch(english);
    expect(cancelErrorText(err).replace(/AppID/g, '')).not.toMatch(english);
  }
  expect(assignErrorText(new CloudError('INVALID_ARGUMENT', 'must be a mini program appid', 'receiverAppId'))).toContain('商户小程序');
});

test('what WeChat did not say is shown plainly: missing figures as 未知, unknown statuses as they are', () => {
  expect(figureText(1000)).toBe('1000');
  expect(figureText(0)).toBe('0');
  expect(figureText(null)).toBe('未知');
  expect(orderStatusText('paid')).toBe('已支付');
  expect(orderStatusText('wechat-7')).toBe('微信状态 7');
  expect(orderStatusText('unknown')).toBe('状态未知');
  expect(statusLabel('unknown')).toContain('未知');
  expect(canCancel('unknown')).toBe(true);
  expect(isSettling('unknown')).toBe(false);
  // A SKU without a call count cannot be assigned from the phone; an order without a remaining count is left to WeChat.
  const form = { appid: 'wx0123456789abcdef', skuId: 's', startText: '' };
  expect(checkAssignForm(form, { orderId: 'o', remaining: 10 }, [{ skuId: 's', calls: null }])).toEqual({
    error: expect.stringContaining('未知'),
  });
  expect(checkAssignForm(form, { orderId: 'o', remaining: null }, [{ skuId: 's', calls: 1000 }])).toEqual({
    ok: expect.objectContaining({ calls: 1000 }),
  });
});
