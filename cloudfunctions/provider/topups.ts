/**
 * Automatic top-up (docs/provider.md "Automatic top-up"): `topups.set { appid, kind,
 * orderId, skuId, belowCalls, maxPerMonth }`, `topups.list`, `topups.remove { appid,
 * kind }`, and the cron step that carries the rules out (`runTopups`).
 *
 * Cron assigns the SKU when the merchant's remaining calls of that component (WeChat's
 * figure, read this run; unknown is never zero) fall below `belowCalls` — at most once
 * per merchant, component and China day (the idempotency key names the day, so even two
 * runs at once make one assignment) and `maxPerMonth` per China month — through the
 * same assign path as an admin's request. Each run's outcome is kept in the rule's
 * history. An exhausted order, a failed assign or an outcome WeChat leaves unknown stops
 * the rule with its reason; `topups.set` again re-arms it.
 */
import * as v from 'valibot';
import { AppError } from '../_shared/runtime/errors';
import { now } from '../_shared/runtime/clock';
import { providerFleetMaxAgeMs, providerPollMaxAttempts } from '../_shared/runtime/config';
import { logEvent } from '../_shared/runtime/log';
import { route, noParams } from '../_shared/runtime/router';
import { positiveCount } from '../_shared/domain/amount-schemas';
import { chinaDay, chinaMonth } from '../_shared/domain/china-time';
import { topupDecision, type TopupRule } from '../_shared/domain/provider-topup';
import { assignmentIdFor } from '../_shared/domain/provider-ids';
import { findAssignment } from '../_shared/data/provider-assignments';
import { ensureMerchant, type MerchantDoc } from '../_shared/data/provider-merchants';
import { findStoredOrder } from '../_shared/data/provider-orders';
import {
  findTopup,
  listTopups,
  recordTopupRun,
  removeTopup,
  saveTopup,
  topupId,
  type TopupDoc,
  type TopupEvent,
} from '../_shared/data/provider-topups';
import { convertibleSkus, getOrder } from '../_shared/wechat/service-provider';
import { assignPack } from './assign';
import { appid, wechatId } from './inputs';
import { askWechat } from './wechat-errors';
import { pollAssignments } from './settle';

const kindInput = v.picklist(['quick', 'realtime'], 'kind must be "quick" or "realtime"');

const setInput = v.object({
  appid: appid('appid'),
  kind: kindInput,
  orderId: wechatId('orderId'),
  skuId: wechatId('skuId'),
  belowCalls: positiveCount,
  maxPerMonth: v.pipe(v.number('maxPerMonth must be a number'), v.integer('maxPerMonth must be whole'), v.minValue(1), v.maxValue(31)),
});

function topupView(doc: TopupDoc) {
  return {
    appid: doc.appid,
    kind: doc.kind,
    orderId: doc.orderId,
    skuId: doc.skuId,
    skuName: doc.skuName,
    skuCalls: doc.skuCalls,
    belowCalls: doc.belowCalls,
    maxPerMonth: doc.maxPerMonth,
    state: doc.state,
    stoppedBecause: doc.stoppedBecause,
    stopKind: doc.stopKind ?? null,
    stopErrcode: doc.stopErrcode ?? null,
    lastDay: doc.lastDay,
    thisMonth: doc.month === chinaMonth(now()) ? doc.monthCount : 0,
    pendingAssignmentId: doc.pendingAssignmentId,
    history: doc.history,
    updatedAt: doc.updatedAt,
  };
}

export const topupsSetRoute = route(setInput, async (input, { caller }) => {
  const at = now();
  // The order and SKU must be WeChat's: a rule that could never assign is refused now, not at 3 a.m.
  const order = await askWechat('read', () => getOrder(input.orderId));
  const skus = await askWechat('read', () =>
    convertibleSkus({ orderId: input.orderId, spSpuId: order.product.spSpuId, spSkuId: order.product.spSkuId }),
  );
  const sku = skus.find((s) => s.skuId === input.skuId);
  if (!sku) throw new AppError('INVALID_ARGUMENT', `skuId ${input.skuId} is not a SKU order ${input.orderId} can still be assigned as.`);
  const id = topupId(input.appid, input.kind);
  const before = await findTopup(id);
  await ensureMerchant(input.appid, at, caller.openid);
  const doc: TopupDoc = {
    _id: id,
    ...input,
    skuName: sku.skuName,
    skuCalls: sku.count,
    state: 'active',
    stoppedBecause: null,
    stopKind: null,
    stopErrcode: null,
    // Counters survive a re-set: re-arming a rule never tops up twice in a day or past the month's limit.
    lastDay: before?.lastDay ?? null,
    month: before?.month ?? null,
    monthCount: before?.monthCount ?? 0,
    pendingAssignmentId: before?.pendingAssignmentId ?? null,
    createdBy: caller.openid,
    updatedAt: at,
    history: before?.history ?? [],
  };
  await saveTopup(doc);
  return topupView(doc);
});

export const topupsListRoute = route(noParams, async () => ({ rules: (await listTopups()).map(topupView) }));

export const topupsRemoveRoute = route(v.object({ appid: appid('appid'), kind: kindInput }), async ({ appid: id, kind }) => {
  if (!(await removeTopup(topupId(id, kind)))) throw new AppError('NOT_FOUND', 'No top-up rule for that merchant and kind.');
  return { removed: true as const };
});

// ---------------------------------------------------------------------------- the cron step

import type { TopupRunReport } from '../../miniprogram/contract';
export type { TopupRunReport };

/** WeChat's remaining calls for the rule's merchant and kind, from this run's reading; null when not fresh or not known. */
function remainingOf(fleet: readonly MerchantDoc[], rule: TopupRule, at: Date): number | null {
  const reading = fleet.find((m) => m._id === rule.appid)?.readings[rule.kind];
  if (!reading || reading.error !== null || !reading.checkedAt) return null;
  return at.getTime() - reading.checkedAt.getTime() < providerFleetMaxAgeMs() ? reading.remaining : null;
}

/** Settles the rule's last top-up from its assignment; answers whether the rule may go on. */
async function followUp(rule: TopupDoc, at: Date): Promise<boolean> {
  if (!rule.pendingAssignmentId) return true;
  let assignment = await findAssignment(rule.pendingAssignmentId);
  if (assignment?.status === 'pending') {
    await pollAssignments([assignment], at, providerPollMaxAttempts());
    assignment = await findAssignment(rule.pendingAssignmentId);
  }
  const base = { at, assignmentId: rule.pendingAssignmentId, remaining: null };
  switch (assignment?.status) {
    case 'pending':
    case 'cancelling':
      return false;
    case 'done':
    case 'cancelled':
      await recordTopupRun(
        rule._id,
        { pendingAssignmentId: null },
        { ...base, outcome: 'done', note: `WeChat settled it: ${assignment.status}` },
      );
      return true;
    default: {
      const reason = assignment
        ? `The top-up ${assignment._id} ended ${assignment.status}: ${assignment.error?.message ?? 'no reason given'}`
        : 'The top-up assignment record is gone.';
      const kind = assignment?.status === 'failed' ? 'assign-refused' : 'assign-unknown';
      await stop(rule, at, { reason, kind, errcode: assignment?.error?.errcode ?? null }, rule.pendingAssignmentId);
      return false;
    }
  }
}

interface StopCause {
  reason: string;
  kind: NonNullable<TopupRule['stopKind']>;
  errcode: number | null;
}

async function stop(rule: TopupDoc, at: Date, cause: StopCause, assignmentId: string | null, remaining: number | null = null) {
  const event: TopupEvent = { at, outcome: 'stopped', assignmentId, remaining, note: cause.reason };
  const change = {
    state: 'stopped' as const,
    stoppedBecause: cause.reason,
    stopKind: cause.kind,
    stopErrcode: cause.errcode,
    pendingAssignmentId: null,
  };
  await recordTopupRun(rule._id, change, event);
  const reason = cause.reason;
  logEvent('warn', { topup: rule._id, stopped: reason });
}

type TopUpOutcome =
  | { kind: 'sent'; assignmentId: string; note: string }
  | { kind: 'refused'; assignmentId: string | null; reason: string; errcode: number | null }
  /** Nothing stored or sent (WeChat could not be reached to read the order): the next run tries again. */
  | { kind: 'not-sent' };

/** One top-up through the admin's assign path, and what it came to. */
async function topUp(rule: TopupDoc, idempotencyKey: string, at: Date): Promise<TopUpOutcome> {
  const request = { orderId: rule.orderId, skuId: rule.skuId, receiverAppId: rule.appid, beginTime: null, idempotencyKey };
  const assignmentId = assignmentIdFor(idempotencyKey);
  try {
    await assignPack(request, 'cron:topup', at);
    return { kind: 'sent', assignmentId, note: `Below ${rule.belowCalls}: assigned ${rule.skuCalls ?? '?'} calls` };
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    const record = await findAssignment(assignmentId);
    // Stored but WeChat did not answer: it is resent under the same key (followUp polls it).
    if (record?.status === 'pending') return { kind: 'sent', assignmentId, note: `Sent; WeChat has not answered yet (${err.message})` };
    if (!record && err.code === 'UPSTREAM_UNAVAILABLE') return { kind: 'not-sent' };
    return {
      kind: 'refused',
      assignmentId: record ? assignmentId : null,
      reason: `The assign was refused: ${err.message}`,
      errcode: record?.error?.errcode ?? null,
    };
  }
}

/** Carries out every active rule against the fleet's fresh readings. Never throws for one rule's failure. */
export async function runTopups(fleet: readonly MerchantDoc[], at: Date): Promise<TopupRunReport> {
  const report: TopupRunReport = { rules: 0, assigned: [], stopped: [] };
  const day = chinaDay(at);
  const month = chinaMonth(at);
  for (const rule of await listTopups()) {
    if (rule.state !== 'active') continue;
    report.rules++;
    if (!(await followUp(rule, at))) continue;
    const current = (await findTopup(rule._id)) ?? rule;
    const remaining = remainingOf(fleet, current, at);
    const order = await findStoredOrder(current.orderId);
    const orderRemaining = order && order.calls !== null && order.used !== null ? order.calls - order.used : null;
    const decision = topupDecision(current, { day, month }, { remaining, orderRemaining, skuCalls: current.skuCalls });
    if (decision.act === 'wait') continue;
    if (decision.act === 'stop') {
      await stop(current, at, { reason: decision.reason, kind: 'order-exhausted', errcode: null }, null, remaining);
      report.stopped.push({ appid: current.appid, kind: current.kind, reason: decision.reason });
      continue;
    }
    const outcome = await topUp(current, decision.idempotencyKey, at);
    if (outcome.kind === 'not-sent') continue;
    if (outcome.kind === 'refused') {
      await stop(
        current,
        at,
        { reason: outcome.reason, kind: 'assign-refused', errcode: outcome.errcode },
        outcome.assignmentId,
        remaining,
      );
      report.stopped.push({ appid: current.appid, kind: current.kind, reason: outcome.reason });
      continue;
    }
    await recordTopupRun(
      current._id,
      { lastDay: day, month, monthCount: current.month === month ? current.monthCount + 1 : 1, pendingAssignmentId: outcome.assignmentId },
      { at, outcome: 'assigned', assignmentId: outcome.assignmentId, remaining, note: outcome.note },
    );
    report.assigned.push({ appid: current.appid, kind: current.kind, assignmentId: outcome.assignmentId });
  }
  return report;
}
