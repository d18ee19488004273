/**
 * What `npm run deploy` checks before touching the cloud, as pure functions over file
 * contents so each rule is unit-tested. Each returns human-readable problems; an empty
 * list means deployable.
 */
import { CONFIG_VARS } from '../../cloudfunctions/_shared/runtime/config';
import type { CloudbaseRc } from './cloudbaserc';
import { evaluateRule } from './rule-meaning';

/** Variables a deployed function may be given: every one config.ts declares, except the emulator's own. */
export const DEPLOYABLE_VARIABLES: string[] = Object.values(CONFIG_VARS)
  .filter((v) => !('local' in v && v.local))
  .map((v) => v.name);

/** The cloud runtime the bundles target. The CLI falls back to Nodejs8.9 when it is missing. */
export const RUNTIME = 'Nodejs18.15';
export const BUILD_FUNCTION_ROOT = 'build/cloudfunctions';
/** An HTTP access path: `/` and segments of letters, digits, `-` and `_`. */
const HTTP_PATH = /^(\/[A-Za-z0-9_-]+)+$/;

export function checkCloudbaseRc(rc: CloudbaseRc, builtFunctions: string[]): string[] {
  const problems: string[] = [];
  if (typeof rc.envId !== 'string' || !rc.envId.includes('{{env.'))
    problems.push('cloudbaserc.json: envId should come from the environment ("{{env.TCB_ENV_ID}}"), not be written in the file');
  if (rc.functionRoot?.replace(/^\.\//, '').replace(/\/$/, '') !== BUILD_FUNCTION_ROOT)
    problems.push(`cloudbaserc.json: functionRoot must be "./${BUILD_FUNCTION_ROOT}" (the bundles), got "${rc.functionRoot}"`);
  if (!Array.isArray(rc.functions) || rc.functions.length === 0) {
    problems.push('cloudbaserc.json: functions must list every function');
    return problems;
  }
  const declared = new Set<string>();
  for (const fn of rc.functions) {
    const where = `cloudbaserc.json: function "${fn.name}"`;
    if (declared.has(fn.name)) problems.push(`${where} is declared twice`);
    declared.add(fn.name);
    if (fn.runtime !== RUNTIME) problems.push(`${where}: runtime must be "${RUNTIME}", got ${JSON.stringify(fn.runtime)}`);
    if (fn.handler !== 'index.main') problems.push(`${where}: handler must be "index.main"`);
    if (fn.installDependency !== false) problems.push(`${where}: installDependency must be false (the bundle has everything)`);
    if (fn.timeout !== undefined && !(Number.isInteger(fn.timeout) && fn.timeout >= 1 && fn.timeout <= 60))
      problems.push(`${where}: timeout must be 1 to 60 seconds`);
    if (fn.envVariables !== undefined && Object.keys(fn.envVariables).length > 0) {
      problems.push(
        `${where}: envVariables must stay empty (the CLI pastes {{env.X}} values into its JSON as text and replaces everything set online); list the names in "variables" and let npm run deploy set them`,
      );
    }
    if (fn.triggers !== undefined)
      problems.push(
        `${where}: triggers belong in cloudfunctions/${fn.name}/config.json (one source for DevTools, the emulator and the deploy), not in cloudbaserc.json`,
      );
    if (fn.variables !== undefined && !(Array.isArray(fn.variables) && fn.variables.every((v) => typeof v === 'string')))
      problems.push(`${where}: variables must be a list of names`);
    else
      for (const name of fn.variables ?? [])
        if (!DEPLOYABLE_VARIABLES.includes(name))
          problems.push(`${where}: variable "${name}" is not one cloudfunctions/_shared/runtime/config.ts declares for deployment`);
    if (
      fn.httpPaths !== undefined &&
      !(Array.isArray(fn.httpPaths) && fn.httpPaths.every((p) => typeof p === 'string' && HTTP_PATH.test(p)))
    ) {
      problems.push(`${where}: httpPaths must be a list of paths like "/provider-events" (letters, digits, - and _ between slashes)`);
    }
    if (!builtFunctions.includes(fn.name)) problems.push(`${where} has no built bundle (is there cloudfunctions/${fn.name}/index.ts?)`);
  }
  for (const name of builtFunctions)
    if (!declared.has(name)) problems.push(`function "${name}" is built but not declared in cloudbaserc.json`);
  const routed = new Map<string, string>();
  for (const fn of rc.functions) {
    for (const path of Array.isArray(fn.httpPaths) ? fn.httpPaths : []) {
      if (routed.has(path))
        problems.push(`cloudbaserc.json: HTTP access path "${path}" is given to both "${routed.get(path)}" and "${fn.name}"`);
      else routed.set(path, fn.name);
    }
  }
  return problems;
}

export function checkFunctionConfig(name: string, config: unknown): string[] {
  const where = `${name}/config.json`;
  if (config === null || typeof config !== 'object' || Array.isArray(config)) return [`${where} must be a JSON object`];
  const problems: string[] = [];
  const { permissions, triggers } = config as { permissions?: { openapi?: unknown }; triggers?: unknown };
  if (permissions !== undefined) {
    const openapi = permissions?.openapi;
    if (
      openapi !== undefined &&
      !(Array.isArray(openapi) && openapi.every((a) => typeof a === 'string' && /^[A-Za-z]+\.[A-Za-z]+$/.test(a)))
    ) {
      problems.push(`${where}: permissions.openapi must list APIs like "phonenumber.getPhoneNumber"`);
    }
  }
  if (triggers !== undefined && !Array.isArray(triggers)) problems.push(`${where}: triggers must be an array`);
  for (const trigger of Array.isArray(triggers) ? (triggers as Array<{ name?: unknown; type?: unknown; config?: unknown }>) : []) {
    if (typeof trigger?.name !== 'string' || !/^[A-Za-z][A-Za-z0-9_-]{0,59}$/.test(trigger.name))
      problems.push(`${where}: a trigger needs a name (letters, digits, - and _)`);
    if (trigger?.type !== 'timer') problems.push(`${where}: only timer triggers are supported, got "${String(trigger?.type)}"`);
    // CloudBase timer cron: seven fields (second minute hour day month weekday year).
    if (typeof trigger?.config !== 'string' || trigger.config.trim().split(/\s+/).length !== 7)
      problems.push(`${where}: trigger "${String(trigger?.name)}" needs a 7-field cron expression`);
  }
  return problems;
}

export function checkBundlePackage(name: string, pkg: unknown): string[] {
  const deps = (pkg as { dependencies?: Record<string, string> } | null)?.dependencies;
  return deps && Object.keys(deps).length ? [`${name}/package.json lists dependencies; the bundle must need none`] : [];
}

const RULE_KEYS = new Set(['read', 'write', 'create', 'update', 'delete']);

/** A security rule: `{ read, write }` (optionally create/update/delete), each a boolean or an expression. */
export function checkRule(collection: string, rule: unknown): string[] {
  const where = `database-rules/${collection}.json`;
  if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(collection)) return [`${where}: "${collection}" is not a valid collection name`];
  if (rule === null || typeof rule !== 'object' || Array.isArray(rule)) return [`${where} must be a JSON object`];
  const problems: string[] = [];
  for (const [key, value] of Object.entries(rule)) {
    if (!RULE_KEYS.has(key)) problems.push(`${where}: unknown key "${key}"`);
    else if (typeof value === 'string') {
      // "false" as a string is an expression CloudBase rejects; it must be the boolean.
      if (value.trim() === 'false' || value.trim() === 'true')
        problems.push(`${where}: ${key} must be the JSON boolean ${value.trim()}, not a string`);
      else if (!value.trim()) problems.push(`${where}: ${key} is an empty expression`);
      else
        try {
          // Parsing evaluates every operand, so any syntax error surfaces whatever the context.
          evaluateRule(value, { auth: null, doc: {} });
        } catch (err) {
          problems.push(`${where}: ${key}: ${(err as Error).message}`);
        }
    } else if (typeof value !== 'boolean') problems.push(`${where}: ${key} must be a boolean or an expression string`);
  }
  if (!('read' in rule) || !('write' in rule)) problems.push(`${where} must define read and write`);
  return problems;
}

/**
 * The variables a built bundle reads: config.ts declares each variable as its own
 * side-effect-free constant, so the bundle keeps the name of exactly those its code
 * uses (esbuild drops the rest).
 */
export function variablesReadBy(bundle: string): string[] {
  return DEPLOYABLE_VARIABLES.filter(
    (name) => bundle.includes(`"${name}"`) || bundle.includes(`'${name}'`) || bundle.includes(`\`${name}\``),
  );
}

/** Every variable the function reads must be passed to it; passing one it never reads is only worth a note. */
export function checkVariables(name: string, read: string[], passed: string[]): { problems: string[]; notes: string[] } {
  const problems = read
    .filter((v) => !passed.includes(v))
    .map((v) => `function "${name}" reads ${v} but cloudbaserc.json does not pass it (add "${v}" to its variables)`);
  const notes = passed.filter((v) => !read.includes(v)).map((v) => `function "${name}" is given ${v} but never reads it`);
  return { problems, notes };
}
