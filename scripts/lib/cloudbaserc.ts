/**
 * Reading `cloudbaserc.json`, the CloudBase CLI's config, which the deploy, the
 * emulator and the doctor share.
 *
 * Function variables are listed by name (`"variables": ["ADMIN_OPENIDS", …]`), not as
 * `envVariables` with `{{env.X}}` placeholders: the CLI (2.12.10) pastes placeholder
 * values into the file's JSON as text before parsing it, so a `.env` value with `"` or
 * `\` breaks every `tcb` command, and it would send an unset variable as "" and replace
 * everything set in the console. Nothing in the file depends on `.env` but `envId`.
 * `npm run deploy` sets the values itself (scripts/lib/deploy-plan.ts); the emulator
 * passes the same names from its environment.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';

export const PROJECT_ROOT = join(__dirname, '..', '..');

export interface TriggerConfig {
  name: string;
  type: string;
  config: string;
}

export interface FunctionConfig {
  name: string;
  handler: string;
  runtime: string;
  timeout?: number;
  memorySize?: number;
  installDependency?: boolean;
  /** Names of the variables the function gets (see cloudfunctions/_shared/runtime/config.ts). */
  variables?: string[];
  /**
   * What the CLI sends as the function's variables. In the project's file this stays
   * empty (see above); `loadCloudbaseRc` fills it from `variables` for the emulator.
   */
  envVariables?: Record<string, string>;
  /** Never in the project's file: triggers come from the function's config.json. */
  triggers?: TriggerConfig[];
  /**
   * CloudBase HTTP access paths (HTTP 访问服务) routed to this function, e.g.
   * `["/provider-events"]` for WeChat's pushes. The CLI ignores the key; `npm run deploy`
   * creates each route (no path auth) and reads it back.
   */
  httpPaths?: string[];
  ignore?: string[];
  [key: string]: unknown;
}

export interface CloudbaseRc {
  version?: string;
  envId: string;
  functionRoot: string;
  functions: FunctionConfig[];
  [key: string]: unknown;
}

const PLACEHOLDER = /\{\{\s*env\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** Fills `{{env.X}}` from `env`; a missing variable becomes the empty string. */
export function fillPlaceholders(text: string, env: NodeJS.ProcessEnv): string {
  return text.replace(PLACEHOLDER, (_m, name: string) => env[name] ?? '');
}

export function readCloudbaseRcText(root = PROJECT_ROOT): string {
  return readFileSync(join(root, 'cloudbaserc.json'), 'utf8');
}

/** The file as written: placeholders intact. */
export function readCloudbaseRc(root = PROJECT_ROOT): CloudbaseRc {
  return JSON.parse(readCloudbaseRcText(root)) as CloudbaseRc;
}

/** An HTTP access route: a path of the environment's default domain, to a function. */
export interface HttpRoute {
  path: string;
  fn: string;
}

/** Every HTTP access route the functions declare (`httpPaths`), in file order. */
export function httpRoutes(rc: CloudbaseRc): HttpRoute[] {
  return (rc.functions ?? []).flatMap((fn) => (Array.isArray(fn.httpPaths) ? fn.httpPaths : []).map((path) => ({ path, fn: fn.name })));
}

/** Every variable name a function is given: `variables`, and any legacy `envVariables` key. */
export function declaredVariables(fn: FunctionConfig): string[] {
  return [...new Set([...(fn.variables ?? []), ...Object.keys(fn.envVariables ?? {})])];
}

/**
 * The config with `{{env.X}}` filled value by value (so a value with quotes cannot break
 * the JSON) and each function's `envVariables` holding its declared variables' values
 * from `env` ("" when unset): what the emulator gives each function.
 */
export function loadCloudbaseRc(env: NodeJS.ProcessEnv = process.env, root = PROJECT_ROOT): CloudbaseRc {
  const raw = readCloudbaseRc(root);
  const filled = JSON.parse(JSON.stringify(raw), (_key, value: unknown) =>
    typeof value === 'string' ? fillPlaceholders(value, env) : value,
  ) as CloudbaseRc;
  for (const fn of filled.functions ?? []) {
    const values: Record<string, string> = { ...(fn.envVariables ?? {}) };
    for (const name of fn.variables ?? []) values[name] = env[name] ?? '';
    fn.envVariables = values;
  }
  return filled;
}

/**
 * Lines of a `.env` text whose unquoted value has a `#` right after a character: dotenv
 * (and Node's loader, which parses the same way) reads `KEY=abc#def` as "abc", the
 * rest being a comment. Usually that `#` belongs to a secret: the deploy refuses it.
 */
export function unquotedHashes(text: string): string[] {
  const found: string[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const m = /^\s*(?:export\s+)?([\w.-]+)\s*=\s*(.*)$/.exec(line);
    if (!m || /^['"`]/.test(m[2]!)) return;
    const at = m[2]!.search(/\S#/);
    if (at >= 0)
      found.push(
        `.env line ${i + 1}: ${m[1]}'s value has a # without quotes, so it is read as "${m[2]!
          .slice(0, at + 1)
          .trim()
          .replace(/./g, '•')}" and the rest is a comment; quote the value ('…') if the # belongs to it`,
      );
  });
  return found;
}

/**
 * Loads `.env` into process.env without overriding what is already set (parsed as dotenv
 * parses it). Returns the names the file sets ([] without a file), so `npm start` can say
 * what it read.
 */
export function loadDotEnv(root = PROJECT_ROOT): string[] {
  let text: string;
  try {
    text = readFileSync(join(root, '.env'), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  // Node's own dotenv-compatible parser; assigned here so any process.env object gets it.
  const parsed = parseEnv(text);
  for (const [name, value] of Object.entries(parsed)) if (process.env[name] === undefined) process.env[name] = value;
  return Object.keys(parsed);
}
