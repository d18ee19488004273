/**
 * Ids for a provider's assignment, derived from the client's idempotency key. The same
 * key always names the same record and the same WeChat requestId, so a retried, doubled
 * or concurrent `assign` lands on one record and WeChat (which de-duplicates by
 * requestId) assigns once. Pure: no SDK.
 */
import { createHash } from 'node:crypto';

import { APPID_PATTERN } from '../../../miniprogram/contract';

export { APPID_PATTERN };

/** WeChat's requestId rule for `package/assign`. */
export const REQUEST_ID_PATTERN = /^[A-Za-z0-9_-]{10,64}$/;

const hex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** The `provider_assignments` `_id` for a key: 24 hex digits. */
export function assignmentIdFor(idempotencyKey: string): string {
  return hex(`assignment:${idempotencyKey}`).slice(0, 24);
}

/** The requestId WeChat sees for a key: "qp" + 30 hex digits (32 characters, within 10–64). */
export function requestIdFor(idempotencyKey: string): string {
  return `qp${hex(`request:${idempotencyKey}`).slice(0, 30)}`;
}
