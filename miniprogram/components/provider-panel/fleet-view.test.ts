import { assignmentReasonText, checkRuleForm, EMPTY_RULE_FORM, fleetRows, ordersNotice, pollNotice, ruleRows } from './fleet-view';

const error = { code: 'UPSTREAM_UNAVAILABLE' as const, message: 'WeChat says this token may not call the API (48001 …)' };

test('a failed or unknown assignment has a Chinese reason from its errcode; none without an error', () => {
  expect(assignmentReasonText({ status: 'failed', error, wechatErrcode: 48001 })).toBe(
    '未分配：服务商令牌无权调用该接口（48001），请检查服务平台 AppID/AppSecret 配置',
  );
  expect(assignmentReasonText({ status: 'failed', error, wechatErrcode: 77777 })).toBe('未分配：微信错误码 77777');
  expect(assignmentReasonText({ status: 'unknown', error: { ...error, code: 'CONFLICT' }, wechatErrcode: 10121031 })).toContain('结果未知');
  expect(assignmentReasonText({ status: 'failed', error, wechatErrcode: null })).toBe('未分配：微信未给出结果');
  // Our own codes for no answer (the function's timeout, no connection) are said as such, not as WeChat's errcodes.
  expect(assignmentReasonText({ status: 'unknown', error, wechatErrcode: -2 })).toBe('结果未知：微信未及时答复。可“重新核对”或“撤回”');
  expect(assignmentReasonText({ status: 'unknown', error, wechatErrcode: -3 })).toContain('未能连接微信');
  expect(assignmentReasonText({ status: 'done', error: null, wechatErrcode: null })).toBe('');
});

test('stale and incomplete order lists and failed polls are said', () => {
  expect(ordersNotice(null, [])).toBe('');
  expect(ordersNotice('timeout', [])).toContain('上次同步');
  expect(ordersNotice(null, [{ spuId: '10000117' }])).toBe('商品 10000117 查询失败，未列出其订单');
  expect(pollNotice(null)).toBe('');
  expect(pollNotice('WeChat busy')).toContain('暂未能向微信核实');
});

test('fleet rows: figures, days left, unknown never shown as zero, low under 7 days', () => {
  const kind = { all: 1000, used: 900, remaining: 100, daysLeft: 5, checkedAt: '2027-01-12T04:00:00.000Z', error: null };
  const unknown = { all: null, used: null, remaining: null, daysLeft: null, checkedAt: null, error: 'No token source for this merchant' };
  const [row] = fleetRows([{ appid: 'wx0123456789abcdef', source: 'assigned', daysLeft: 5, kinds: { quick: kind, realtime: unknown } }]);
  expect(row).toMatchObject({ low: true, daysText: '约可用 5 天', sourceText: '已分配过' });
  expect(row!.kinds[0]).toMatchObject({ figuresText: '剩余 100 / 共 1000 次', checkedText: '查询于 2027-01-12 12:00' });
  expect(row!.kinds[1]).toMatchObject({ figuresText: '剩余未知', errorText: '读取失败：未配置该商户的令牌来源' });
});

test('rule rows say what the rule does, why it stopped and what it did, newest first', () => {
  const base = {
    appid: 'wx0123456789abcdef',
    kind: 'quick' as const,
    orderId: 'o1',
    skuId: 's1',
    skuName: '1000次',
    skuCalls: 1000,
    belowCalls: 50,
    maxPerMonth: 2,
    state: 'stopped' as const,
    stoppedBecause: 'The assign was refused: …',
    stopKind: 'assign-refused' as const,
    stopErrcode: 10121031,
    lastDay: '2027-01-12',
    thisMonth: 1,
    pendingAssignmentId: null,
    updatedAt: '2027-01-12T04:00:00.000Z',
    history: [
      { at: '2027-01-11T04:00:00.000Z', outcome: 'assigned' as const, assignmentId: 'a', remaining: 40, note: '' },
      { at: '2027-01-12T04:00:00.000Z', outcome: 'stopped' as const, assignmentId: null, remaining: 30, note: '' },
    ],
  };
  const [row] = ruleRows([base]);
  expect(row!.stateText).toContain('订单剩余次数不足（10121031）');
  expect(row!.history.map((h) => h.text)).toEqual([
    '2027-01-12 12:00 已停止（当时剩余 30 次）',
    '2027-01-11 12:00 已补充（当时剩余 40 次）',
  ]);
  expect(ruleRows([{ ...base, stopKind: 'order-exhausted', stopErrcode: null }])[0]!.stateText).toContain('订单剩余次数不足以补充该规格');
});

test('the rule form needs an order, a SKU, an appid, a positive threshold and 1-31 a month', () => {
  const pick = { orderId: 'o1', skuId: 's1', appid: 'wx0123456789abcdef' };
  const form = { ...EMPTY_RULE_FORM, belowText: '50', maxText: '2' };
  expect(checkRuleForm(form, pick)).toEqual({ ok: { ...pick, kind: 'quick', belowCalls: 50, maxPerMonth: 2 } });
  expect(checkRuleForm(form, { ...pick, orderId: '' })).toEqual({ error: '请先选择订单' });
  expect(checkRuleForm(form, { ...pick, appid: 'wx12' })).toMatchObject({ error: expect.stringContaining('AppID') });
  expect(checkRuleForm({ ...form, belowText: '0' }, pick)).toMatchObject({ error: expect.stringContaining('阈值') });
  expect(checkRuleForm({ ...form, maxText: '32' }, pick)).toMatchObject({ error: expect.stringContaining('1 到 31') });
});
