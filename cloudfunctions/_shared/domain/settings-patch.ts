/**
 * What an admin may change in the settings, checked with a schema (unknown keys and
 * wrong types are refused, naming the field), and how a patch applies: pure, so the
 * rules are unit-tested and the function only does I/O.
 */
import * as v from 'valibot';
import type { Settings } from './settings';
import { positiveCount, yuanAmount } from './amount-schemas';

const phoneCapturePatch = v.strictObject(
  {
    enabled: v.optional(v.boolean('must be true or false')),
    kind: v.optional(v.picklist(['quick', 'realtime'], 'must be "quick" or "realtime"')),
    monthlyBudgetYuan: v.optional(v.nullable(yuanAmount)),
    dailyCap: v.optional(v.nullable(positiveCount)),
  },
  (issue): string => `unknown setting "${String(issue.input)}" in phoneCapture; it holds ${PHONE_CAPTURE_KEYS}`,
);

// The refusal of an unknown key names what is valid, read from the schema itself, so an
// admin (or a developer with curl) never has to guess the nesting from a later answer.
const PHONE_CAPTURE_KEYS: string = Object.keys(phoneCapturePatch.entries).join(', ');

function unknownSetting(key: string): string {
  if (key in phoneCapturePatch.entries)
    return `unknown setting "${key}": it belongs in phoneCapture, as { "phoneCapture": { "${key}": … } }`;
  const settings = Object.keys(settingsPatchSchema.entries).map((name) =>
    name === 'phoneCapture' ? `phoneCapture: { ${PHONE_CAPTURE_KEYS} }` : name === 'breaker' ? 'breaker: { tripped: false }' : name,
  );
  return `unknown setting "${key}"; the settings are ${settings.join(', ')}`;
}

export const settingsPatchSchema = v.strictObject(
  {
    phoneCapture: v.optional(phoneCapturePatch),
    // The only breaker field an admin writes: clearing a tripped breaker.
    breaker: v.optional(
      v.strictObject(
        { tripped: v.literal(false, 'can only be set to false (re-enable)') },
        (issue) => `only "tripped" can be changed, not "${String(issue.input)}"`,
      ),
    ),
    hidePrices: v.optional(v.boolean('must be true or false')),
    hideShippingAddress: v.optional(v.boolean('must be true or false')),
    feeExempt: v.optional(v.boolean('must be true or false')),
  },
  (issue) => unknownSetting(String(issue.input)),
);

export type SettingsPatch = v.InferOutput<typeof settingsPatchSchema>;

export interface SettingChange {
  field: string;
  from: unknown;
  to: unknown;
}

/**
 * Applies a validated patch. Returns the next settings and one change per field that
 * actually changed; with no change the settings come back as they were.
 */
export function applySettingsPatch(
  current: Settings,
  patch: SettingsPatch,
  by: string,
  at: Date,
): { next: Settings; changes: SettingChange[] } {
  const changes: SettingChange[] = [];
  const next: Settings = structuredClone(current);
  const set = <T>(field: string, from: T, to: T | undefined, assign: (value: T) => void) => {
    if (to === undefined || Object.is(from, to)) return;
    changes.push({ field, from, to });
    assign(to);
  };
  const pc = patch.phoneCapture ?? {};
  set('phoneCapture.enabled', current.phoneCapture.enabled, pc.enabled, (x) => (next.phoneCapture.enabled = x));
  set('phoneCapture.kind', current.phoneCapture.kind, pc.kind, (x) => (next.phoneCapture.kind = x));
  set(
    'phoneCapture.monthlyBudgetYuan',
    current.phoneCapture.monthlyBudgetYuan,
    pc.monthlyBudgetYuan,
    (x) => (next.phoneCapture.monthlyBudgetYuan = x),
  );
  set('phoneCapture.dailyCap', current.phoneCapture.dailyCap, pc.dailyCap, (x) => (next.phoneCapture.dailyCap = x));
  set('hidePrices', current.hidePrices, patch.hidePrices, (x) => (next.hidePrices = x));
  set('hideShippingAddress', current.hideShippingAddress, patch.hideShippingAddress, (x) => (next.hideShippingAddress = x));
  set('feeExempt', current.feeExempt, patch.feeExempt, (x) => (next.feeExempt = x));
  if (patch.breaker && current.breaker.tripped) {
    const cleared = { tripped: false, reason: null, at: null };
    changes.push({ field: 'breaker', from: current.breaker, to: cleared });
    next.breaker = cleared;
  }
  if (changes.length === 0) return { next: current, changes };
  next.version = current.version + 1;
  next.updatedAt = at;
  next.updatedBy = by;
  return { next, changes };
}
