/**
 * Counting a billable `phone_charges` record into `usage_daily`, in one transaction with
 * its `counted` flag: whoever runs it (the charge path, cron), however often, the
 * record is counted once. The counter's own list of the charges it includes covers the
 * other way in, the charge path's increment without the flag: one that landed with its
 * answer lost is marked here, not added again.
 */
import { db } from '../runtime/cloud';
import { isTxConflict } from '../runtime/db-errors';
import { chargeIn, markCountedIn } from '../data/phone-charges';
import { countChargeIn } from '../data/usage-daily';

/** How often a recount retries a transaction that conflicted with another writer. */
const TX_TRIES = 5;

/**
 * Counts one billable record that usage_daily does not include yet. Reads inside the
 * transaction (its snapshot); a conflict with a concurrent writer is retried on a fresh
 * snapshot. True if this call added it to the counter (false: not owed, or the counter
 * had it already and only the flag was missing).
 */
export async function recountCharge(chargeId: string): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.runTransaction(async (tx) => {
        const charge = await chargeIn(tx, chargeId);
        if (!charge || charge.billable !== true || charge.counted === true) return false;
        const added = await countChargeIn(tx, charge.day, charge.kind, chargeId);
        await markCountedIn(tx, chargeId);
        return added;
      });
    } catch (err) {
      if (attempt >= TX_TRIES || !isTxConflict(err)) throw err;
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt + Math.floor(Math.random() * 30)));
    }
  }
}
