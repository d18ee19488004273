/** The provider function (service-provider mode), as the provider page uses it. */
import { callRoute } from './cloud';

/** Figures WeChat did not give (or gave in a form the function cannot read) are null. */
export interface ProviderOrder {
  orderId: string;
  /** "paid", "wechat-<n>" for a number without a word, "unknown" when absent. */
  status: string;
  createdAt: string | null;
  calls: number | null;
  used: number | null;
  remaining: number | null;
}

export interface ProviderSku {
  skuId: string;
  name: string;
  calls: number | null;
  validityDays: number | null;
}

/** `unknown`: WeChat's answer did not tell the outcome; check it in the service platform. */
export type AssignmentStatus = 'pending' | 'done' | 'failed' | 'cancelling' | 'cancelled' | 'unknown';

export interface Assignment {
  assignmentId: string;
  orderId: string;
  skuId: string;
  receiverAppId: string;
  calls: number | null;
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
