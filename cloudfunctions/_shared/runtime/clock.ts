/**
 * The one clock: every time a function decides with (China days and months, leases,
 * expiry) or writes itself (`createdAt`, audit entries) comes from `now()`. Writes that
 * use the database's `serverDate()` read the database's clock instead; the emulator
 * drives both from its one clock.
 *
 * In production this is the system clock. In the emulator a test may move time
 * (`new Emulator({ clock })`): the emulator passes each invocation the difference
 * (QUICKPHONE_CLOCK_OFFSET_MS), so a test sets the day instead of backdating documents.
 */
import { clockOffsetMs } from './config';

export function now(): Date {
  return new Date(Date.now() + clockOffsetMs());
}
