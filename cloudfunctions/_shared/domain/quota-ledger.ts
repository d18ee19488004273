/**
 * The quota ledger: which pack each charge came out of, as WeChat deducts it (docs/wechat.md
 * "Billing"): the trial first, then paid packs by earliest expiry, a pack counting only
 * between its start and its expiry. Each component kind has its own ledger.
 *
 * Charges are counted per China day (`usage_daily`), but a pack's start and expiry are
 * instants: WeChat never draws on a pack after it expired, even later the same day. So a
 * day in which some pack starts or expires is split at those instants into parts, each
 * with its own count (the caller counts the day's charges per part: `splitsWithin`), and
 * a pack serves a part only if it is in force for the whole of it. Other days are drawn
 * whole. Pure: no SDK.
 */
import { chinaDayStart, nextDayStart } from './china-time';
import type { PhoneKind } from './settings';

import type { PackSource, PackStatus } from '../../../miniprogram/contract';

export type { PackSource, PackStatus } from '../../../miniprogram/contract';

export interface Pack {
  id: string;
  kind: PhoneKind;
  source: PackSource;
  calls: number;
  startsAt: Date;
  /** null: never expires (the trial). */
  expiresAt: Date | null;
}

/** Charges of one kind on one China day; `parts` when the day is split (they add up to `count`). */
export interface DayCount {
  day: string;
  count: number;
  parts?: DayPart[];
}

/** The charges of a stretch of one day, from `from` (inclusive) to `to` (exclusive). */
interface DayPart {
  from: Date;
  to: Date;
  count: number;
}

export interface PackUsage<P extends Pack = Pack> {
  pack: P;
  used: number;
  status: PackStatus;
}

/** What one China day's charges drew: calls taken from each pack (index into `packs`), and what nothing covered. */
interface DayDraw {
  day: string;
  takes: Array<{ index: number; calls: number }>;
  uncovered: number;
}

export interface LedgerState<P extends Pack = Pack> {
  /** In deduction order. */
  packs: Array<PackUsage<P>>;
  /** Day by day, in date order: which packs each day's charges came out of (what pricing reads). */
  draws: DayDraw[];
  /** Calls left in packs that are active now. */
  remaining: number;
  /** Charges no pack could cover (WeChat would have refused them: our packs are incomplete). */
  uncovered: number;
}

/** Whether a pack can be drawn on during China day `day` (it overlaps the day). */
export function servesDay(pack: Pack, day: string): boolean {
  return pack.startsAt < nextDayStart(day) && (pack.expiresAt === null || pack.expiresAt > chinaDayStart(day));
}

/** Whether a pack is in force for the whole of [from, to). */
const servesPart = (pack: Pack, part: DayPart) => pack.startsAt <= part.from && (pack.expiresAt === null || pack.expiresAt >= part.to);

/** The instants inside China day `day` (after its start) where a pack starts or expires, in order: where it splits. */
export function splitsWithin(packs: readonly Pack[], day: string): Date[] {
  const start = chinaDayStart(day).getTime();
  const end = nextDayStart(day).getTime();
  const inside = new Set<number>();
  for (const p of packs)
    for (const t of [p.startsAt.getTime(), p.expiresAt?.getTime()]) if (t !== undefined && t > start && t < end) inside.add(t);
  return [...inside].sort((a, b) => a - b).map((t) => new Date(t));
}

/**
 * The day's parts with their counts: `recorded` is what the counted records of each part
 * say (by their own times), `total` the day's counter, which rules (a record cron has
 * not recounted yet is in the counter first). Parts take their recorded counts in order
 * up to the total; the last takes whatever is left.
 */
export function fitParts(parts: ReadonlyArray<{ from: Date; to: Date }>, recorded: readonly number[], total: number): DayPart[] {
  let left = total;
  return parts.map((part, i) => {
    const count = i === parts.length - 1 ? left : Math.min(recorded[i] ?? 0, left);
    left -= count;
    return { ...part, count };
  });
}

/** The parts of `day` between its splits (one part per stretch), to be counted. */
export function dayParts(day: string, splits: readonly Date[]): Array<{ from: Date; to: Date }> {
  const edges = [chinaDayStart(day), ...splits, nextDayStart(day)];
  return edges.slice(1).map((to, i) => ({ from: edges[i]!, to }));
}

/** WeChat's deduction order: trial first, then earliest expiry (never-expiring last). */
export function deductionOrder<P extends Pack>(packs: readonly P[]): P[] {
  const expiry = (p: Pack) => (p.expiresAt === null ? Number.POSITIVE_INFINITY : p.expiresAt.getTime());
  return [...packs].sort(
    (a, b) =>
      Number(b.source === 'trial') - Number(a.source === 'trial') ||
      expiry(a) - expiry(b) ||
      a.startsAt.getTime() - b.startsAt.getTime() ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
}

export function statusAt(pack: Pack, used: number, at: Date): PackStatus {
  if (pack.startsAt > at) return 'pending';
  if (pack.expiresAt !== null && pack.expiresAt <= at) return 'expired';
  return used >= pack.calls ? 'used-up' : 'active';
}

/**
 * Draws `count` calls on `day` from the packs in order, out of `left` (what each pack
 * still holds, indexed like `ordered`, updated in place); returns what could not be drawn.
 */
export function draw(ordered: readonly Pack[], left: number[], day: string | DayPart, count: number): number {
  let wanted = count;
  const serves = typeof day === 'string' ? (p: Pack) => servesDay(p, day) : (p: Pack) => servesPart(p, day);
  for (let i = 0; i < ordered.length && wanted > 0; i++) {
    if (!serves(ordered[i]!)) continue;
    const take = Math.min(wanted, left[i]!);
    left[i]! -= take;
    wanted -= take;
  }
  return wanted;
}

/** Applies a kind's daily charge counts to its packs, as of `at`. */
export function applyCharges<P extends Pack>(packs: readonly P[], days: readonly DayCount[], at: Date): LedgerState<P> {
  const ordered = deductionOrder(packs);
  const left = ordered.map((p) => p.calls);
  let uncovered = 0;
  const draws: DayDraw[] = [];
  for (const { day, count, parts } of [...days].sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0))) {
    if (count <= 0) continue;
    const before = left.slice();
    const short = parts ? parts.reduce((sum, part) => sum + draw(ordered, left, part, part.count), 0) : draw(ordered, left, day, count);
    uncovered += short;
    const takes: DayDraw['takes'] = [];
    for (let i = 0; i < left.length; i++) if (before[i]! > left[i]!) takes.push({ index: i, calls: before[i]! - left[i]! });
    // Two counters of one day (never written so, but harmless) stay two entries.
    draws.push({ day, takes, uncovered: short });
  }
  const rows = ordered.map((pack, i) => {
    const used = pack.calls - left[i]!;
    return { pack, used, status: statusAt(pack, used, at) };
  });
  const remaining = rows.reduce((sum, r) => (r.status === 'active' ? sum + r.pack.calls - r.used : sum), 0);
  return { packs: rows, draws, remaining, uncovered };
}
