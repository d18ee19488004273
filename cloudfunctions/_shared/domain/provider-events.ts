/**
 * WeChat's pushed results of `package/assign` (event_type 5) and
 * `package/cancel_assign` (event_type 6). They reach the function without `$url` and
 * without an OPENID. Anyone can invoke a cloud function, so an event is a hint of which
 * assignment to look at, never proof of what happened: nothing in it but the requestId
 * is used, and the status comes from WeChat's own records. Pure: no SDK.
 */
import { REQUEST_ID_PATTERN } from './provider-ids';

export const EVENT_ASSIGN = 5;
export const EVENT_CANCEL = 6;

export interface ResultEvent {
  type: 'assign' | 'cancel';
  requestId: string;
  /** As the event claims them; for logs only. */
  orderId: string | null;
  result: number | null;
}

/** Routing by shape: an event without `$url` that carries `event_type`. */
export function looksLikeResultEvent(event: unknown): boolean {
  if (typeof event !== 'object' || event === null) return false;
  const fields = event as Record<string, unknown>;
  return fields.$url === undefined && fields.event_type !== undefined;
}

const asInteger = (value: unknown): number | null => {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^-?\d{1,12}$/.test(value)) return Number(value);
  return null;
};

const asText = (value: unknown): string | null => (typeof value === 'string' && value.trim() ? value.trim() : typeof value === 'number' ? String(value) : null);

/** The event, or why it is not one we act on. */
export function parseResultEvent(event: unknown): { ok: true; event: ResultEvent } | { ok: false; reason: string } {
  if (!looksLikeResultEvent(event)) return { ok: false, reason: 'not a result event' };
  const fields = event as Record<string, unknown>;
  const type = asInteger(fields.event_type);
  if (type !== EVENT_ASSIGN && type !== EVENT_CANCEL) return { ok: false, reason: `event_type ${String(fields.event_type)} is not 5 (assign) or 6 (cancel)` };
  const requestId = asText(fields.request_id);
  if (!requestId || !REQUEST_ID_PATTERN.test(requestId)) return { ok: false, reason: 'request_id missing or malformed' };
  return {
    ok: true,
    event: { type: type === EVENT_ASSIGN ? 'assign' : 'cancel', requestId, orderId: asText(fields.order_id), result: asInteger(fields.result) },
  };
}
