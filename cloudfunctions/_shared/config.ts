/**
 * Every environment variable the functions read, declared and documented in one place.
 * Values come from `cloudbaserc.json` `envVariables` when deployed, and from the
 * emulator (which reads the same file) locally. Read lazily so tests can set them.
 */

export interface ConfigVar {
  name: string;
  description: string;
  /** Used when the variable is unset or empty. */
  fallback?: string;
}

export const CONFIG_VARS = {
  ADMIN_OPENIDS: {
    name: 'ADMIN_OPENIDS',
    description: 'Comma-separated openids that are admins regardless of the admins collection (how the first admin is set up).',
  },
  PHONE_BINDS_PER_USER_PER_DAY: {
    name: 'PHONE_BINDS_PER_USER_PER_DAY',
    description: 'Phone codes one user may bind per China-time day; beyond it bindPhone answers RATE_LIMITED (the charge is still recorded).',
    fallback: '5',
  },
  NO_QUOTA_REPORTS_TO_TRIP: {
    name: 'NO_QUOTA_REPORTS_TO_TRIP',
    description: 'Distinct users whose no-quota reports (errno 1400001) within the window trip the quota breaker.',
    fallback: '3',
  },
  NO_QUOTA_WINDOW_MINUTES: {
    name: 'NO_QUOTA_WINDOW_MINUTES',
    description: 'The window for NO_QUOTA_REPORTS_TO_TRIP, in minutes.',
    fallback: '10',
  },
  PHONE_EXCHANGE_TIMEOUT_MS: {
    name: 'PHONE_EXCHANGE_TIMEOUT_MS',
    description: 'How long one attempt to exchange a phone code with WeChat may take before it counts as a timeout (one retry follows).',
    fallback: '4000',
  },
} as const satisfies Record<string, ConfigVar>;

function read(variable: ConfigVar): string {
  const value = (process.env[variable.name] ?? '').trim();
  return value || variable.fallback || '';
}

/** A positive integer setting; a malformed value fails loudly rather than silently using a default. */
function positiveInt(variable: ConfigVar): number {
  const text = read(variable);
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 1) throw new Error(`${variable.name} must be a positive integer, got "${text}"`);
  return value;
}

/** Openids listed in ADMIN_OPENIDS. */
export function adminOpenidsFromEnv(): string[] {
  return read(CONFIG_VARS.ADMIN_OPENIDS)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export const phoneBindsPerUserPerDay = () => positiveInt(CONFIG_VARS.PHONE_BINDS_PER_USER_PER_DAY);
export const noQuotaReportsToTrip = () => positiveInt(CONFIG_VARS.NO_QUOTA_REPORTS_TO_TRIP);
export const noQuotaWindowMinutes = () => positiveInt(CONFIG_VARS.NO_QUOTA_WINDOW_MINUTES);
export const phoneExchangeTimeoutMs = () => positiveInt(CONFIG_VARS.PHONE_EXCHANGE_TIMEOUT_MS);
