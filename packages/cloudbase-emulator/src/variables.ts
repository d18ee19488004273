/**
 * The emulator's own variables carry its package's name (CLOUDBASE_EMULATOR_*). The
 * names it had inside quickphone (QUICKPHONE_*) are still read, with a warning once per
 * name, so a shell or a .env written before the rename keeps working.
 */
const RENAMED = {
  CLOUDBASE_EMULATOR_PORT: 'QUICKPHONE_PORT',
  CLOUDBASE_EMULATOR_DATA_DIR: 'QUICKPHONE_DATA_DIR',
  CLOUDBASE_EMULATOR_STRICT_INDEXES: 'QUICKPHONE_STRICT_INDEXES',
  CLOUDBASE_EMULATOR_HTTP_ACCESS: 'QUICKPHONE_HTTP_ACCESS',
  CLOUDBASE_EMULATOR_SP_PUSH_TOKEN: 'QUICKPHONE_SP_PUSH_TOKEN',
  CLOUDBASE_EMULATOR_SP_PUSH_AES_KEY: 'QUICKPHONE_SP_PUSH_AES_KEY',
  CLOUDBASE_EMULATOR_SP_PUSH_FORMAT: 'QUICKPHONE_SP_PUSH_FORMAT',
  CLOUDBASE_EMULATOR_SP_PUSH_PATH: 'QUICKPHONE_SP_PUSH_PATH',
  CLOUDBASE_EMULATOR_SP_UNRELATED_APPIDS: 'QUICKPHONE_SP_UNRELATED_APPIDS',
  CLOUDBASE_EMULATOR_COMPONENT_VERIFY_TICKET: 'QUICKPHONE_COMPONENT_VERIFY_TICKET',
} as const;

type EmulatorVariable = keyof typeof RENAMED;

const warned = new Set<string>();

/** The variable's value, the new name winning over the old; "" counts as unset. */
export function emulatorVariable(
  name: EmulatorVariable,
  env: NodeJS.ProcessEnv = process.env,
  warn: (line: string) => void = (line) => console.warn(line),
): string | undefined {
  if (env[name]) return env[name];
  const old = RENAMED[name];
  const value = env[old];
  if (!value) return undefined;
  if (!warned.has(old)) {
    warned.add(old);
    warn(`${old} is read as ${name}, its new name: rename it (the old name will stop working).`);
  }
  return value;
}
