/**
 * `provider_assignments/<assignmentId>`: one document per assign request, keyed by the
 * id derived from the client's idempotency key (domain/provider-ids.ts). It is written
 * before WeChat is asked anything, so a retried, doubled or concurrent request finds it
 * and never sends a second assignment under another requestId. Status changes are
 * conditional on the status read, so two confirmations cannot both apply, and each one
 * is kept in `history`.
 */
import { db, command as _ } from '../runtime/cloud';
import type { ErrorCode } from '../runtime/errors';
import { UNSETTLED, type AssignmentStatus, type AssignRequest } from '../domain/provider-assignment';
import { isDuplicateKey } from '../runtime/db-errors';

export interface AssignmentError {
  code: ErrorCode;
  message: string;
  errcode: number | null;
}

interface StatusChange {
  at: Date;
  from: AssignmentStatus;
  to: AssignmentStatus;
  /** What confirmed it: "event 5", "poll: WeChat answered 10121009", … */
  via: string;
}

export interface AssignmentDoc extends AssignRequest {
  _id: string;
  requestId: string;
  /** Calls in the assigned pack, from the SKU; null until WeChat's records tell (a SKU no longer listed as convertible). */
  calls: number | null;
  skuName: string | null;
  validityDays: number | null;
  /** The component's spuId in the merchant's usage API (the SKU's `spuId`); null when WeChat did not list the SKU. */
  componentSpuId?: string | null;
  status: AssignmentStatus;
  /** WeChat has acknowledged the assign (accepted it, or already had it). */
  submitted: boolean;
  /** Until then, the request that holds the record is sending it to WeChat; afterwards another may resend it. */
  leaseUntil: Date;
  error: AssignmentError | null;
  createdBy: string;
  createdAt: Date;
  /** When the status (or what WeChat acknowledged) last changed. */
  updatedAt: Date;
  /** When WeChat was last asked about it; polling takes the least recently checked first. */
  checkedAt: Date;
  /** The receiver's pack, from the signed assign result event (receive_pkg_id); null until then. */
  receivePkgId?: string | null;
  /** How many times polling asked WeChat about it without a final word. */
  pollAttempts?: number;
  history: StatusChange[];
}

const assignments = () => db.collection<AssignmentDoc>('provider_assignments');

const revive = (doc: AssignmentDoc): AssignmentDoc => ({
  ...doc,
  createdAt: new Date(doc.createdAt),
  updatedAt: new Date(doc.updatedAt),
  checkedAt: new Date(doc.checkedAt),
  leaseUntil: new Date(doc.leaseUntil),
});

/** Inserts the record; false when one with that id already exists. */
export async function insertAssignment(doc: AssignmentDoc): Promise<boolean> {
  try {
    await assignments().add({ data: doc });
    return true;
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}

export async function findAssignment(id: string): Promise<AssignmentDoc | null> {
  const { data } = await assignments().doc(id).get();
  return data ? revive(data) : null;
}

export async function findByRequestId(requestId: string): Promise<AssignmentDoc | null> {
  const { data } = await assignments().where({ requestId }).limit(1).get();
  return data[0] ? revive(data[0]) : null;
}

/** Newest first. */
export async function listAssignments(filter: { receiverAppId?: string }, limit: number): Promise<AssignmentDoc[]> {
  const query = filter.receiverAppId ? assignments().where({ receiverAppId: filter.receiverAppId }) : assignments();
  const { data } = await query.orderBy('createdAt', 'desc').limit(limit).get();
  return data.map(revive);
}

/** Assignments still waiting for WeChat's final word and not looked at since `checkedBefore`, least recently looked at first. */
export async function listUnsettled(filter: { receiverAppId?: string }, limit: number, checkedBefore: Date): Promise<AssignmentDoc[]> {
  const where: Record<string, unknown> = { status: _.in([...UNSETTLED]), checkedAt: _.lte(checkedBefore) };
  if (filter.receiverAppId) where.receiverAppId = filter.receiverAppId;
  const { data } = await assignments().where(where).orderBy('checkedAt', 'asc').limit(limit).get();
  return data.map(revive);
}

/**
 * Moves an assignment from `from` to `to` if it is still `from`; false when another
 * request moved it first (then nothing is written).
 */
export async function moveAssignment(
  id: string,
  from: AssignmentStatus,
  to: AssignmentStatus,
  change: { at: Date; via: string; error?: AssignmentError | null; submitted?: boolean; receivePkgId?: string | null },
): Promise<boolean> {
  const data: Record<string, unknown> = {
    status: to,
    updatedAt: change.at,
    checkedAt: change.at,
    pollAttempts: 0,
    history: _.push([{ at: change.at, from, to, via: change.via }]),
  };
  if (change.receivePkgId) data.receivePkgId = change.receivePkgId;
  // _.set: the SDK would otherwise write the object field by field ("error.code"),
  // which MongoDB refuses under the stored null.
  if (change.error !== undefined) data.error = change.error === null ? null : _.set(change.error);
  if (change.submitted !== undefined) data.submitted = change.submitted;
  const res = await assignments().where({ _id: id, status: from }).update({ data });
  return res.stats.updated === 1;
}

/** WeChat acknowledged the assign; the status is left to confirmation (an event may have settled it already). */
export async function markSubmitted(id: string, at: Date): Promise<void> {
  await assignments()
    .where({ _id: id, submitted: false })
    .update({ data: { submitted: true, updatedAt: at } });
}

/** Records that WeChat was asked about the assignment, so the next poll takes others first. */
export async function markChecked(id: string, at: Date): Promise<void> {
  await assignments()
    .doc(id)
    .update({ data: { checkedAt: at, pollAttempts: _.inc(1) } });
}

/** Keeps WeChat's latest answer on a record whose status did not change (a refused cancel, an unknown code). */
export async function noteError(id: string, at: Date, error: AssignmentError): Promise<void> {
  await assignments()
    .doc(id)
    .update({ data: { error: _.set(error), updatedAt: at } });
}

/**
 * Takes over sending a pending assignment WeChat never acknowledged, once the lease of
 * whoever held it has run out (it timed out or crashed). Exactly one caller wins; it
 * resends with the same requestId, which WeChat de-duplicates.
 */
export async function claimForResend(id: string, at: Date, leaseMs: number): Promise<boolean> {
  const res = await assignments()
    .where({ _id: id, status: 'pending', submitted: false, leaseUntil: _.lte(at) })
    .update({ data: { leaseUntil: new Date(at.getTime() + leaseMs) } });
  return res.stats.updated === 1;
}

/** The holder gives up sending (WeChat did not answer): whoever sends the key next may resend at once. */
export async function releaseLease(id: string, at: Date): Promise<void> {
  await assignments()
    .where({ _id: id, status: 'pending', submitted: false })
    .update({ data: { leaseUntil: at } });
}
