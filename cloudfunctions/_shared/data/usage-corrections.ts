/**
 * `usage_corrections/<YYYY-MM>:<kind>`: what cron's reconciliation booked so that our
 * count of a kind meets WeChat's used figure — one entry per kind and month, rewritten
 * by each run of that month. A positive count is calls WeChat billed that we have no
 * counted record for (taps never sent to us, unknown outcomes that WeChat did use); a
 * negative one, records we counted that WeChat did not bill. Kept with its evidence,
 * never folded silently into `usage_daily` (which stays the sum of counted records).
 */
import { db } from '../runtime/cloud';
import type { PhoneKind } from '../domain/settings';
import type { UsageCorrectionEntry } from '../../../miniprogram/contract';

/** The contract's entry (miniprogram/contract/cron.ts), as stored: its id and a real date. */
export interface UsageCorrection extends Omit<UsageCorrectionEntry, 'at'> {
  _id: string;
  at: Date;
}

const corrections = () => db.collection<UsageCorrection>('usage_corrections');

export const correctionId = (month: string, kind: PhoneKind) => `${month}:${kind}`;

/** Every correction of a kind, all months (one per month: a small read). */
export async function correctionsOf(kind: PhoneKind): Promise<UsageCorrection[]> {
  const { data } = await corrections().where({ kind }).limit(1000).get();
  return data;
}

/** This month's entry of a kind, or null when no reconciliation booked one yet. */
export async function loadCorrection(month: string, kind: PhoneKind): Promise<UsageCorrection | null> {
  return (await corrections().doc(correctionId(month, kind)).get()).data ?? null;
}

export async function saveCorrection(c: UsageCorrection): Promise<void> {
  const { _id, ...rest } = c;
  await corrections().doc(_id).set({ data: rest });
}
