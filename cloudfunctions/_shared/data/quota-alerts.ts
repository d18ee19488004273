/**
 * `quota_alerts`: what cron found worth an admin's attention. At most one alert per
 * kind, type and China day (`_id` "<day>:<kind>:<type>"), so an hourly cron does not
 * repeat itself.
 */
import { db, command as _ } from '../runtime/cloud';
import type { PhoneKind } from '../domain/settings';
import type { AlertRecord } from '../../../miniprogram/contract';
import { isDuplicateKey } from '../runtime/db-errors';

export type { AlertType } from '../../../miniprogram/contract';

/** A `quota_alerts` document: the contract's alert with a real date. */
export interface Alert extends Omit<AlertRecord, 'at'> {
  _id: string;
  at: Date;
}

const alerts = () => db.collection<Alert>('quota_alerts');

/** Records the alert unless today's is already there; returns whether it is new. */
export async function recordAlert(alert: Omit<Alert, '_id'>): Promise<boolean> {
  try {
    await alerts().add({ data: { _id: `${alert.day}:${alert.kind}:${alert.type}`, ...alert } });
    return true;
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}

export async function recentAlerts(kind: PhoneKind, since: Date, limit = 20): Promise<Alert[]> {
  const { data } = await alerts()
    .where({ kind, at: _.gte(since) })
    .orderBy('at', 'desc')
    .limit(limit)
    .get();
  return data;
}
