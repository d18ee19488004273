/** The provider function (service-provider mode), as the provider page uses it. */
import type { AssignParams, PhoneKind, TopupParams } from '../contract';
import { callRoute } from './cloud';

export type { AssignParams, Assignment, AssignmentStatus, ProviderOrder, ProviderSku } from '../contract';

export const listOrders = () => callRoute('provider', 'orders.list');
export const listSkus = (orderId: string) => callRoute('provider', 'skus.list', { orderId });
export const assignPack = (params: AssignParams) => callRoute('provider', 'assign', params);
export const cancelAssignment = (assignmentId: string) => callRoute('provider', 'cancel', { assignmentId });
export const listAssignments = (receiverAppId?: string) =>
  callRoute('provider', 'assignments.list', receiverAppId ? { receiverAppId } : {});
export const recheckAssignment = (assignmentId: string) => callRoute('provider', 'assignments.recheck', { assignmentId });
export const listFleet = (params: { cursor?: string; refresh?: boolean } = {}) => callRoute('provider', 'fleet.list', params);
export const addMerchant = (appid: string) => callRoute('provider', 'fleet.add', { appid });
export const listTopups = () => callRoute('provider', 'topups.list');
export const setTopup = (params: TopupParams) => callRoute('provider', 'topups.set', params);
export const removeTopup = (appid: string, kind: PhoneKind) => callRoute('provider', 'topups.remove', { appid, kind });

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
