/**
 * WeChat's pushed results of `package/assign` (event_type 5, 分配结果事件) and
 * `package/cancel_assign` (event_type 6, 取消分配结果事件), as read from a verified push
 * (provider-push.ts gives every field as text). Fields: event_type, result (0 success),
 * order_id, assign_appid, receive_appid, sp_spu_id, sp_sku_id, spu_id, sku_id,
 * request_id, receive_pkg_id. Pure: no SDK.
 */
import { REQUEST_ID_PATTERN } from './provider-ids';

const EVENT_ASSIGN = 5;
const EVENT_CANCEL = 6;

export interface ResultEvent {
  type: 'assign' | 'cancel';
  requestId: string;
  orderId: string | null;
  receiverAppId: string | null;
  /** 0 success; otherwise WeChat's error code. */
  result: number;
  /** The receiver's pack (assign); null when absent. */
  receivePkgId: string | null;
}

const asInteger = (value: unknown): number | null => {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^-?\d{1,12}$/.test(value.trim())) return Number(value);
  return null;
};
const asText = (value: unknown): string | null =>
  typeof value === 'string' && value.trim() ? value.trim() : typeof value === 'number' ? String(value) : null;

/** The event, or why it is not one we act on. */
export function parseResultEvent(fields: Record<string, unknown>): { ok: true; event: ResultEvent } | { ok: false; reason: string } {
  const type = asInteger(fields.event_type);
  if (type !== EVENT_ASSIGN && type !== EVENT_CANCEL)
    return { ok: false, reason: `event_type ${String(fields.event_type)} is not 5 (assign) or 6 (cancel)` };
  const requestId = asText(fields.request_id);
  if (!requestId || !REQUEST_ID_PATTERN.test(requestId)) return { ok: false, reason: 'request_id missing or malformed' };
  const result = asInteger(fields.result);
  if (result === null) return { ok: false, reason: 'result missing or not a number' };
  const pkg = asText(fields.receive_pkg_id);
  return {
    ok: true,
    event: {
      type: type === EVENT_ASSIGN ? 'assign' : 'cancel',
      requestId,
      orderId: asText(fields.order_id),
      receiverAppId: asText(fields.receive_appid),
      result,
      receivePkgId: pkg && pkg.length <= 64 ? pkg : null,
    },
  };
}
