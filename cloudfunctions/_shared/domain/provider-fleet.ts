/**
 * The fleet: every merchant mini program a provider serves, with each component's quota
 * as WeChat's usage API last reported it, and how long it lasts at the recent rate. The
 * rate comes from our own readings of WeChat's `used` (one usage call per merchant and
 * kind, kept as daily samples), so no second API call is needed. Pure: no SDK.
 */
import { DAY_MS } from './china-time';
import type { PhoneKind } from './settings';

export const FLEET_KINDS: readonly PhoneKind[] = ['quick', 'realtime'];

/** WeChat's `used` at a time. */
interface UsedSample {
  at: Date;
  used: number;
}

/** One component of one merchant, as last read. Figures are null until WeChat answered them. */
export interface KindReading {
  all: number | null;
  used: number | null;
  remaining: number | null;
  checkedAt: Date | null;
  /** Why the last reading failed (the figures are then the previous ones, or null). */
  error: string | null;
  samples: UsedSample[];
}

export const EMPTY_READING: KindReading = { all: null, used: null, remaining: null, checkedAt: null, error: null, samples: [] };

/** Samples kept: one a China day is enough for a rate; 30 days of them. */
const SAMPLE_WINDOW_MS = 30 * DAY_MS;
/** A rate needs readings at least this far apart. */
const MIN_SPAN_MS = DAY_MS;

/** Adds a sample, keeping at most one per day (the latest) within the window. */
export function addSample(samples: readonly UsedSample[], sample: UsedSample): UsedSample[] {
  const kept = samples.filter(
    (s) => sample.at.getTime() - s.at.getTime() < SAMPLE_WINDOW_MS && sample.at.getTime() - s.at.getTime() >= DAY_MS / 2,
  );
  return [...kept, sample];
}

/** Calls a day over the samples; null without two readings a day apart, or when `used` went down (a cancelled or expired pack). */
export function dailyRate(samples: readonly UsedSample[]): number | null {
  if (samples.length < 2) return null;
  const first = samples[0]!;
  const last = samples[samples.length - 1]!;
  const span = last.at.getTime() - first.at.getTime();
  if (span < MIN_SPAN_MS || last.used < first.used) return null;
  return ((last.used - first.used) * DAY_MS) / span;
}

/** Whole days the remaining calls last at the recent rate; null when unknown or nothing is being used. */
export function daysLeft(reading: Pick<KindReading, 'remaining' | 'samples'>): number | null {
  if (reading.remaining === 0) return 0;
  const rate = dailyRate(reading.samples);
  if (reading.remaining === null || rate === null || rate <= 0) return null;
  return Math.floor(reading.remaining / rate);
}

/** Fewest days left over the merchant's kinds; merchants with no known figure last. */
export function fleetOrder(a: { daysLeft: number | null; appid: string }, b: { daysLeft: number | null; appid: string }): number {
  const da = a.daysLeft ?? Number.POSITIVE_INFINITY;
  const db = b.daysLeft ?? Number.POSITIVE_INFINITY;
  return da === db ? a.appid.localeCompare(b.appid) : da - db;
}
