/**
 * Days a pack starts or expires in, split at those instants (domain/quota-ledger.ts):
 * each part counted from the counted charge records' own times, one count per part.
 * Only such days are read (a pack adds at most two), so the ledger stays O(days) plus
 * a handful of counts.
 */
import { dayParts, fitParts, splitsWithin, type DayCount, type Pack } from '../domain/quota-ledger';
import type { PhoneKind } from '../domain/settings';
import { countCountedBetween } from '../data/phone-charges';

/** `days` of `kind`, those that some pack's start or expiry splits carrying their parts. */
export function splitAtPackEdges(kind: PhoneKind, packs: readonly Pack[], days: readonly DayCount[]): Promise<DayCount[]> {
  return Promise.all(
    days.map(async (d) => {
      const splits = d.count > 0 ? splitsWithin(packs, d.day) : [];
      if (splits.length === 0) return d;
      const parts = dayParts(d.day, splits);
      const recorded = await Promise.all(parts.map((p) => countCountedBetween(kind, p.from, p.to)));
      return { ...d, parts: fitParts(parts, recorded, d.count) };
    }),
  );
}
