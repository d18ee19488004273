/**
 * `admin.statement.month { month: "YYYY-MM" }`: a China month's calls and true cost as
 * CSV and rows (domain/statement.ts), its totals equal to usage.summary's for the month
 * because both price the same ledger the same way. A month not written YYYY-MM, before
 * 2023 (WeChat began charging in August 2023) or still to come is INVALID_ARGUMENT.
 * Reads the ledgers, the settings and the reconciliations; writes nothing.
 */
import * as v from 'valibot';
import { now } from '../_shared/runtime/clock';
import { AppError } from '../_shared/runtime/errors';
import { route } from '../_shared/runtime/router';
import { chinaMonth } from '../_shared/domain/china-time';
import { monthStatement } from '../_shared/domain/statement';
import { loadLedgers } from '../_shared/services/quota';
import { loadReconciliation } from '../_shared/data/quota-reconciliations';
import { loadSettings } from '../_shared/data/settings';

const input = v.object({
  month: v.pipe(
    v.string('month must be a string "YYYY-MM"'),
    v.regex(/^(20[2-9]\d)-(0[1-9]|1[0-2])$/, 'month must be "YYYY-MM", e.g. "2026-12"'),
    v.check((m) => m >= '2023-01', 'month must be 2023-01 or later'),
  ),
});

export const statementMonth = route(input, async ({ month }) => {
  const at = now();
  // Compared as text: both are YYYY-MM.
  if (month > chinaMonth(at))
    throw new AppError('INVALID_ARGUMENT', `month: ${month} has not started yet (China time)`, { field: 'month' });
  const [ledgers, settings, quick, realtime] = await Promise.all([
    loadLedgers(at),
    loadSettings(),
    loadReconciliation('quick'),
    loadReconciliation('realtime'),
  ]);
  const counts = [quick, realtime].filter((r) => r !== null).map((r) => ({ ...r, at: new Date(r.at) }));
  return monthStatement(month, ledgers.states, settings.feeExempt, counts);
});
