/**
 * A CloudBase project folder: `cloudbaserc.json` (the CloudBase CLI's config: `envId`,
 * `functionRoot`, `functions`) and `database-rules/` for the collections that exist from
 * the start. This is the one reader of the file: the emulator serves what it reads, and a
 * project's own tooling (quickphone's deploy and doctor: scripts/lib/cloudbaserc.ts) reads
 * the file through it too. Any folder `tcb fn deploy` accepts is a project
 * (docs/emulator.md "Any CloudBase project").
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** A trigger as a function's `config.json` declares it (the CLI's shape). */
export interface TriggerConfig {
  name: string;
  type: string;
  config: string;
}

/** One `functions` entry of cloudbaserc.json, as written. */
export interface FunctionConfig {
  name: string;
  /** `index.main` and e.g. `Nodejs18.15`: a deploy needs them; the emulator runs `index.js`'s `main` on its own Node. */
  handler: string;
  runtime: string;
  /** Seconds (CloudBase's default is 3). */
  timeout?: number;
  memorySize?: number;
  installDependency?: boolean;
  /** What the CLI sends as the function's variables; `{{env.X}}` is filled from the environment. */
  envVariables?: Record<string, string>;
  /**
   * Variables declared by name only, an extension the CLI ignores: each gets its value
   * from the environment. It keeps values (secrets, quotes) out of the file's text
   * (scripts/lib/cloudbaserc.ts says why quickphone uses it).
   */
  variables?: string[];
  /** Triggers belong in the function's config.json; the CLI also accepts them here. */
  triggers?: TriggerConfig[];
  /**
   * Paths of the environment's HTTP access (HTTP 访问服务) that run this function, e.g.
   * `["/provider-events"]`. The CLI ignores the key; the emulator serves each path under
   * `/http`, and a project's deploy may create them.
   */
  httpPaths?: string[];
  ignore?: string[];
  [key: string]: unknown;
}

/** cloudbaserc.json as written: placeholders intact. */
export interface CloudbaseRc {
  version?: string;
  envId: string;
  functionRoot: string;
  functions: FunctionConfig[];
  [key: string]: unknown;
}

/** An HTTP access route: a path of the environment's default domain, to a function. */
export interface HttpRoute {
  path: string;
  fn: string;
}

/** What the emulator takes from one function of the project. */
export interface ProjectFunction {
  name: string;
  /** Seconds (CloudBase's default is 3). */
  timeout?: number;
  memorySize?: number;
  /** The variables a deploy gives the function, `{{env.X}}` already filled. */
  envVariables: Record<string, string>;
}

/** The project as the emulator serves it. */
export interface CloudbaseProject {
  root: string;
  /** `envId` with `{{env.X}}` filled; null when the file names none (or it fills to ""). */
  envId: string | null;
  /** Absolute: where each function's folder (index.js, config.json, node_modules) lies. */
  functionRoot: string;
  functions: ProjectFunction[];
  /** HTTP access: path → function, from each function's `httpPaths`. */
  httpAccess: Record<string, string>;
}

const PLACEHOLDER = /\{\{\s*env\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** Fills `{{env.X}}` from `env`, value by value (a value with quotes cannot break the JSON); unset is "". */
function fillPlaceholders(text: string, env: NodeJS.ProcessEnv): string {
  return text.replace(PLACEHOLDER, (_m, name: string) => env[name] ?? '');
}

/** `<root>/cloudbaserc.json` as written. A folder without the file is refused with what it lacks. */
export function readCloudbaseRc(root: string): CloudbaseRc {
  const file = join(resolve(root), 'cloudbaserc.json');
  if (!existsSync(file)) throw new Error(`${resolve(root)} has no cloudbaserc.json: it is not a CloudBase project folder`);
  return JSON.parse(readFileSync(file, 'utf8')) as CloudbaseRc;
}

/** Every HTTP access route the functions declare (`httpPaths`), in file order. */
export function httpRoutes(rc: CloudbaseRc): HttpRoute[] {
  return (rc.functions ?? []).flatMap((fn) => (Array.isArray(fn.httpPaths) ? fn.httpPaths : []).map((path) => ({ path, fn: fn.name })));
}

/** Every variable name a function is given: `variables`, and every `envVariables` key. */
export function declaredVariables(fn: FunctionConfig): string[] {
  return [...new Set([...(fn.variables ?? []), ...Object.keys(fn.envVariables ?? {})])];
}

/**
 * The project in `root`, its values from `env`: `{{env.X}}` filled as the CLI fills it
 * from `.env`, and a name listed under `variables` given `env`'s value ("" when unset).
 */
export function readProject(root: string, env: NodeJS.ProcessEnv = process.env): CloudbaseProject {
  const absolute = resolve(root);
  const rc = readCloudbaseRc(absolute);
  const functions = (rc.functions ?? []).map((fn): ProjectFunction => {
    const envVariables: Record<string, string> = {};
    for (const [key, value] of Object.entries(fn.envVariables ?? {})) envVariables[key] = fillPlaceholders(String(value), env);
    for (const name of fn.variables ?? []) envVariables[name] = env[name] ?? '';
    return { name: fn.name, timeout: fn.timeout, memorySize: fn.memorySize, envVariables };
  });
  const httpAccess: Record<string, string> = {};
  for (const route of httpRoutes(rc)) httpAccess[route.path] = route.fn;
  return {
    root: absolute,
    envId: typeof rc.envId === 'string' ? fillPlaceholders(rc.envId, env) || null : null,
    // The CLI's default functionRoot is `functions` when the file names none.
    functionRoot: resolve(absolute, rc.functionRoot ?? 'functions'),
    functions,
    httpAccess,
  };
}

/** Collections named by `database-rules/<name>.json`, when the project has that folder. */
export function ruleCollections(root: string): string[] {
  const dir = join(root, 'database-rules');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

/** The env id `root`'s cloudbaserc.json names (filled from `env`); null without the file or an id. */
export function projectEnvId(root: string, env: NodeJS.ProcessEnv = process.env): string | null {
  return existsSync(join(resolve(root), 'cloudbaserc.json')) ? readProject(root, env).envId : null;
}
