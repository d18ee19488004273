/**
 * `alert_notices/<alert id>`: an alert claimed for delivery. Whoever adds it first sends
 * it; nobody sends it again (services/alert-delivery.ts).
 */
import { db } from '../runtime/cloud';
import { isDuplicateKey } from '../runtime/db-errors';
import type { AlertNotice } from '../domain/alert-message';

/** Claims the alert; false when someone already did (it was, or is being, sent). */
export async function claimNotice(notice: AlertNotice, at: Date): Promise<boolean> {
  try {
    await db
      .collection('alert_notices')
      .add({ data: { _id: notice.id, title: notice.title, detail: notice.detail, at: notice.at, claimedAt: at } });
    return true;
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}
