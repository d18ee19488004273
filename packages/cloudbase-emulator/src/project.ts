/**
 * A CloudBase project folder as the emulator reads it: `cloudbaserc.json` (its
 * `functionRoot` and `functions`), `database-rules/` for the collections that exist
 * from the start. Nothing here knows quickphone: any folder `tcb fn deploy` accepts
 * is a project (docs/emulator.md "Any CloudBase project").
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** What the emulator takes from one `functions` entry of cloudbaserc.json. */
export interface ProjectFunction {
  name: string;
  /** Seconds (CloudBase's default is 3). */
  timeout?: number;
  memorySize?: number;
  /** The variables a deploy gives the function, `{{env.X}}` already filled. */
  envVariables: Record<string, string>;
}

export interface CloudbaseProject {
  root: string;
  /** Absolute: where each function's folder (index.js, config.json, node_modules) lies. */
  functionRoot: string;
  functions: ProjectFunction[];
  /** HTTP access: path → function, from each function's `httpPaths`. */
  httpAccess: Record<string, string>;
}

interface RcFunction {
  name: string;
  timeout?: number;
  memorySize?: number;
  envVariables?: Record<string, string>;
  /** quickphone's way to declare variables by name only (its scripts/lib/cloudbaserc.ts says why). */
  variables?: string[];
  /** Paths of the environment's HTTP access that run this function (quickphone's deploy creates them). */
  httpPaths?: string[];
}

const PLACEHOLDER = /\{\{\s*env\.(\w+)\s*\}\}/g;

/**
 * Reads `<root>/cloudbaserc.json`. `{{env.X}}` is filled from `env` value by value, as
 * the CLI fills it from `.env`; a name listed under `variables` gets its value from
 * `env` ("" when unset). A folder without the file is refused with what to add.
 */
export function readProject(root: string, env: NodeJS.ProcessEnv = process.env): CloudbaseProject {
  const absolute = resolve(root);
  const file = join(absolute, 'cloudbaserc.json');
  if (!existsSync(file)) throw new Error(`${absolute} has no cloudbaserc.json: it is not a CloudBase project folder`);
  const rc = JSON.parse(readFileSync(file, 'utf8')) as { functionRoot?: string; functions?: RcFunction[] };
  const fill = (text: string) => text.replace(PLACEHOLDER, (_m, name: string) => env[name] ?? '');
  const functions = (rc.functions ?? []).map((fn): ProjectFunction => {
    const envVariables: Record<string, string> = {};
    for (const [key, value] of Object.entries(fn.envVariables ?? {})) envVariables[key] = fill(String(value));
    for (const name of fn.variables ?? []) envVariables[name] = env[name] ?? '';
    return { name: fn.name, timeout: fn.timeout, memorySize: fn.memorySize, envVariables };
  });
  const httpAccess: Record<string, string> = {};
  for (const fn of rc.functions ?? []) for (const path of Array.isArray(fn.httpPaths) ? fn.httpPaths : []) httpAccess[path] = fn.name;
  // The CLI's default functionRoot is `functions` when the file names none.
  return { root: absolute, functionRoot: resolve(absolute, rc.functionRoot ?? 'functions'), functions, httpAccess };
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
