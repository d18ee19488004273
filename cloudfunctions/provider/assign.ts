/**
 * `provider.assign { orderId, skuId, receiverAppId, idempotencyKey, beginTime? }`:
 * assigns one pack of an order's SKU to a merchant mini program.
 *
 * The record is stored (pending) before WeChat is asked, under an id derived from the
 * idempotency key, with a requestId derived from it too. A retried, doubled or
 * concurrent request with the same key finds that record and never sends another
 * assignment; the same key with different parameters is a CONFLICT. WeChat's refusal
 * (not enough left, expired order, …) marks the record failed and is the answer, every
 * time that key is sent again.
 *
 * `beginTime` (ms) must fall within the order's life (inputs.ts `checkBeginTime`: from
 * its createTime to createTime plus the SKU's duration) and within the largest date;
 * otherwise INVALID_ARGUMENT naming it, and nothing is stored or sent.
 */
import * as v from 'valibot';
import { AppError } from '../_shared/runtime/errors';
import { providerBeginTimeWithinOrder } from '../_shared/runtime/config';
import { now } from '../_shared/runtime/clock';
import { route } from '../_shared/runtime/router';
import { idempotencyKey } from '../_shared/domain/amount-schemas';
import { requestDifferences, type AssignRequest } from '../_shared/domain/provider-assignment';
import { assignmentIdFor, requestIdFor } from '../_shared/domain/provider-ids';
import { claimForResend, findAssignment, insertAssignment, type AssignmentDoc } from '../_shared/data/provider-assignments';
import { ensureMerchant } from '../_shared/data/provider-merchants';
import { convertibleSkus, getOrder, MAX_TIME_MS } from '../_shared/wechat/service-provider';
import { appid, checkBeginTime, wechatId } from './inputs';
import { askWechat } from './wechat-errors';
import { SEND_LEASE_MS, sendAssignment } from './settle';

const DAY_SECONDS = 86_400;

const assignInput = v.object({
  orderId: wechatId('orderId'),
  skuId: wechatId('skuId'),
  receiverAppId: appid('receiverAppId'),
  idempotencyKey,
  beginTime: v.optional(
    v.nullable(
      v.pipe(
        v.number('beginTime must be milliseconds since the epoch'),
        v.integer('beginTime must be whole milliseconds'),
        v.minValue(0, 'beginTime must not be negative'),
        v.maxValue(MAX_TIME_MS, 'beginTime is beyond the largest date'),
      ),
    ),
  ),
});

function answer(doc: AssignmentDoc) {
  return { assignmentId: doc._id, requestId: doc.requestId, status: doc.status };
}

/** What a request with a key already on record gets. */
async function replay(doc: AssignmentDoc, request: AssignRequest, at: Date) {
  const differs = requestDifferences(doc, request);
  if (differs.length > 0)
    throw new AppError(
      'CONFLICT',
      `This idempotencyKey was already used for another assignment (different ${differs.join(', ')}); use a new key for a new assignment.`,
    );
  if (doc.status === 'failed')
    throw new AppError(doc.error?.code ?? 'CONFLICT', doc.error?.message ?? 'This assignment failed; nothing was assigned.');
  // The request that stored it never got WeChat's acknowledgement and its time is up:
  // send it again, with the same requestId.
  if (doc.status === 'pending' && !doc.submitted && (await claimForResend(doc._id, at, SEND_LEASE_MS))) {
    const error = await sendAssignment(doc, at, 'assign (retried key)', true);
    if (error) throw error;
  }
  return answer((await findAssignment(doc._id)) ?? doc);
}

/** What an assign asks for: the route's input, or a top-up rule's (cron). */
interface AssignPackRequest extends AssignRequest {
  idempotencyKey: string;
}

export const assign = route(assignInput, async (input, { caller }) =>
  assignPack({ ...input, beginTime: input.beginTime ?? null }, caller.openid, now()),
);

/**
 * The one assign path, for an admin's request and a top-up rule alike: the same key
 * always names the same record and WeChat request. Throws the AppError to answer; a
 * refusal is also on the record (failed, with its reason).
 */
export async function assignPack(input: AssignPackRequest, createdBy: string, at: Date) {
  const id = assignmentIdFor(input.idempotencyKey);
  const request: AssignRequest = {
    orderId: input.orderId,
    skuId: input.skuId,
    receiverAppId: input.receiverAppId,
    beginTime: input.beginTime,
  };
  const existing = await findAssignment(id);
  if (existing) return replay(existing, request, at);

  // For the record's calls and name. Not a gate: the list may leave out SKUs that no
  // longer fit in what the order has left, and WeChat's refusal says which it is.
  const order = await askWechat('read', () => getOrder(request.orderId));
  const skus = await askWechat('read', () =>
    convertibleSkus({ orderId: request.orderId, spSpuId: order.product.spSpuId, spSkuId: order.product.spSkuId }),
  );
  const sku = skus.find((s) => s.skuId === request.skuId);
  if (request.beginTime !== null && order.createTime !== null && providerBeginTimeWithinOrder()) {
    checkBeginTime(request.beginTime, order.createTime, (sku?.duration ?? Math.max(0, ...skus.map((s) => s.duration ?? 0))) * 1000);
  }

  const doc: AssignmentDoc = {
    _id: id,
    ...request,
    requestId: requestIdFor(input.idempotencyKey),
    calls: sku ? sku.count : null,
    skuName: sku ? sku.skuName : null,
    componentSpuId: sku?.spuId || null,
    validityDays: sku && sku.duration !== null ? Math.round(sku.duration / DAY_SECONDS) : null,
    status: 'pending',
    submitted: false,
    leaseUntil: new Date(at.getTime() + SEND_LEASE_MS),
    error: null,
    createdBy,
    createdAt: at,
    updatedAt: at,
    checkedAt: at,
    receivePkgId: null,
    pollAttempts: 0,
    history: [],
  };
  if (!(await insertAssignment(doc))) {
    // Another request with this key stored it first (a double submit or concurrent retry).
    const winner = await findAssignment(id);
    if (!winner) throw new AppError('UPSTREAM_UNAVAILABLE', 'The assignment is being stored; send the same idempotencyKey again shortly.');
    return replay(winner, request, at);
  }
  // The merchant joins the provider's fleet (fleet.list) with its first assignment.
  await ensureMerchant(request.receiverAppId, at, null);
  const error = await sendAssignment(doc, at, 'assign');
  if (error) throw error;
  return answer((await findAssignment(id)) ?? doc);
}
