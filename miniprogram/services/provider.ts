/** The provider function (service-provider mode), as the provider page uses it. */
import { callRoute } from './cloud';

export interface ProviderOrder {
  orderId: string;
  status: number;
  createdAt: string;
  calls: number;
  used: number;
  remaining: number;
}

export interface ProviderSku {
  skuId: string;
  name: string;
  calls: number;
  validityDays: number;
}

export type AssignmentStatus = 'pending' | 'done' | 'failed' | 'cancelling' | 'cancelled';

export interface Assignment {
  assignmentId: string;
  orderId: string;
  skuId: string;
  receiverAppId: string;
  calls: number;
  requestId: string;
  status: AssignmentStatus;
  createdAt: string;
  updatedAt: string;
}

export interface AssignParams {
  orderId: string;
  skuId: string;
  receiverAppId: string;
  idempotencyKey: string;
  /** Milliseconds since the epoch; absent: starts now. */
  beginTime?: number;
}

export interface AssignResult {
  assignmentId: string;
  requestId: string;
  status: AssignmentStatus;
}

export const listOrders = () => callRoute<{ orders: ProviderOrder[] }>('provider', 'orders.list');
export const listSkus = (orderId: string) => callRoute<{ skus: ProviderSku[] }>('provider', 'skus.list', { orderId });
export const assignPack = (params: AssignParams) => callRoute<AssignResult>('provider', 'assign', { ...params });
export const cancelAssignment = (assignmentId: string) => callRoute<Assignment>('provider', 'cancel', { assignmentId });
export const listAssignments = (receiverAppId?: string) =>
  callRoute<{ assignments: Assignment[] }>('provider', 'assignments.list', receiverAppId ? { receiverAppId } : {});
