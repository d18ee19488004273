/**
 * Automatic top-up rules: when a merchant's remaining calls of a component fall below
 * `belowCalls`, cron assigns `skuId` of `orderId` to it — at most once per merchant,
 * component and China day, and at most `maxPerMonth` times per China month. A rule
 * whose order is exhausted or whose assign failed stops, with its reason, instead of
 * trying again every hour. Pure: no SDK.
 */
import type { TopupParams, TopupRule as TopupRuleOnTheWire } from '../../../miniprogram/contract';

/**
 * A rule: what topups.set takes (the contract's TopupParams), and what cron keeps of its
 * runs (the contract's fields, with the month's count as stored).
 */
export interface TopupRule
  extends
    TopupParams,
    Pick<TopupRuleOnTheWire, 'state' | 'stoppedBecause' | 'stopKind' | 'stopErrcode' | 'lastDay' | 'pendingAssignmentId'> {
  /** The China month of the last top-up, and how many this month (the wire shows `thisMonth`). */
  month: string | null;
  monthCount: number;
}

type TopupDecision = { act: 'assign'; idempotencyKey: string } | { act: 'wait'; why: string } | { act: 'stop'; reason: string };

/**
 * What cron does with a rule now. `remaining`: WeChat's figure for the merchant's
 * component, null when unknown (never taken as zero). `orderRemaining` / `skuCalls`:
 * what the order has left and the SKU's size, null when unknown.
 */
export function topupDecision(
  rule: TopupRule,
  now: { day: string; month: string },
  figures: { remaining: number | null; orderRemaining: number | null; skuCalls: number | null },
): TopupDecision {
  if (rule.state !== 'active') return { act: 'wait', why: 'stopped' };
  if (rule.pendingAssignmentId) return { act: 'wait', why: 'the last top-up is not settled yet' };
  if (figures.remaining === null) return { act: 'wait', why: "the merchant's remaining quota is unknown" };
  if (figures.remaining >= rule.belowCalls) return { act: 'wait', why: 'above the threshold' };
  if (rule.lastDay === now.day) return { act: 'wait', why: 'already topped up today' };
  const thisMonth = rule.month === now.month ? rule.monthCount : 0;
  if (thisMonth >= rule.maxPerMonth) return { act: 'wait', why: `already topped up ${thisMonth} times this month` };
  if (figures.orderRemaining !== null && figures.skuCalls !== null && figures.orderRemaining < figures.skuCalls)
    return {
      act: 'stop',
      reason: `Order ${rule.orderId} has ${figures.orderRemaining} calls left, less than the SKU's ${figures.skuCalls}: buy more or set another order.`,
    };
  // The key names the merchant, kind and day: a second cron run the same day (or two at
  // once) finds the same assignment instead of making another.
  return { act: 'assign', idempotencyKey: `topup:${rule.appid}:${rule.kind}:${now.day}` };
}
