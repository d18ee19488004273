/**
 * Which packs to buy: for each validity the catalogue offers, the calls the forecast
 * needs over that many days beyond what current packs cover, and the cheapest
 * combination of packs of that validity that covers it. Options of different validity
 * are compared by price per call the forecast will actually use (calls bought beyond
 * the need expire unused). No shortfall within the shortest validity on offer: nothing
 * to buy yet. Pure: no SDK; prices in integer fen.
 */
import { daysFrom } from './china-time';
import { project } from './forecast';
import type { CatalogueEntry } from './pack-catalogue';
import { fenToYuan } from './pricing';
import type { LedgerState } from './quota-ledger';
import type { PhoneKind } from './settings';

export interface Combination {
  /** Count of each entry, in the order given. */
  counts: number[];
  calls: number;
  priceFen: number;
}

export interface Recommendation {
  calls: number;
  validityDays: number;
  priceYuan: string;
  packs: Array<{ calls: number; validityDays: number; priceYuan: string; count: number }>;
}

/** Above this many units the exact search starts from copies of the cheapest-per-call pack. */
const MAX_SEARCH_UNITS = 200_000;

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/**
 * The cheapest multiset of `entries` holding at least `need` calls (exact: dynamic
 * programming over multiples of the packs' common divisor). For needs beyond
 * MAX_SEARCH_UNITS, copies of the cheapest-per-call pack make up the excess first.
 */
export function cheapestCover(entries: readonly CatalogueEntry[], need: number): Combination {
  const counts = entries.map(() => 0);
  if (need <= 0 || entries.length === 0) return { counts, calls: 0, priceFen: 0 };
  const unit = entries.reduce((g, e) => gcd(g, e.calls), 0);
  const size = entries.map((e) => e.calls / unit);
  let units = Math.ceil(need / unit);

  if (units > MAX_SEARCH_UNITS) {
    // priceA/callsA < priceB/callsB without division.
    const best = entries.reduce((b, e, i) => (e.priceFen * entries[b]!.calls < entries[b]!.priceFen * e.calls ? i : b), 0);
    const copies = Math.ceil((units - MAX_SEARCH_UNITS) / size[best]!);
    counts[best]! += copies;
    units -= copies * size[best]!;
  }

  // cost[x]: the least price covering x units, with the fewest packs among equal prices
  // (one 5M pack rather than five 1M packs at the same price); pick[x] achieves it.
  const cost = new Float64Array(units + 1);
  const packs = new Int32Array(units + 1);
  const pick = new Int32Array(units + 1);
  for (let x = 1; x <= units; x++) {
    let bestCost = Number.POSITIVE_INFINITY;
    let bestPacks = 0;
    let bestPick = 0;
    for (let i = 0; i < entries.length; i++) {
      const rest = Math.max(0, x - size[i]!);
      const c = entries[i]!.priceFen + cost[rest]!;
      const n = packs[rest]! + 1;
      if (c < bestCost || (c === bestCost && n < bestPacks)) {
        bestCost = c;
        bestPacks = n;
        bestPick = i;
      }
    }
    cost[x] = bestCost;
    packs[x] = bestPacks;
    pick[x] = bestPick;
  }
  for (let x = units; x > 0; x = Math.max(0, x - size[pick[x]!]!)) counts[pick[x]!]! += 1;
  return {
    counts,
    calls: counts.reduce((s, n, i) => s + n * entries[i]!.calls, 0),
    priceFen: counts.reduce((s, n, i) => s + n * entries[i]!.priceFen, 0),
  };
}

export function recommend(catalogue: readonly CatalogueEntry[], kind: PhoneKind, state: LedgerState, perMonth: number, at: Date): Recommendation | null {
  if (perMonth <= 0) return null;
  const byValidity = new Map<number, CatalogueEntry[]>();
  for (const entry of catalogue) if (entry.kind === kind) byValidity.set(entry.validityDays, [...(byValidity.get(entry.validityDays) ?? []), entry]);
  const validities = [...byValidity.keys()].sort((a, b) => a - b);
  if (validities.length === 0) return null;

  let best: { validityDays: number; shortfall: number; entries: CatalogueEntry[]; combination: Combination } | null = null;
  for (const validityDays of validities) {
    const { shortfall } = project(state, perMonth, daysFrom(at, validityDays));
    if (shortfall === 0) {
      if (validityDays === validities[0]) return null; // covered for now
      continue;
    }
    const entries = byValidity.get(validityDays)!;
    const combination = cheapestCover(entries, shortfall);
    // Cheaper per needed call: priceA / needA < priceB / needB, cross-multiplied.
    if (!best || combination.priceFen * best.shortfall < best.combination.priceFen * shortfall) best = { validityDays, shortfall, entries, combination };
  }
  if (!best) return null;
  const { validityDays, entries, combination } = best;
  return {
    calls: combination.calls,
    validityDays,
    priceYuan: fenToYuan(combination.priceFen),
    packs: entries
      .map((e, i) => ({ calls: e.calls, validityDays, priceYuan: fenToYuan(e.priceFen), count: combination.counts[i]! }))
      .filter((p) => p.count > 0)
      .sort((a, b) => b.calls - a.calls),
  };
}
