/**
 * An assignment of part of a provider's bulk order to a merchant mini program, and the
 * rules for how its status may move. WeChat is the authority: a status changes only on
 * WeChat's word — a signed result event, or WeChat's answer to the assign / cancel
 * itself (sent again with the same requestId when no event came) — and only along the
 * moves below. Pure: no SDK.
 */
import type { AssignmentStatus } from '../../../miniprogram/contract';

export type { AssignmentStatus };

/** What a client asked for; the same idempotency key must always carry the same request. */
export interface AssignRequest {
  orderId: string;
  skuId: string;
  receiverAppId: string;
  /** Milliseconds since the epoch; null: WeChat starts the pack at once. */
  beginTime: number | null;
}

/**
 * Moves that can happen. `failed` and `cancelled` are final. A cancel WeChat refuses
 * after accepting it (result event 6 with a failure) brings `cancelling` back to `done`.
 * `unknown`: WeChat's answer to a resend does not tell the outcome (it may answer an
 * earlier send), or no final word came after many checks; an admin sees it, nothing
 * resends it on its own, and it is settled by a later signed event, a re-check against
 * the merchant's usage packages, or a cancel (WeChat accepting cancel_assign for the
 * requestId shows the assignment exists: unknown → cancelling).
 */
const MOVES: Record<AssignmentStatus, readonly AssignmentStatus[]> = {
  pending: ['done', 'failed', 'cancelling', 'cancelled', 'unknown'],
  done: ['cancelling', 'cancelled'],
  cancelling: ['cancelled', 'done', 'unknown'],
  unknown: ['done', 'failed', 'cancelling', 'cancelled'],
  failed: [],
  cancelled: [],
};

export function canMove(from: AssignmentStatus, to: AssignmentStatus): boolean {
  return MOVES[from].includes(to);
}

/** Statuses still waiting for WeChat's final word (polled). */
export const UNSETTLED: readonly AssignmentStatus[] = ['pending', 'cancelling'];

/** The status to store after WeChat confirmed `confirmed`; null when nothing changes. */
export function nextStatus(current: AssignmentStatus, confirmed: AssignmentStatus | null): AssignmentStatus | null {
  if (confirmed === null || confirmed === current) return null;
  return canMove(current, confirmed) ? confirmed : null;
}

/**
 * What a signed result event says: event 5 (assign) with result 0 → done, otherwise
 * failed; event 6 (cancel) with result 0 → cancelled, otherwise the assignment stands
 * (done). A stale event (an assign result for an assignment already being cancelled)
 * changes nothing because the move is not allowed.
 */
export function statusFromEvent(type: 'assign' | 'cancel', result: number): AssignmentStatus {
  if (type === 'assign') return result === 0 ? 'done' : 'failed';
  return result === 0 ? 'cancelled' : 'done';
}

/**
 * The status a signed event moves `current` to; null when it changes nothing. An
 * assign result never moves a `cancelling` assignment: it is older than the cancel (a
 * push WeChat repeats because the first answer came late), and cancelling → done
 * belongs to a refused cancel only.
 */
export function statusAfterEvent(current: AssignmentStatus, type: 'assign' | 'cancel', result: number): AssignmentStatus | null {
  if (type === 'assign' && current === 'cancelling') return null;
  return nextStatus(current, statusFromEvent(type, result));
}

/** The fields that differ between a stored request and a new one under the same key. */
export function requestDifferences(stored: AssignRequest, incoming: AssignRequest): Array<keyof AssignRequest> {
  return (['orderId', 'skuId', 'receiverAppId', 'beginTime'] as const).filter((field) => stored[field] !== incoming[field]);
}
