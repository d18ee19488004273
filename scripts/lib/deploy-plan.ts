/**
 * What `npm run deploy` sends and how it checks what the cloud answers, as pure
 * functions (unit-tested; scripts/deploy.ts runs them against the CLI and manager-node).
 *
 * The CLI ships code and the basic configuration only (runtime, handler, timeout,
 * memory). The bundle's fingerprint goes in the function's Description once the new
 * code is proven online. Variables and triggers are set by
 * the deploy itself through the API (UpdateFunctionConfiguration, DeleteTrigger,
 * BatchCreateTrigger), because the CLI pastes variable values into JSON text (turning a
 * JSON-looking value into an object) and creates triggers twice on a redeploy.
 *
 * Variables: the list online is the starting point, passed through byte for byte
 * (including variables the project does not own); a declared variable set locally
 * replaces its value (encoded by `encodeEnvValue`); one declared and set to the empty
 * string locally (`NAME=` in .env) is removed; one not mentioned locally keeps its
 * online value. Nothing is ever sent empty.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { decodeEnvValue, encodeEnvValue } from '../../cloudfunctions/_shared/runtime/config';
import type { FunctionConfig, TriggerConfig } from './cloudbaserc';

/** A secret that is useless without its partner, and the other way round. */
export const CREDENTIAL_PAIRS: Array<[id: string, secret: string]> = [
  ['WECHAT_APPID', 'WECHAT_APPSECRET'],
  ['PROVIDER_APPID', 'PROVIDER_APPSECRET'],
];

/** Variables the deploy makes up when neither .env nor the cloud has one. */
export const GENERATED: Record<string, () => string> = {
  DOCTOR_KEY: () => randomBytes(24).toString('hex'),
};

/** SCF's limit on a function's variables, keys and values together (UTF-8 bytes). */
export const VARIABLES_LIMIT_BYTES = 4096;

/** Description of a deployed bundle: the deploy compares it to decide whether code must ship. */
const FINGERPRINT = /quickphone bundle sha256:([0-9a-f]{64})/;
export const fingerprintDescription = (sha256: string) => `quickphone bundle sha256:${sha256}`;
export const fingerprintOf = (description: string | undefined) => FINGERPRINT.exec(description ?? '')?.[1] ?? null;

/** SHA-256 over a bundle folder's files (names and contents, in name order). */
export function bundleSha256(dir: string): string {
  const hash = createHash('sha256');
  const walk = (at: string, prefix: string) => {
    for (const name of readdirSync(at).sort()) {
      const path = join(at, name);
      if (statSync(path).isDirectory()) walk(path, `${prefix}${name}/`);
      else hash.update(`${prefix}${name}\0`).update(readFileSync(path)).update('\0');
    }
  };
  walk(dir, '');
  return hash.digest('hex');
}

export type VariableChange = { name: string; change: 'set' | 'generated' | 'removed' };

export interface FunctionPlan {
  name: string;
  handler: string;
  runtime: string;
  timeout: number;
  memorySize: number;
  installDependency: boolean;
  /** The bundle's fingerprint (bundleSha256), sent as the function's Description. */
  bundleSha256: string;
  /** Every variable the function holds after the deploy, exactly as sent. */
  variables: Record<string, string>;
  /** What differs from online, for the plan lines. */
  variableChanges: VariableChange[];
  /** From the function's config.json: the one source of triggers. */
  triggers: TriggerConfig[];
  /** config.json permissions.openapi: applied only by a DevTools upload. */
  openapi: string[];
  /** create: not online; update: code or configuration differ; unchanged: nothing to send. */
  code: 'create' | 'update' | 'unchanged';
  /** The bundle differs from the one online (or there is none): its code identity must move. */
  newBundle: boolean;
  /** Whether the variables must be set (they differ from online). */
  setVariables: boolean;
  /** Timer triggers to delete (changed or no longer declared) and to create. */
  triggersToDelete: string[];
  triggersToCreate: TriggerConfig[];
}

/** The parts of SCF GetFunction's answer the deploy reads. */
export interface FunctionDetail {
  Runtime?: string;
  Handler?: string;
  Timeout?: number;
  MemorySize?: number;
  Status?: string;
  Description?: string;
  CodeSize?: number;
  ModTime?: string;
  Environment?: { Variables?: Array<{ Key: string; Value: string }> };
  Triggers?: Array<{ TriggerName?: string; Type?: string; TriggerDesc?: string }>;
}

/** What identifies the code online: GetFunctionAddress's CodeSha256, with GetFunction's size and time. */
export interface CodeIdentity {
  sha256: string;
  size: number;
  modTime: string;
}

export function onlineVariables(detail: FunctionDetail | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { Key, Value } of detail?.Environment?.Variables ?? []) if (Key) out[Key] = Value ?? '';
  return out;
}

const bytesOf = (variables: Record<string, string>) =>
  Object.entries(variables).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);

/** The variables the function holds after the deploy, what changes, and what is wrong. */
export function planVariables(
  fn: { name: string; declared: string[] },
  local: NodeJS.ProcessEnv,
  online: Record<string, string>,
): { variables: Record<string, string>; changes: VariableChange[]; problems: string[] } {
  const variables: Record<string, string> = { ...online };
  const changes: VariableChange[] = [];
  for (const name of fn.declared) {
    const value = local[name];
    if (value === '') {
      if (name in variables) {
        delete variables[name];
        changes.push({ name, change: 'removed' });
      }
    } else if (value !== undefined && value.trim()) {
      if (!(name in online) || decodeEnvValue(online[name]!) !== value) {
        variables[name] = encodeEnvValue(value);
        changes.push({ name, change: 'set' });
      }
    } else if (!(name in variables) && GENERATED[name]) {
      variables[name] = GENERATED[name]!();
      changes.push({ name, change: 'generated' });
    }
  }
  // An empty value online is never kept: it would read as "set" and mean nothing.
  for (const [name, value] of Object.entries(variables))
    if (!value.trim()) {
      delete variables[name];
      changes.push({ name, change: 'removed' });
    }
  const problems = credentialProblems(fn, (n) => n in variables, 'in .env and online');
  const bytes = bytesOf(variables);
  if (bytes > VARIABLES_LIMIT_BYTES)
    problems.push(
      `function "${fn.name}": its variables take ${bytes} bytes, over SCF's limit of ${VARIABLES_LIMIT_BYTES} (names and values together); shorten the largest (${largest(variables)})`,
    );
  return { variables, changes, problems };
}

function largest(variables: Record<string, string>): string {
  return Object.entries(variables)
    .sort(([a, x], [b, y]) => b.length + y.length - (a.length + x.length))
    .slice(0, 2)
    .map(([k, v]) => `${k}: ${Buffer.byteLength(k) + Buffer.byteLength(v)} bytes`)
    .join(', ');
}

/** A credential pair with one half set and the other empty: refused, naming both. */
export function credentialProblems(fn: { name: string; declared: string[] }, has: (name: string) => boolean, where: string): string[] {
  const problems: string[] = [];
  for (const [id, secret] of CREDENTIAL_PAIRS) {
    if (!fn.declared.includes(id) || !fn.declared.includes(secret)) continue;
    if (has(id) && !has(secret))
      problems.push(
        `function "${fn.name}": ${secret} is empty (${where}) while ${id} is set; set ${secret} in .env (it is never sent empty)`,
      );
    if (has(secret) && !has(id))
      problems.push(`function "${fn.name}": ${id} is empty (${where}) while ${secret} is set; set ${id} in .env`);
  }
  return problems;
}

/** How a timer trigger reads online: SCF answers TriggerDesc as the cron itself or as `{"cron":"…"}`. */
export function cronOf(desc: string | undefined): string {
  try {
    const parsed = JSON.parse(desc ?? '') as { cron?: unknown };
    if (parsed && typeof parsed.cron === 'string') return parsed.cron.trim();
  } catch {
    /* a plain cron expression */
  }
  return (desc ?? '').trim();
}

/** Timer triggers to delete and create so that online matches config.json; empty when they agree. */
export function planTriggers(declared: TriggerConfig[], online: FunctionDetail['Triggers']): { remove: string[]; create: TriggerConfig[] } {
  const timers = (online ?? []).filter((t) => t.Type === 'timer');
  const remove: string[] = [];
  const create: TriggerConfig[] = [];
  for (const t of timers) {
    const want = declared.find((d) => d.name === t.TriggerName);
    if (!want || cronOf(t.TriggerDesc) !== want.config.trim()) remove.push(t.TriggerName ?? '');
  }
  for (const d of declared) if (!timers.some((t) => t.TriggerName === d.name && !remove.includes(d.name))) create.push(d);
  return { remove, create };
}

export function functionPlan(
  fn: FunctionConfig,
  built: { config: { permissions?: { openapi?: string[] }; triggers?: TriggerConfig[] } | null; sha256: string },
  declared: string[],
  local: NodeJS.ProcessEnv,
  online: FunctionDetail | null,
): { plan: FunctionPlan; problems: string[] } {
  const current = onlineVariables(online);
  const { variables, changes, problems } = planVariables({ name: fn.name, declared }, local, current);
  const triggers = built.config?.triggers ?? [];
  const plan: FunctionPlan = {
    name: fn.name,
    handler: fn.handler,
    runtime: fn.runtime,
    timeout: fn.timeout ?? 3,
    memorySize: fn.memorySize ?? 256,
    installDependency: fn.installDependency ?? false,
    bundleSha256: built.sha256,
    variables,
    variableChanges: changes,
    triggers,
    openapi: built.config?.permissions?.openapi ?? [],
    code: 'create',
    newBundle: true,
    setVariables: Object.keys(variables).length > 0,
    triggersToDelete: [],
    triggersToCreate: triggers,
  };
  if (online) {
    // SCF keeps a function's runtime for life; the CLI never sends Runtime on an update.
    if (online.Runtime && online.Runtime !== fn.runtime)
      problems.push(
        `function "${fn.name}" runs ${online.Runtime} online, not ${fn.runtime}, and a runtime cannot be changed by a deploy: delete ${fn.name} in the console (云开发 → 云函数 → ${fn.name} → 删除; its variables and triggers go with it, note them first), then deploy again`,
      );
    const configDiffers =
      online.Handler !== plan.handler ||
      online.Timeout !== plan.timeout ||
      online.MemorySize !== plan.memorySize ||
      online.Status !== 'Active';
    plan.newBundle = fingerprintOf(online.Description) !== built.sha256;
    plan.code = plan.newBundle || configDiffers ? 'update' : 'unchanged';
    plan.setVariables = JSON.stringify(Object.entries(variables).sort()) !== JSON.stringify(Object.entries(current).sort());
    const t = planTriggers(triggers, online.Triggers);
    plan.triggersToDelete = t.remove;
    plan.triggersToCreate = t.create;
  }
  return { plan, problems };
}

/**
 * The config file the CLI is given: code and basic configuration only (no variables,
 * no triggers, no fingerprint: the deploy writes that once the new code is proven online).
 */
export function tcbConfig(envId: string, functionRoot: string, plans: FunctionPlan[], region?: string): object {
  return {
    version: '2.0',
    envId,
    ...(region ? { region } : {}),
    functionRoot,
    functions: plans.map((p) => ({
      name: p.name,
      handler: p.handler,
      runtime: p.runtime,
      timeout: p.timeout,
      memorySize: p.memorySize,
      installDependency: p.installDependency,
    })),
  };
}

/** Differences between what was deployed and what the cloud reports; empty when they agree. */
export function compareFunction(plan: FunctionPlan, detail: FunctionDetail | null): string[] {
  const where = `function "${plan.name}"`;
  if (!detail) return [`${where} is not in the environment after the deploy`];
  const problems: string[] = [];
  const expect = (field: string, want: unknown, got: unknown) => {
    if (want !== got) problems.push(`${where}: ${field} is ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
  };
  expect('runtime', plan.runtime, detail.Runtime);
  expect('handler', plan.handler, detail.Handler);
  expect('timeout', plan.timeout, detail.Timeout);
  expect('memory', plan.memorySize, detail.MemorySize);
  if (fingerprintOf(detail.Description) !== plan.bundleSha256) problems.push(`${where}: the bundle fingerprint online is not this build's`);
  if (detail.Status !== undefined && detail.Status !== 'Active') problems.push(`${where}: status is ${detail.Status}, expected Active`);
  const online = onlineVariables(detail);
  for (const [name, value] of Object.entries(plan.variables)) {
    if (!(name in online)) problems.push(`${where}: variable ${name} is missing`);
    else if (online[name] !== value) problems.push(`${where}: variable ${name} does not hold the value sent`);
  }
  for (const name of Object.keys(online))
    if (!(name in plan.variables)) problems.push(`${where}: variable ${name} should have been removed`);
  const { remove, create } = planTriggers(plan.triggers, detail.Triggers);
  for (const name of remove) problems.push(`${where}: timer trigger "${name}" online is not as in config.json`);
  for (const t of create) problems.push(`${where}: timer trigger "${t.name}" ("${t.config}") is missing`);
  const dup = (detail.Triggers ?? []).filter((t, i, all) => all.findIndex((o) => o.TriggerName === t.TriggerName) !== i);
  for (const t of dup) problems.push(`${where}: timer trigger "${t.TriggerName}" exists more than once`);
  return problems;
}

/**
 * The proof that code shipped: after an upload, the package online must be another
 * one than before (CodeSha256), else the upload did not take.
 */
export function codeMoved(name: string, before: CodeIdentity | null, after: CodeIdentity | null): string[] {
  if (!after?.sha256) return [`function "${name}": no code package online after the upload`];
  if (before && before.sha256 === after.sha256)
    return [
      `function "${name}": the code online is still the package from before this deploy (CodeSha256 ${after.sha256.slice(0, 12)}…, ${after.size} bytes, modified ${after.modTime}): the new code did not ship`,
    ];
  return [];
}

/** DescribeSafeRule's answer against the rule applied. */
export function compareRule(collection: string, rule: object, described: { AclTag?: string; Rule?: string } | null): string[] {
  const where = `rules of "${collection}"`;
  if (!described) return [`${where}: not readable after applying`];
  if (described.AclTag !== 'CUSTOM') return [`${where}: AclTag is ${JSON.stringify(described.AclTag)}, expected "CUSTOM"`];
  let online: unknown;
  try {
    online = JSON.parse(described.Rule ?? '');
  } catch {
    return [`${where}: the rule online is not JSON`];
  }
  return canonical(online) === canonical(rule) ? [] : [`${where}: online ${JSON.stringify(online)}, expected ${JSON.stringify(rule)}`];
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** An HTTP access route as `DescribeCloudBaseGWAPI` (manager-node `access.getAccessList`) lists it. */
export interface LiveHttpRoute {
  APIId?: string;
  Path?: string;
  /** 1: a cloud function. */
  Type?: number;
  /** The function's name, for Type 1. */
  Name?: string;
  EnableAuth?: boolean;
}

/**
 * An HTTP access route read back against what it must be: the path to the function,
 * exactly once, without path authentication (WeChat's pushes carry no CloudBase login),
 * with the environment's HTTP access service on. Empty when they agree.
 */
export function compareHttpRoute(
  route: { path: string; fn: string },
  listed: { APISet?: LiveHttpRoute[]; EnableService?: boolean } | null,
): string[] {
  const where = `HTTP access path "${route.path}"`;
  const found = (listed?.APISet ?? []).filter((a) => a.Path === route.path);
  const problems: string[] = [];
  if (listed?.EnableService === false)
    problems.push(
      `HTTP access (HTTP 访问服务) is switched off for the environment: switch it on in the console (云开发 → HTTP 访问服务), then deploy again`,
    );
  if (found.length === 0) return [...problems, `${where} does not exist`];
  if (found.length > 1) return [...problems, `${where} exists ${found.length} times`];
  const api = found[0]!;
  if (api.Type !== 1 || api.Name !== route.fn)
    problems.push(
      `${where} leads to ${api.Type === 1 ? `function "${api.Name}"` : `a non-function target (type ${api.Type})`}, not function "${route.fn}"`,
    );
  if (api.EnableAuth)
    problems.push(`${where} requires CloudBase authentication, so WeChat's pushes would be refused before reaching "${route.fn}"`);
  return problems;
}
