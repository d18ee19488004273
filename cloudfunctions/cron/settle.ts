/**
 * Cron's first step: settle every charge record a request left unfinished, so that
 * after one run the counters agree with the records. Two passes, each paged through
 * everything (not a fixed first page): pending records are finished from what is
 * durable — the number on the user, the user's refusal or "untouched" notes, the day's
 * counter listing it (a number given and lost), or, with none, an unknown outcome — then every billable record usage_daily does not include
 * is counted (once: recountCharge's transaction). Both stop when the run's time budget
 * is spent and say how many records are left; the next run starts with those (the
 * oldest pending first, the owed ones as they come).
 */
import { now as clockNow } from '../_shared/runtime/clock';
import {
  abandonCharge,
  finishFromUser,
  finishNumberLost,
  finishRefused,
  pendingCharges,
  releaseUntouched,
} from '../_shared/data/phone-charges';
import { counterLists } from '../_shared/data/usage-daily';
import { owedCharges, countOwedCharges } from '../_shared/data/phone-charges';
import { recountCharge } from '../_shared/services/charge-counting';
import { findUser } from '../_shared/data/users';
import { errorDetail, logEvent } from '../_shared/runtime/log';
import type { ChargeRecord } from '../_shared/domain/charge';

/** Of cron's 60 s (cloudbaserc.json): the rest is for breakers, reconciliation and alerts. */
const SETTLE_BUDGET_MS = 30_000;
const PAGE = 100;

export interface Settled {
  /**
   * Pending records finished: `bound` from the number on the user, `refused` from the
   * user's list of refused codes, `unknown` left by a request that sent the code and
   * then lost every write (neither counted nor dropped: see abandonCharge).
   */
  finished: { bound: number; refused: number; unknown: number };
  /** Records counted now (billable, not in usage_daily). */
  recounted: number;
  /** Owed records left uncounted because the budget ran out (0: every one is counted). */
  remaining: number;
}

/** Elapsed real time: the budget is the function's own timeout, which a moved product clock does not move. */
function budget(ms: number): () => boolean {
  const end = Date.now() + ms;
  return () => Date.now() < end;
}

/** A record its user noted as untouched by WeChat, still under the lease of that request. */
async function releaseIfUntouched(charge: ChargeRecord, untouched: Array<{ id: string; leaseUntil: Date }> | undefined, at: Date) {
  const note = untouched?.find((u) => u.id === charge._id);
  return note ? releaseUntouched(charge._id, new Date(note.leaseUntil), at) : false;
}

/** Finishes one pending record from what is durable; in flight (its lease running): left alone. */
async function finishOne(charge: ChargeRecord, at: Date, finished: Settled['finished']): Promise<void> {
  const user = await findUser(charge.openid);
  if (user?.phone?.chargeId === charge._id) {
    await finishFromUser(charge, user.phone, at);
    finished.bound += 1;
  } else if (user?.codeFailures?.refused?.includes(charge._id)) {
    if (await finishRefused(charge._id, at)) finished.refused += 1;
  } else if (await releaseIfUntouched(charge, user?.codeFailures?.untouched, at)) {
    // Nothing learnt from WeChat: ended retriable and uncounted (not in the report's figures).
  } else if (new Date(charge.leaseUntil).getTime() > at.getTime()) {
    // In flight: its holder still has it.
  } else if (charge.counted !== true && (await counterLists(charge.day, charge.kind, charge._id))) {
    // Counted without its flag: WeChat gave the number and the request died before storing it.
    if (await finishNumberLost(charge._id, at, at)) logEvent('warn', { step: 'settle', charge: charge._id, numberLost: true });
  } else if (await abandonCharge(charge, at, at)) {
    finished.unknown += 1;
  }
}

/** Every pending record, oldest first, a keyset page at a time (records in flight stay pending and are stepped over). */
async function finishPending(at: Date, inTime: () => boolean): Promise<Settled['finished']> {
  const finished = { bound: 0, refused: 0, unknown: 0 };
  const seen = new Set<string>();
  let since: Date | null = null;
  while (inTime()) {
    const page: ChargeRecord[] = (await pendingCharges(PAGE, since)).filter((c) => !seen.has(c._id));
    if (page.length === 0) break;
    for (const charge of page) {
      seen.add(charge._id);
      // One record's failure (a database error) leaves it for the next run, not the rest.
      await finishOne(charge, at, finished).catch((err: unknown) =>
        logEvent('error', { step: 'settle', charge: charge._id, failedToFinish: true, ...errorDetail(err) }),
      );
    }
    since = page[page.length - 1]!.chargedAt;
  }
  return finished;
}

/**
 * Counts every owed record. Counted ones leave the query, so each page is the first
 * one again; one that fails to count stays in it, and a page of nothing but those ends the pass.
 */
async function recountAll(inTime: () => boolean): Promise<{ recounted: number; remaining: number }> {
  let recounted = 0;
  const tried = new Set<string>();
  let stuck = false;
  while (inTime()) {
    const page = (await owedCharges(PAGE)).filter((id) => !tried.has(id));
    if (page.length === 0) {
      stuck = tried.size > 0 && (await countOwedCharges()) > 0;
      break;
    }
    for (const id of page) {
      tried.add(id);
      const counted = await recountCharge(id).catch((err: unknown) => {
        logEvent('error', { step: 'settle', charge: id, failedToCount: true, ...errorDetail(err) });
        return false;
      });
      if (counted) recounted += 1;
    }
  }
  const remaining = stuck || !inTime() ? await countOwedCharges() : 0;
  return { recounted, remaining };
}

export async function settleCharges(at: Date = clockNow(), budgetMs = SETTLE_BUDGET_MS): Promise<Settled> {
  const inTime = budget(budgetMs);
  const finished = await finishPending(at, inTime);
  const { recounted, remaining } = await recountAll(inTime);
  if (remaining > 0) logEvent('warn', { step: 'settle', owedLeftForNextRun: remaining });
  return { finished, recounted, remaining };
}
