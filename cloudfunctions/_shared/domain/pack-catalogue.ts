/**
 * The packs WeChat sells, as data: `pack-catalogue.json` beside this file, or the
 * QUOTA_PACK_CATALOGUE environment variable (same shape as its `packs`) so a price
 * change needs no code change. Prices become integer fen here, once. Pure: no SDK.
 */
import * as v from 'valibot';
import bundled from './pack-catalogue.json';
import { yuanToFen } from './pricing';
import type { PhoneKind } from './settings';

export interface CatalogueEntry {
  kind: PhoneKind;
  calls: number;
  validityDays: number;
  priceFen: number;
}

const entrySchema = v.strictObject({
  kind: v.picklist(['quick', 'realtime'], 'kind must be "quick" or "realtime"'),
  calls: v.pipe(v.number('calls must be a number'), v.integer('calls must be a whole number'), v.minValue(1, 'calls must be positive')),
  validityDays: v.pipe(
    v.number('validityDays must be a number'),
    v.integer('validityDays must be a whole number'),
    v.minValue(1, 'validityDays must be positive'),
  ),
  priceYuan: v.pipe(
    v.string('priceYuan must be a string such as "30.00"'),
    v.regex(/^\d+(\.\d{1,2})?$/, 'priceYuan must be yuan with at most two decimals, e.g. "7.50"'),
  ),
});
const catalogueSchema = v.pipe(
  v.array(entrySchema, 'the catalogue must be an array of packs'),
  v.minLength(1, 'the catalogue must list at least one pack'),
);

/** Parses a catalogue; throws naming the bad entry (a misconfiguration should be loud). */
export function parseCatalogue(packs: unknown): CatalogueEntry[] {
  const result = v.safeParse(catalogueSchema, packs);
  if (!result.success) {
    const issue = result.issues[0];
    throw new Error(`pack catalogue: ${v.getDotPath(issue) ?? ''} ${issue.message}`.replace(/\s+/g, ' ').trim());
  }
  return result.output.map(({ priceYuan, ...entry }) => ({ ...entry, priceFen: yuanToFen(priceYuan) }));
}

/** The catalogue in force: the override (a JSON array) if given, else the bundled one. */
export function catalogue(override?: string): CatalogueEntry[] {
  if (!override?.trim()) return parseCatalogue(bundled.packs);
  let packs: unknown;
  try {
    packs = JSON.parse(override);
  } catch {
    throw new Error('QUOTA_PACK_CATALOGUE is not valid JSON');
  }
  return parseCatalogue(packs);
}
