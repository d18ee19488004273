/**
 * cron's last step: alerts as subscribe messages. The breaker, if tripped, and every
 * quota alert of the last day are offered to `deliverAlert`, which sends each alert
 * once ever — so an alert a failed run wrote is still sent, and a second run sends
 * nothing new. Without ALERT_TEMPLATE_ID nothing is read or sent.
 */
import { alertTemplateId } from '../_shared/runtime/config';
import { logEvent } from '../_shared/runtime/log';
import { breakerNotice, quotaNotice } from '../_shared/domain/alert-message';
import { DAY_MS } from '../_shared/domain/china-time';
import type { Settings } from '../_shared/domain/settings';
import { deliverAlert } from '../_shared/services/alert-delivery';
import type { SendStatus } from '../_shared/data/alert-sends';
import { recentAlerts } from '../_shared/data/quota-alerts';

export async function sendAlertMessages(settings: Settings, at: Date): Promise<SendStatus[]> {
  if (!alertTemplateId()) return [];
  const since = new Date(at.getTime() - DAY_MS);
  const quota = (await Promise.all([recentAlerts('quick', since), recentAlerts('realtime', since)])).flat();
  const notices = [breakerNotice(settings.breaker), ...quota.map(quotaNotice)].filter((n) => n !== null);
  const statuses: SendStatus[] = [];
  for (const notice of notices) statuses.push(...(await deliverAlert(notice, at)));
  if (statuses.length) logEvent('info', { alertMessages: statuses });
  return statuses;
}
