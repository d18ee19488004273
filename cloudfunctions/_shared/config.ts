/**
 * Every environment variable the functions read, declared and documented in one place.
 * Values come from `cloudbaserc.json` `envVariables` when deployed, and from the
 * emulator (which reads the same file) locally. Read lazily so tests can set them.
 */

export interface ConfigVar {
  name: string;
  description: string;
}

export const CONFIG_VARS = {
  ADMIN_OPENIDS: {
    name: 'ADMIN_OPENIDS',
    description: 'Comma-separated openids that are admins regardless of the admins collection (how the first admin is set up).',
  },
} as const satisfies Record<string, ConfigVar>;

function read(variable: ConfigVar): string {
  return (process.env[variable.name] ?? '').trim();
}

/** Openids listed in ADMIN_OPENIDS. */
export function adminOpenidsFromEnv(): string[] {
  return read(CONFIG_VARS.ADMIN_OPENIDS)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}
