/**
 * Alerts as subscribe messages (订阅消息), from the admin pages. WeChat lets a mini
 * program ask `wx.requestSubscribeMessage` only inside a tap handler, and each
 * acceptance allows one message; the server counts them (`admin.alerts.subscribe`).
 */
import { callRoute } from './cloud';

export type { AlertSubscription } from '../contract';

export const getAlertSubscription = () => callRoute('admin', 'alerts.status');
export const recordAcceptance = (accepted: string[]) => callRoute('admin', 'alerts.subscribe', { accepted });

/** What the user chose for each template (WeChat's answer), or why the sheet failed. */
type SubscribeChoice = { accepted: boolean; choice: string } | { failed: string };

/**
 * Opens WeChat's subscribe sheet for one template. Must be called synchronously from a
 * tap: since base library 2.8.2 WeChat opens it only after a user's tap (or a payment).
 */
export function askToSubscribe(templateId: string): Promise<SubscribeChoice> {
  return new Promise((resolve) => {
    wx.requestSubscribeMessage({
      tmplIds: [templateId],
      success: (res) => {
        const choice = String(res[templateId] ?? '');
        resolve({ accepted: choice === 'accept', choice });
      },
      fail: (err) => resolve({ failed: String((err as { errMsg?: string }).errMsg ?? '') }),
    });
  });
}
