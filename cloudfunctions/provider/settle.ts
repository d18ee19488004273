/**
 * Sending an assignment to WeChat and settling it with WeChat's own word. Used by
 * `assign` (first send), result events (confirmation), `assignments.list` (polling
 * what no event settled) and `cancel`.
 *
 * WeChat is asked, never told: a status changes only to what `order/get`'s
 * `assignList` reports for the requestId (or, where that list is missing, to what a
 * resend of the same requestId answers — WeChat de-duplicates it).
 */
import { AppError } from '../_shared/errors';
import { logEvent } from '../_shared/log';
import { nextStatus, statusFromWechat, type AssignmentStatus } from '../_shared/domain/provider-assignment';
import { mapWechatError } from '../_shared/domain/provider-errors';
import { claimForResend, fillCalls, findAssignment, markSubmitted, moveAssignment, releaseLease, markChecked, type AssignmentDoc } from '../_shared/data/provider-assignments';
import { WechatError } from '../_shared/wechat/http';
import { assignPackage, getOrder, isProviderTokenError, type SpAssignment } from '../_shared/wechat/service-provider';
import { asAppError, askWechat } from './wechat-errors';

/** How long the request holding a new record may take to send it (the function times out at 20 s). */
export const SEND_LEASE_MS = 30_000;

/**
 * Sends `package/assign` for a pending record. WeChat's refusal marks it failed and is
 * returned as the error — unless this is a resend and WeChat's records show an earlier
 * send got through. A failure that leaves the outcome open (timeout, busy) leaves it
 * pending and releases it, so the same key sent again resends at once.
 */
export async function sendAssignment(doc: AssignmentDoc, at: Date, via: string, resend = false): Promise<AppError | null> {
  try {
    const answer = await assignPackage({ orderId: doc.orderId, skuId: doc.skuId, receiverAppId: doc.receiverAppId, requestId: doc.requestId, beginTime: doc.beginTime });
    await markSubmitted(doc._id, at);
    if (answer === 'already-done') await moveAssignment(doc._id, 'pending', 'done', { at, via: `${via}: WeChat already had it assigned` });
    return null;
  } catch (err) {
    if (!(err instanceof WechatError) || isProviderTokenError(err)) {
      // The assign was not sent (no token): the next request with this key may send it.
      await releaseLease(doc._id, at);
      const error = asAppError(err, 'assign');
      if (error instanceof AppError) return error;
      throw error;
    }
    const mapped = mapWechatError(err.errcode, 'assign');
    logEvent('warn', { fn: 'provider', assignment: doc._id, wechat: err.message, refused: mapped.refused });
    if (mapped.refused && resend && (await wechatHasIt(doc, at, via))) {
      // An earlier send got through after all (WeChat checked something else before the
      // requestId): its status, now stored, is the answer.
      return null;
    }
    if (mapped.refused) {
      await moveAssignment(doc._id, 'pending', 'failed', { at, via: `${via}: WeChat refused (${err.errcode})`, error: { code: mapped.code, message: mapped.message, errcode: err.errcode } });
    } else {
      await releaseLease(doc._id, at);
    }
    return new AppError(mapped.code, mapped.message);
  }
}

/** Whether WeChat's records hold this requestId; if so its status is applied. */
async function wechatHasIt(doc: AssignmentDoc, at: Date, via: string): Promise<boolean> {
  const { assignList } = await askWechat('read', () => getOrder(doc.orderId));
  const entry = assignList ? wechatEntry(assignList, doc.requestId) : undefined;
  if (!entry) return false;
  await apply(doc, statusFromWechat(entry.status), at, `${via}: found at WeChat`);
  return true;
}

function wechatEntry(list: SpAssignment[], requestId: string): SpAssignment | undefined {
  return list.find((a) => a.requestId === requestId);
}

/** Applies WeChat's status for one record; true when the record changed. */
async function apply(doc: AssignmentDoc, confirmed: AssignmentStatus | null, at: Date, via: string): Promise<boolean> {
  const to = nextStatus(doc.status, confirmed);
  if (!to) return false;
  const moved = await moveAssignment(
    doc._id,
    doc.status,
    to,
    to === 'failed'
      ? { at, via, error: { code: 'CONFLICT', message: 'WeChat reports this assignment failed; nothing was assigned.', errcode: null } }
      : { at, via, submitted: true },
  );
  if (moved) logEvent('info', { fn: 'provider', assignment: doc._id, from: doc.status, to, via });
  return moved;
}

/**
 * Asks WeChat about each record (one `order/get` per order) and stores what it says.
 * Returns the ids that changed. A pending record WeChat has never seen, whose sender's
 * lease ran out, is resent with its requestId.
 */
export async function confirmWithWechat(docs: AssignmentDoc[], at: Date, via: string): Promise<Set<string>> {
  const changed = new Set<string>();
  const byOrder = new Map<string, AssignmentDoc[]>();
  for (const doc of docs) byOrder.set(doc.orderId, [...(byOrder.get(doc.orderId) ?? []), doc]);
  for (const [orderId, group] of byOrder) {
    const { assignList } = await getOrder(orderId);
    for (const doc of group) {
      let moved = false;
      const entry = assignList ? wechatEntry(assignList, doc.requestId) : undefined;
      if (entry) {
        if (doc.calls === null && entry.count > 0) await fillCalls(doc._id, entry.count);
        moved = await apply(doc, statusFromWechat(entry.status), at, via);
      } else if (doc.status === 'pending' && (assignList === null || !doc.submitted)) {
        // No list to read (the real API may lack it), or WeChat never got the assign:
        // resending the same requestId is safe and its answer is WeChat's word.
        moved = await resend(doc, at, via, assignList === null);
      }
      if (moved) changed.add(doc._id);
      else await markChecked(doc._id, at);
    }
  }
  return changed;
}

async function resend(doc: AssignmentDoc, at: Date, via: string, noList: boolean): Promise<boolean> {
  // Without a list every pending record is asked; otherwise only one nobody is sending.
  if (!noList && !(await claimForResend(doc._id, at, SEND_LEASE_MS))) return false;
  const error = await sendAssignment(doc, at, `${via}: resent`, true);
  if (error && error.code === 'UPSTREAM_UNAVAILABLE') return false;
  const now = await findAssignment(doc._id);
  return Boolean(now && now.status !== doc.status);
}
