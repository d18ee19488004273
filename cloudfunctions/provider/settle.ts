/**
 * Sending assignments and cancels to WeChat and settling them on WeChat's word, which
 * comes three ways (docs/provider.md):
 * - WeChat's answer to the send itself (domain/provider-errors.ts maps every code);
 * - a signed result event (push.ts → settleFromEvent);
 * - when no event came, WeChat's answer to the same requestId sent again (poll):
 *   10121009 done, 10121010 cancelled, 10121011 still in progress. `order/get` lists
 *   no assignments, so nothing else tells.
 * A status moves only along domain/provider-assignment.ts's moves, with a conditional
 * update on the status read, and every move is kept in the record's history.
 */
import { AppError } from '../_shared/runtime/errors';
import { logEvent } from '../_shared/runtime/log';
import { nextStatus, statusAfterEvent, statusFromEvent, type AssignmentStatus } from '../_shared/domain/provider-assignment';
import { assignOutcome, cancelOutcome, mapWechatError, type MappedError, type SendOutcome } from '../_shared/domain/provider-errors';
import type { ResultEvent } from '../_shared/domain/provider-events';
import {
  claimForResend,
  findAssignment,
  findByRequestId,
  markChecked,
  markSubmitted,
  moveAssignment,
  noteError,
  releaseLease,
  type AssignmentDoc,
  type AssignmentError,
} from '../_shared/data/provider-assignments';
import { assignPackage, cancelAssignment } from '../_shared/wechat/service-provider';
import { askWechat } from './wechat-errors';

/** How long the request holding a new record may take to send it (the function times out at 20 s). */
export const SEND_LEASE_MS = 30_000;

const recordError = (error: MappedError, errcode: number | null): AssignmentError => ({
  code: error.code,
  message: error.message,
  errcode,
});

/** Moves a record to `to` if that is an allowed move from its status; true when it moved. */
async function apply(
  doc: AssignmentDoc,
  to: AssignmentStatus,
  at: Date,
  via: string,
  extra: { error?: AssignmentError | null; receivePkgId?: string | null } = {},
): Promise<boolean> {
  if (!nextStatus(doc.status, to)) return false;
  const moved = await moveAssignment(doc._id, doc.status, to, { at, via, submitted: true, ...extra });
  if (moved) logEvent('info', { assignment: doc._id, from: doc.status, to, via });
  return moved;
}

/**
 * Sends `package/assign` for a pending record and applies WeChat's answer. Returns the
 * error to answer the caller with, or null. `resend`: this requestId may have gone out
 * before, so a refusal may answer an earlier send that went through (→ unknown).
 */
export async function sendAssignment(doc: AssignmentDoc, at: Date, via: string, resend = false): Promise<AppError | null> {
  let answer;
  try {
    answer = await askWechat('assign', () =>
      assignPackage({
        orderId: doc.orderId,
        skuId: doc.skuId,
        receiverAppId: doc.receiverAppId,
        requestId: doc.requestId,
        beginTime: doc.beginTime,
      }),
    );
  } catch (err) {
    // Not sent (no token): the next request with this key may send it.
    await releaseLease(doc._id, at);
    if (err instanceof AppError) return err;
    throw err;
  }
  const outcome = assignOutcome(answer.errcode, resend || answer.resent);
  if (outcome.kind !== 'accepted') logEvent('warn', { assignment: doc._id, via, errcode: answer.errcode, outcome: outcome.kind });
  return applyAssignOutcome(doc, outcome, at, via);
}

async function applyAssignOutcome(doc: AssignmentDoc, outcome: SendOutcome, at: Date, via: string): Promise<AppError | null> {
  switch (outcome.kind) {
    case 'accepted':
      await markSubmitted(doc._id, at);
      return null;
    case 'status':
      await markSubmitted(doc._id, at);
      await apply(doc, outcome.status, at, `${via}: WeChat answered ${outcome.errcode}`);
      return null;
    case 'retry':
      await releaseLease(doc._id, at);
      return new AppError(outcome.error.code, outcome.error.message);
    case 'refused':
      await apply(doc, 'failed', at, `${via}: WeChat refused (${outcome.errcode})`, { error: recordError(outcome.error, outcome.errcode) });
      return new AppError(outcome.error.code, outcome.error.message);
    case 'unknown':
      await apply(doc, 'unknown', at, `${via}: WeChat answered ${outcome.errcode}`, { error: recordError(outcome.error, outcome.errcode) });
      return new AppError(outcome.error.code, outcome.error.message);
  }
}

/**
 * Cancels a `done` (or `unknown`) assignment: first claims it (→ cancelling, so
 * concurrent cancels send one `cancel_assign`), then sends it. WeChat's refusal brings it
 * back to where it was and is the error; an answer that leaves the outcome open keeps it
 * cancelling for polling to settle.
 */
export async function sendCancel(doc: AssignmentDoc, at: Date): Promise<{ error: AppError | null; claimed: boolean }> {
  const from = doc.status;
  if (from !== 'done' && from !== 'unknown') return { error: null, claimed: false };
  if (!(await moveAssignment(doc._id, from, 'cancelling', { at, via: 'cancel requested', error: null })))
    return { error: null, claimed: false };
  const claimed: AssignmentDoc = { ...doc, status: 'cancelling' };
  let answer;
  try {
    answer = await askWechat('cancel', () => cancelAssignment(doc.orderId, doc.requestId));
  } catch (err) {
    // Nothing was sent: the assignment stands as it was.
    await moveAssignment(doc._id, 'cancelling', from, { at, via: 'cancel not sent', error: doc.error });
    throw err;
  }
  return { error: await applyCancelOutcome(claimed, cancelOutcome(answer.errcode), at, 'cancel_assign', from), claimed: true };
}

/** `before`: where a refused cancel leaves the assignment (done, or unknown for a cancel sent to find out). */
async function applyCancelOutcome(
  doc: AssignmentDoc,
  outcome: SendOutcome,
  at: Date,
  via: string,
  before: AssignmentStatus = 'done',
): Promise<AppError | null> {
  switch (outcome.kind) {
    case 'accepted':
    case 'retry':
      // Accepted, or the outcome is open: cancelling until an event or a poll says more.
      return null;
    case 'status':
      await apply(doc, outcome.status, at, `${via}: WeChat answered ${outcome.errcode}`);
      return null;
    case 'refused':
      await apply(doc, before, at, `${via}: WeChat refused (${outcome.errcode})`, { error: recordError(outcome.error, outcome.errcode) });
      return new AppError(outcome.error.code, outcome.error.message);
    case 'unknown':
      await apply(doc, 'unknown', at, `${via}: WeChat answered ${outcome.errcode}`, { error: recordError(outcome.error, outcome.errcode) });
      return new AppError(outcome.error.code, outcome.error.message);
  }
}

/**
 * Asks WeChat about assignments no event settled, by sending the same requestId again
 * (WeChat de-duplicates it). After `maxAttempts` checks without a final word an
 * assignment is marked unknown: shown to admins, never resent on its own. Returns the
 * ids that changed.
 */
export async function pollAssignments(docs: AssignmentDoc[], at: Date, maxAttempts: number): Promise<Set<string>> {
  const changed = new Set<string>();
  for (const doc of docs) {
    if ((doc.pollAttempts ?? 0) >= maxAttempts) {
      const error: AssignmentError = {
        code: 'UPSTREAM_UNAVAILABLE',
        message: `WeChat gave no final word after ${maxAttempts} checks; the outcome is unknown. Check it in the service platform.`,
        errcode: null,
      };
      if (await apply(doc, 'unknown', at, `poll: no final word after ${maxAttempts} checks`, { error })) changed.add(doc._id);
      continue;
    }
    if (doc.status === 'pending') {
      // One nobody acknowledged is resent only by whoever takes over its lease.
      if (!doc.submitted && !(await claimForResend(doc._id, at, SEND_LEASE_MS))) continue;
      await sendAssignment(doc, at, 'poll', true);
    } else if (doc.status === 'cancelling') {
      const answer = await askWechat('cancel', () => cancelAssignment(doc.orderId, doc.requestId));
      await applyCancelOutcome(doc, cancelOutcome(answer.errcode, true), at, 'poll');
    }
    const now = await findAssignment(doc._id);
    if (now && now.status !== doc.status) changed.add(doc._id);
    else await markChecked(doc._id, at);
  }
  return changed;
}

/**
 * A signed result event's word: event 5 → done (storing receive_pkg_id) or failed,
 * event 6 → cancelled or (a refused cancel) back to done. The event must name the
 * record's own order and receiver; an unknown requestId changes nothing.
 */
export async function settleFromEvent(event: ResultEvent, at: Date): Promise<{ changed: boolean; ignored?: string }> {
  for (let attempt = 0; attempt < 2; attempt++) {
    const doc = await findByRequestId(event.requestId);
    if (!doc) return { changed: false, ignored: 'unknown requestId' };
    if ((event.orderId && event.orderId !== doc.orderId) || (event.receiverAppId && event.receiverAppId !== doc.receiverAppId)) {
      return { changed: false, ignored: 'order_id or receive_appid differs from the assignment' };
    }
    const to = statusFromEvent(event.type, event.result);
    const via = `event ${event.type === 'assign' ? 5 : 6}${event.result === 0 ? '' : ` (result ${event.result})`}`;
    let error: AssignmentError | null | undefined;
    if (event.result !== 0) {
      const mapped = mapWechatError(event.result, event.type);
      const what = event.type === 'assign' ? 'the assignment failed; nothing was assigned' : 'the cancel failed; the pack stays assigned';
      error = {
        code: mapped.code === 'UPSTREAM_UNAVAILABLE' ? 'CONFLICT' : mapped.code,
        message: `WeChat's result event says ${what} (result ${event.result}). ${mapped.message}`,
        errcode: event.result,
      };
    } else if (to === 'done' || to === 'cancelled') {
      error = null;
    }
    if (!statusAfterEvent(doc.status, event.type, event.result)) {
      // Already there (a duplicate event), or a move not allowed (a stale event, e.g. a
      // repeated assign push while a cancel is under way).
      if (event.type === 'cancel' && event.result !== 0 && doc.status === 'done' && error) await noteError(doc._id, at, error);
      return { changed: false };
    }
    if (await apply(doc, to, at, via, { error, receivePkgId: event.type === 'assign' ? event.receivePkgId : undefined }))
      return { changed: true };
    // Another request moved it meanwhile: read it again once.
  }
  return { changed: false };
}
