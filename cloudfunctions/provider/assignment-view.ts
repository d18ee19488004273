/** How an assignment record looks to an admin. */
import type { AssignmentDoc } from '../_shared/data/provider-assignments';

export function assignmentView(doc: AssignmentDoc) {
  return {
    assignmentId: doc._id,
    orderId: doc.orderId,
    skuId: doc.skuId,
    skuName: doc.skuName,
    receiverAppId: doc.receiverAppId,
    calls: doc.calls,
    validityDays: doc.validityDays,
    beginTime: doc.beginTime,
    requestId: doc.requestId,
    receivePkgId: doc.receivePkgId ?? null,
    status: doc.status,
    error: doc.error && { code: doc.error.code, message: doc.error.message },
    /** WeChat's errcode behind `error`, for the panel's Chinese reason; null when WeChat gave none. */
    wechatErrcode: doc.error?.errcode ?? null,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
  };
}
