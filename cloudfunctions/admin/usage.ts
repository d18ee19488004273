/**
 * `admin.usage.summary { months? }` and `admin.usage.list { limit?, cursor? }`:
 * what WeChat's console shows a merchant, plus the cost in money: what the calls cost
 * (each at the price of the pack it drew from; the trial is free) beside their list
 * value. The summary reads the daily counters (O(days)) and the packs; the list pages
 * through the charges newest first with a cursor, masked numbers only.
 */
import * as v from 'valibot';
import { pageLimit } from '../_shared/domain/amount-schemas';
import { route } from '../_shared/runtime/router';
import { AppError } from '../_shared/runtime/errors';
import { now } from '../_shared/runtime/clock';
import { summarizeUsage } from '../_shared/domain/usage';
import { loadLedgers } from '../_shared/services/quota';
import { loadSettings } from '../_shared/data/settings';
import { pageCharges } from '../_shared/data/phone-charges';

const summaryInput = v.object({
  months: v.optional(
    v.pipe(
      v.number('months must be a number'),
      v.integer('months must be a whole number'),
      v.minValue(1, 'months must be at least 1'),
      v.maxValue(36, 'months can be at most 36'),
    ),
    12,
  ),
});

export const usageSummary = route(summaryInput, async ({ months }) => {
  const at = now();
  // The ledgers read every counter (the trial draws on all of history): the summary's counts come from the same read.
  const [ledgers, settings] = await Promise.all([loadLedgers(at), loadSettings()]);
  return summarizeUsage(ledgers.history, at, months, ledgers.states, settings.feeExempt);
});

const listInput = v.object({
  limit: pageLimit(100, 20),
  cursor: v.optional(v.nullable(v.pipe(v.string('cursor must be a string'), v.maxLength(200, 'cursor is not one we gave out')))),
});

interface Position {
  at: Date;
  id: string;
}

/** Cursors are opaque to clients: base64url of the last item's time and id. */
function encodeCursor(position: Position): string {
  return Buffer.from(JSON.stringify({ at: position.at.toISOString(), id: position.id })).toString('base64url');
}

function decodeCursor(cursor: string): Position {
  try {
    const { at, id } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { at?: unknown; id?: unknown };
    const date = typeof at === 'string' ? new Date(at) : new Date(NaN);
    if (typeof id !== 'string' || Number.isNaN(date.getTime())) throw new Error('bad cursor');
    return { at: date, id };
  } catch {
    // No cause kept: the parse error would quote the client's text into the log.
    throw new AppError('INVALID_ARGUMENT', 'cursor: not a cursor from usage.list', { field: 'cursor' });
  }
}

export const usageList = route(listInput, async ({ limit, cursor }) => {
  const page = await pageCharges(limit, cursor ? decodeCursor(cursor) : null);
  const last = page.items.at(-1);
  return {
    items: page.items.map((c) => ({ at: c.chargedAt, kind: c.kind, phoneMasked: c.phoneMasked, exchange: c.exchange })),
    nextCursor: page.more && last ? encodeCursor({ at: new Date(last.chargedAt), id: last._id }) : null,
  };
});
