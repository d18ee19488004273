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
