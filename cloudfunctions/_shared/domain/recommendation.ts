/**
 * Which packs to buy: for each validity the catalogue offers, the calls the forecast
 * needs over that many days beyond what current packs cover, and the cheapest
 * combination of packs of that validity that covers it. Options of different validity
 * are compared by price per call the forecast will actually use (calls bought beyond
 * the need expire unused). No shortfall within the shortest validity on offer: nothing
 * to buy yet. Pure: no SDK; prices in integer fen.
 *
 * The advice reads as a merchant acts on it: one line per pack type with a quantity,
 * each with its price per call, and the days the purchase keeps the button working at
 * the recent rate. When one larger pack costs little more (at most LITTLE_MORE above)
 * and lasts longer, it is offered beside the cheapest: e.g. at 3,000 calls a month,
 * 36 × 250 calls / 90 days for 270.00 lasts 90 days, one 10,000 / 365 for 300.00
 * lasts 100 — the choice is the merchant's.
 */
import { chinaDay, DAY_MS, daysBetween, daysFrom } from './china-time';
import { FORECAST_HORIZON_DAYS, project } from './forecast';
import type { CatalogueEntry } from './pack-catalogue';
import { fenOf, fenToYuan, perCallYuan } from './pricing';
import { deductionOrder, type LedgerState, type Pack, type PackUsage } from './quota-ledger';
import type { PhoneKind } from './settings';
import type { PurchaseOption, Recommendation } from '../../../miniprogram/contract';

// What the advice answers is the contract's (admin `quota.status` → recommendation).
export type { PackLine, PurchaseOption, Recommendation } from '../../../miniprogram/contract';

/** A larger single pack is offered beside the cheapest when it costs at most this share more. */
const LITTLE_MORE = { num: 1, den: 5 };

interface Combination {
  /** Count of each entry, in the order given. */
  counts: number[];
  calls: number;
  priceFen: number;
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

/**
 * Days from today until the recent rate can no longer be met, with `extra` packs bought
 * now (each starting now); the horizon's length when it never runs short.
 */
function coversDays(state: LedgerState, perMonth: number, extra: readonly Pack[], at: Date): number {
  const rows: Array<PackUsage> = [...state.packs, ...extra.map((pack) => ({ pack, used: 0, status: 'active' as const }))];
  const byPack = new Map(rows.map((r) => [r.pack, r]));
  const ordered = deductionOrder(rows.map((r) => r.pack)).map((p) => byPack.get(p)!);
  const days = daysFrom(at, FORECAST_HORIZON_DAYS);
  const { firstShortDay } = project({ packs: ordered, draws: [], remaining: 0, uncovered: 0 }, perMonth, days);
  return firstShortDay === null ? days.length : daysBetween(chinaDay(at), firstShortDay);
}

function option(
  kind: PhoneKind,
  lines: Array<{ entry: CatalogueEntry; count: number }>,
  state: LedgerState,
  perMonth: number,
  at: Date,
): PurchaseOption {
  const bought: Pack[] = [];
  for (const { entry, count } of lines)
    for (let i = 0; i < count && bought.length < 1000; i++)
      bought.push({
        id: `buy-${bought.length}`,
        kind,
        source: 'self',
        calls: entry.calls,
        startsAt: at,
        expiresAt: new Date(at.getTime() + entry.validityDays * DAY_MS),
      });
  const calls = lines.reduce((s, l) => s + l.count * l.entry.calls, 0);
  const priceFen = lines.reduce((s, l) => s + l.count * l.entry.priceFen, 0);
  return {
    calls,
    validityDays: Math.min(...lines.map((l) => l.entry.validityDays)),
    priceYuan: fenToYuan(priceFen),
    perCallYuan: perCallYuan(fenOf(priceFen, calls)),
    // Beyond 1,000 packs (tens of millions of calls) the coverage counts the first thousand: far past any horizon that matters.
    coversDays: coversDays(state, perMonth, bought, at),
    packs: lines
      .map(({ entry, count }) => ({
        calls: entry.calls,
        validityDays: entry.validityDays,
        priceYuan: fenToYuan(entry.priceFen),
        perCallYuan: perCallYuan(fenOf(entry.priceFen, entry.calls)),
        count,
      }))
      .sort((a, b) => b.calls - a.calls),
  };
}

export function recommend(
  catalogue: readonly CatalogueEntry[],
  kind: PhoneKind,
  state: LedgerState,
  perMonth: number,
  at: Date,
): Recommendation | null {
  if (perMonth <= 0) return null;
  const ofKind = catalogue.filter((e) => e.kind === kind);
  const byValidity = new Map<number, CatalogueEntry[]>();
  for (const entry of ofKind) byValidity.set(entry.validityDays, [...(byValidity.get(entry.validityDays) ?? []), entry]);
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
    if (!best || combination.priceFen * best.shortfall < best.combination.priceFen * shortfall)
      best = { validityDays, shortfall, entries, combination };
  }
  if (!best) return null;
  const { entries, combination } = best;
  const cheapest = option(
    kind,
    entries.map((entry, i) => ({ entry, count: combination.counts[i]! })).filter((l) => l.count > 0),
    state,
    perMonth,
    at,
  );

  // One pack, larger than the whole cheapest purchase, at most LITTLE_MORE dearer, lasting longer: the least dear of those.
  let alternative: Recommendation['alternative'] = null;
  const limit = combination.priceFen * (LITTLE_MORE.den + LITTLE_MORE.num);
  for (const entry of [...ofKind].sort((a, b) => a.priceFen - b.priceFen || b.calls - a.calls)) {
    if (entry.calls <= combination.calls || entry.priceFen * LITTLE_MORE.den > limit) continue;
    const single = option(kind, [{ entry, count: 1 }], state, perMonth, at);
    if (single.coversDays <= cheapest.coversDays) continue;
    alternative = { ...single, extraYuan: fenToYuan(entry.priceFen - combination.priceFen) };
    break;
  }
  return { ...cheapest, alternative };
}
