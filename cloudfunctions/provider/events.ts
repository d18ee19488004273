/**
 * WeChat's pushed results of assign (event_type 5) and cancel (6). They come without
 * `$url` and without an OPENID, and anyone able to invoke the function could send one,
 * so an event only says which assignment to look at: its status is then read from
 * WeChat (`order/get`). A duplicate event finds nothing to change; an event for a
 * requestId we never sent changes nothing and asks WeChat nothing.
 */
import { AppError } from '../_shared/errors';
import { now } from '../_shared/clock';
import { logEvent } from '../_shared/log';
import { parseResultEvent } from '../_shared/domain/provider-events';
import { findByRequestId } from '../_shared/data/provider-assignments';
import { askWechat } from './wechat-errors';
import { confirmWithWechat } from './settle';

export async function handleResultEvent(event: unknown): Promise<{ changed: boolean }> {
  const parsed = parseResultEvent(event);
  if (!parsed.ok) throw new AppError('INVALID_ARGUMENT', parsed.reason);
  const { type, requestId, orderId, result } = parsed.event;
  const doc = await findByRequestId(requestId);
  if (!doc) {
    logEvent('warn', { fn: 'provider', event: type, requestId, claimedOrder: orderId, ignored: 'unknown requestId' });
    return { changed: false };
  }
  const changed = await askWechat('read', () => confirmWithWechat([doc], now(), `order/get after event ${type === 'assign' ? 5 : 6}`));
  logEvent('info', { fn: 'provider', event: type, assignment: doc._id, claimedResult: result, changed: changed.has(doc._id) });
  return { changed: changed.has(doc._id) };
}
