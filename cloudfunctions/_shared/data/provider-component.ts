/**
 * `provider_component/verify_ticket`: the latest component_verify_ticket of the
 * provider's third-party platform (`{ ticket, at }`). WeChat pushes it every 10 minutes
 * to the platform's 授权事件接收 URL; whatever receives it there writes it here (docs/
 * provider.md "Merchant tokens"). Closed to clients.
 */
import { db } from '../runtime/cloud';

export async function loadVerifyTicket(): Promise<string | null> {
  const { data } = await db.collection<{ _id: string; ticket?: string }>('provider_component').doc('verify_ticket').get();
  return typeof data?.ticket === 'string' && data.ticket ? data.ticket : null;
}
