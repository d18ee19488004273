/**
 * What calls cost the merchant, as WeChat charges it (docs/wechat.md "Billing", seed notice):
 * each call is paid by the pack it drew from — the free trial nothing, a pack the
 * merchant bought its price ÷ its calls, a provider-assigned pack whatever the provider
 * charged for it (its recorded price, 0 when none was recorded) — and a fee-exempt
 * account (government, non-profit, 政务民生 public institutions) pays nothing at all.
 *
 * Calls no known pack covers, and calls from a bought pack with no recorded price, are
 * priced at the list price (0.03 / 0.04) and counted as `estimatedCalls`.
 *
 * Sums are exact fractions of a fen; a figure is rounded to the fen once, when shown.
 * Pure: no SDK.
 */
import { addFen, fenOf, fenToYuan, PRICE_FEN, roundFen, timesFen, ZERO_FEN, type Fen } from './pricing';
import type { LedgerState, Pack } from './quota-ledger';
import type { PhoneKind } from './settings';
import type { CostFigures } from '../../../miniprogram/contract';

/** A pack with what was paid for it, in fen (null: not recorded). */
export interface PricedPack extends Pack {
  priceFen: number | null;
}

interface UnitPrice {
  perCall: Fen;
  /** True when the price was not recorded and the list price stands in. */
  estimate: boolean;
}

export function unitPrice(pack: PricedPack): UnitPrice {
  if (pack.source === 'trial') return { perCall: ZERO_FEN, estimate: false };
  if (pack.priceFen !== null) return { perCall: fenOf(pack.priceFen, pack.calls), estimate: false };
  // A provider's pack costs what the provider charged; none recorded: nothing.
  if (pack.source === 'provider') return { perCall: ZERO_FEN, estimate: false };
  return { perCall: fenOf(PRICE_FEN[pack.kind]), estimate: true };
}

interface Cost {
  calls: number;
  /** What the calls cost, exactly. */
  cost: Fen;
  /** What they would have cost at the list price, in whole fen. */
  listFen: number;
  /** Calls priced at the list price because no price was known for them. */
  estimatedCalls: number;
}

function addCost(a: Cost, b: Cost): Cost {
  return {
    calls: a.calls + b.calls,
    cost: addFen(a.cost, b.cost),
    listFen: a.listFen + b.listFen,
    estimatedCalls: a.estimatedCalls + b.estimatedCalls,
  };
}

/**
 * The cost of one kind's calls on the China days `includes` accepts, priced by the
 * packs the ledger drew them from. Exempt: the same calls, cost 0, nothing estimated.
 */
export function costOfDays(state: LedgerState<PricedPack>, kind: PhoneKind, includes: (day: string) => boolean, exempt = false): Cost {
  const prices = state.packs.map((p) => unitPrice(p.pack));
  const list = PRICE_FEN[kind];
  // Calls per pack first, so each pack's price is multiplied once.
  const perPack = prices.map(() => 0);
  let uncovered = 0;
  let calls = 0;
  for (const d of state.draws) {
    if (!includes(d.day)) continue;
    for (const t of d.takes) {
      perPack[t.index]! += t.calls;
      calls += t.calls;
    }
    uncovered += d.uncovered;
    calls += d.uncovered;
  }
  if (exempt) return { calls, cost: ZERO_FEN, listFen: calls * list, estimatedCalls: 0 };
  let cost = timesFen(fenOf(list), uncovered);
  let estimatedCalls = uncovered;
  perPack.forEach((n, i) => {
    if (n === 0) return;
    cost = addFen(cost, timesFen(prices[i]!.perCall, n));
    if (prices[i]!.estimate) estimatedCalls += n;
  });
  return { calls, cost, listFen: calls * list, estimatedCalls };
}

/** Both figures and the difference, as exact yuan strings (each rounded once, so cost + saving = list value). */
export type { CostFigures };

export function costFigures(c: Cost): CostFigures {
  const costFen = roundFen(c.cost);
  return {
    costYuan: fenToYuan(costFen),
    listValueYuan: fenToYuan(c.listFen),
    savingYuan: fenToYuan(c.listFen - costFen),
    estimatedCalls: c.estimatedCalls,
  };
}

/** Both kinds' cost over the China days `includes` accepts. */
export function costOfBoth(states: Record<PhoneKind, LedgerState<PricedPack>>, includes: (day: string) => boolean, exempt = false): Cost {
  return addCost(costOfDays(states.quick, 'quick', includes, exempt), costOfDays(states.realtime, 'realtime', includes, exempt));
}
