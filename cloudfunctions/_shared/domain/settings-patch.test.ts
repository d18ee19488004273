import * as v from 'valibot';
import { defaultSettings, settingsFrom } from './settings';
import { applySettingsPatch, settingsPatchSchema } from './settings-patch';

const at = new Date('2026-05-01T00:00:00Z');

test('only changed fields are reported, and only then does the version move', () => {
  const { next, changes } = applySettingsPatch(defaultSettings(), { hidePrices: true, hideShippingAddress: false }, 'o_admin', at);
  expect(changes).toEqual([{ field: 'hidePrices', from: false, to: true }]);
  expect(next).toMatchObject({ version: 1, updatedBy: 'o_admin', updatedAt: at, hidePrices: true });
  const same = applySettingsPatch(next, { hidePrices: true }, 'o_admin', at);
  expect(same.changes).toEqual([]);
  expect(same.next).toBe(next);
});

test('clearing the breaker resets reason and time; clearing an untripped breaker is no change', () => {
  const tripped = settingsFrom({ breaker: { tripped: true, reason: 'daily-cap-reached', at } });
  const { next, changes } = applySettingsPatch(tripped, { breaker: { tripped: false } }, 'o_admin', at);
  expect(next.breaker).toEqual({ tripped: false, reason: null, at: null });
  expect(changes).toEqual([{ field: 'breaker', from: tripped.breaker, to: next.breaker }]);
  expect(applySettingsPatch(defaultSettings(), { breaker: { tripped: false } }, 'o_admin', at).changes).toEqual([]);
});

test('the input is not mutated', () => {
  const current = defaultSettings();
  applySettingsPatch(current, { phoneCapture: { enabled: false } }, 'o_admin', at);
  expect(current.phoneCapture.enabled).toBe(true);
});

test.each([
  [12.34, true],
  [0.29, true],
  [100, true],
  [0.001, false],
  [1.005, false],
  [-1, false],
  [Number.NaN, false],
])('budget %d accepted: %s', (amount, accepted) => {
  expect(v.safeParse(settingsPatchSchema, { phoneCapture: { monthlyBudgetYuan: amount } }).success).toBe(accepted);
});

describe('an unknown setting is answered with the shape that works', () => {
  const refusal = (patch: unknown) => {
    const result = v.safeParse(settingsPatchSchema, patch);
    return result.success ? 'accepted' : result.issues[0].message;
  };

  test('a budget or cap sent at the top level is pointed into phoneCapture', () => {
    expect(refusal({ monthlyBudgetYuan: 50 })).toBe(
      'unknown setting "monthlyBudgetYuan": it belongs in phoneCapture, as { "phoneCapture": { "monthlyBudgetYuan": … } }',
    );
    expect(refusal({ dailyCap: 100 })).toContain('{ "phoneCapture": { "dailyCap": … } }');
  });

  test('any other unknown key lists every setting an admin may write', () => {
    expect(refusal({ budget: 50 })).toBe(
      'unknown setting "budget"; the settings are phoneCapture: { enabled, kind, monthlyBudgetYuan, dailyCap }, ' +
        'breaker: { tripped: false }, hidePrices, hideShippingAddress, feeExempt',
    );
  });

  test("an unknown key inside phoneCapture lists phoneCapture's keys", () => {
    expect(refusal({ phoneCapture: { budgetYuan: 50 } })).toBe(
      'unknown setting "budgetYuan" in phoneCapture; it holds enabled, kind, monthlyBudgetYuan, dailyCap',
    );
  });
});
