/** The provider function (service-provider mode), as the provider page uses it. */
import type { AssignParams } from '../contract';
import { callRoute } from './cloud';

export type { AssignParams, AssignResult, Assignment, AssignmentStatus, ProviderOrder, ProviderSku } from '../contract';

export const listOrders = () => callRoute('provider', 'orders.list');
export const listSkus = (orderId: string) => callRoute('provider', 'skus.list', { orderId });
export const assignPack = (params: AssignParams) => callRoute('provider', 'assign', params);
export const cancelAssignment = (assignmentId: string) => callRoute('provider', 'cancel', { assignmentId });
export const listAssignments = (receiverAppId?: string) =>
  callRoute('provider', 'assignments.list', receiverAppId ? { receiverAppId } : {});

/**
 * Whether this user may use the provider page: the provider function answers its
 * cheapest route (local assignments, no WeChat call) for its admins only. Not deployed
 * here, not an admin, no network: false — the link is simply not shown.
 */
export function isProviderAdmin(): Promise<boolean> {
  return listAssignments().then(
    () => true,
    () => false,
  );
}
