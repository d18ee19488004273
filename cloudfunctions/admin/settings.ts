/**
 * `admin.settings.get` and `admin.settings.update { version, patch }`: the merchant's
 * control panel. Updates are optimistic: a stale `version` is CONFLICT and writes
 * nothing; every changed field is audited in the same transaction.
 */
import * as v from 'valibot';
import { noParams, route } from '../_shared/runtime/router';
import { AppError } from '../_shared/runtime/errors';
import { now } from '../_shared/runtime/clock';
import { settingsPatchSchema } from '../_shared/domain/settings-patch';
import { loadSettings, updateSettings } from '../_shared/data/settings';
import { rearmSpendIfDue } from '../_shared/services/spend-breaker';

export const getSettings = route(noParams, async () => loadSettings());

const updateInput = v.object({
  version: v.pipe(
    v.number('version must be a number'),
    v.integer('version must be a whole number'),
    v.minValue(0, 'version cannot be negative'),
  ),
  patch: settingsPatchSchema,
});

export const updateSettingsRoute = route(updateInput, async ({ version, patch }, { caller, log }) => {
  const by = caller.openid;
  const outcome = await updateSettings(version, patch, by, now());
  if (!outcome.ok) {
    throw new AppError(
      'CONFLICT',
      `The settings changed since you loaded them (you have version ${version}, now ${outcome.current.version}); reload and try again.`,
    );
  }
  if (outcome.changes.length) log.info({ by, fields: outcome.changes.map((c) => c.field) });
  // Raising (or removing) the limit that tripped a spending breaker re-arms it now; so does marking the account fee-exempt.
  const limitChanged = outcome.changes.some(
    (c) => c.field === 'phoneCapture.monthlyBudgetYuan' || c.field === 'phoneCapture.dailyCap' || c.field === 'feeExempt',
  );
  if (limitChanged && (await rearmSpendIfDue(outcome.settings, now()))) return loadSettings();
  return outcome.settings;
});
