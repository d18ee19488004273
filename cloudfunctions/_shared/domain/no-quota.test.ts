import { confirmNoQuota, type NoQuotaFacts } from './no-quota';

const facts = (more: Partial<NoQuotaFacts> = {}): NoQuotaFacts => ({
  kind: 'quick',
  feeExempt: false,
  wechat: null,
  ledgerRemaining: 100,
  reporters: 1,
  reportersToTrip: 3,
  windowMinutes: 10,
  ...more,
});

test("WeChat's answer decides, whatever the ledger or the number of reporters", () => {
  expect(confirmNoQuota(facts({ wechat: { state: 'answered', remaining: 5 }, reporters: 50, ledgerRemaining: 0 }))).toBeNull();
  expect(confirmNoQuota(facts({ wechat: { state: 'answered', remaining: 0 } }))).toMatch(/WeChat's usage API shows no quick quota left/);
});

test('while another report is asking WeChat, nothing trips', () => {
  expect(confirmNoQuota(facts({ wechat: { state: 'asking' }, reporters: 50, ledgerRemaining: 0 }))).toBeNull();
});

test('without an answer from WeChat: an empty ledger, or enough distinct reporters', () => {
  const unavailable = { state: 'unavailable', why: 'down' } as const;
  expect(confirmNoQuota(facts({ wechat: unavailable }))).toBeNull();
  expect(confirmNoQuota(facts({ wechat: unavailable, ledgerRemaining: 0 }))).toMatch(/quota ledger/);
  expect(confirmNoQuota(facts({ reporters: 3 }))).toMatch(/^3 users reported/);
  expect(confirmNoQuota(facts({ reporters: 2 }))).toBeNull();
});

test('a fee-exempt account: only reporters count (it draws on no pack)', () => {
  expect(confirmNoQuota(facts({ feeExempt: true, wechat: { state: 'answered', remaining: 0 }, ledgerRemaining: 0 }))).toBeNull();
  expect(confirmNoQuota(facts({ feeExempt: true, reporters: 3 }))).toMatch(/3 users/);
});
