/** Words shared by several functions' routes. */

export type PhoneKind = 'quick' | 'realtime';

export type BreakerReason = 'quota-exhausted' | 'budget-reached' | 'daily-cap-reached';

/** A time on the wire: an ISO 8601 string (a `Date` the function returned, as JSON carries it). */
export type IsoTime = string;

/** A route that takes no parameters. */
export type NoInput = Record<never, never>;
