/**
 * An assignment of part of a provider's bulk order to a merchant mini program, and the
 * rules for how its status may move. WeChat is the authority: a status changes only to
 * what WeChat's own records say (an order's `assignList`, or WeChat's answer to the
 * assign itself), and only along the moves below. Pure: no SDK.
 */

export type AssignmentStatus = 'pending' | 'done' | 'failed' | 'cancelling' | 'cancelled';

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
 */
const MOVES: Record<AssignmentStatus, readonly AssignmentStatus[]> = {
  pending: ['done', 'failed', 'cancelling', 'cancelled'],
  done: ['cancelling', 'cancelled'],
  cancelling: ['cancelled', 'done'],
  failed: [],
  cancelled: [],
};

export function canMove(from: AssignmentStatus, to: AssignmentStatus): boolean {
  return MOVES[from].includes(to);
}

/** Statuses still waiting for WeChat's final word. */
export const UNSETTLED: readonly AssignmentStatus[] = ['pending', 'cancelling'];

/**
 * The status WeChat's `assignList` reports (emulator: 1 pending, 2 done, 3 failed,
 * 4 cancelling, 5 cancelled; see docs/provider.md); null for a number we do not know.
 */
export function statusFromWechat(code: number): AssignmentStatus | null {
  switch (code) {
    case 1:
      return 'pending';
    case 2:
      return 'done';
    case 3:
      return 'failed';
    case 4:
      return 'cancelling';
    case 5:
      return 'cancelled';
    default:
      return null;
  }
}

/** The status to store after WeChat confirmed `confirmed`; null when nothing changes. */
export function nextStatus(current: AssignmentStatus, confirmed: AssignmentStatus | null): AssignmentStatus | null {
  if (confirmed === null || confirmed === current) return null;
  return canMove(current, confirmed) ? confirmed : null;
}

/** The fields that differ between a stored request and a new one under the same key. */
export function requestDifferences(stored: AssignRequest, incoming: AssignRequest): Array<keyof AssignRequest> {
  return (['orderId', 'skuId', 'receiverAppId', 'beginTime'] as const).filter((field) => stored[field] !== incoming[field]);
}
