/**
 * What `npm run deploy` sends and how it checks what the cloud answers, as pure
 * functions (unit-tested; scripts/deploy.ts runs them against the CLI and manager-node).
 *
 * Variables: each function gets what is online, overlaid with every declared variable
 * set locally (.env or the environment). A value is never sent empty: an unset variable
 * keeps its online value or stays absent. Values go through `encodeEnvValue` because
 * the CLI pastes them into JSON text and turns JSON-object strings into objects.
 */
import { randomBytes } from 'node:crypto';
import { decodeEnvValue, encodeEnvValue } from '../../cloudfunctions/_shared/config';
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

export type VariableSource = 'local' | 'online' | 'generated';

export interface FunctionPlan {
  name: string;
  handler: string;
  runtime: string;
  timeout: number;
  memorySize: number;
  installDependency: boolean;
  /** Exactly what is sent (encoded), never an empty value. */
  variables: Record<string, string>;
  sources: Record<string, VariableSource>;
  /** From the function's config.json: the one source of triggers. */
  triggers: TriggerConfig[];
  /** config.json permissions.openapi: applied only by a DevTools upload. */
  openapi: string[];
}

/** The parts of SCF GetFunction's answer the deploy reads. */
export interface FunctionDetail {
  Runtime?: string;
  Handler?: string;
  Timeout?: number;
  MemorySize?: number;
  Status?: string;
  Environment?: { Variables?: Array<{ Key: string; Value: string }> };
  Triggers?: Array<{ TriggerName?: string; Type?: string; TriggerDesc?: string }>;
}

export function onlineVariables(detail: FunctionDetail | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { Key, Value } of detail?.Environment?.Variables ?? []) if (Key) out[Key] = Value ?? '';
  return out;
}

/**
 * The variables to send: online ones kept (re-encoded, so a raw JSON value typed in
 * the console survives the CLI too), declared ones set locally laid over them,
 * generated ones filled in. Problems: a required credential that ends up empty.
 */
export function planVariables(
  fn: { name: string; declared: string[] },
  local: NodeJS.ProcessEnv,
  online: Record<string, string>,
): { variables: Record<string, string>; sources: Record<string, VariableSource>; problems: string[] } {
  const variables: Record<string, string> = {};
  const sources: Record<string, VariableSource> = {};
  for (const [name, value] of Object.entries(online)) {
    const plain = decodeEnvValue(value);
    if (plain.trim()) {
      variables[name] = encodeEnvValue(plain);
      sources[name] = 'online';
    }
  }
  for (const name of fn.declared) {
    const value = local[name];
    if (value !== undefined && value.trim()) {
      variables[name] = encodeEnvValue(value);
      sources[name] = 'local';
    } else if (!(name in variables) && GENERATED[name]) {
      variables[name] = GENERATED[name]!();
      sources[name] = 'generated';
    }
  }
  const problems: string[] = [];
  for (const [id, secret] of CREDENTIAL_PAIRS) {
    if (!fn.declared.includes(id) || !fn.declared.includes(secret)) continue;
    const has = (n: string) => n in variables;
    if (has(id) && !has(secret))
      problems.push(
        `function "${fn.name}": ${secret} is empty (in .env and online) while ${id} is set; set ${secret} in .env (it is never sent empty)`,
      );
    if (has(secret) && !has(id))
      problems.push(`function "${fn.name}": ${id} is empty (in .env and online) while ${secret} is set; set ${id} in .env`);
  }
  return { variables, sources, problems };
}

export function functionPlan(
  fn: FunctionConfig,
  builtConfig: { permissions?: { openapi?: string[] }; triggers?: TriggerConfig[] } | null,
  declared: string[],
  local: NodeJS.ProcessEnv,
  online: Record<string, string>,
): { plan: FunctionPlan; problems: string[] } {
  const { variables, sources, problems } = planVariables({ name: fn.name, declared }, local, online);
  return {
    plan: {
      name: fn.name,
      handler: fn.handler,
      runtime: fn.runtime,
      timeout: fn.timeout ?? 3,
      memorySize: fn.memorySize ?? 256,
      installDependency: fn.installDependency ?? false,
      variables,
      sources,
      triggers: builtConfig?.triggers ?? [],
      openapi: builtConfig?.permissions?.openapi ?? [],
    },
    problems,
  };
}

/** The config file the CLI is given: values filled, nothing for it to substitute. */
export function tcbConfig(envId: string, functionRoot: string, plans: FunctionPlan[]): object {
  return {
    version: '2.0',
    envId,
    functionRoot,
    functions: plans.map((p) => ({
      name: p.name,
      handler: p.handler,
      runtime: p.runtime,
      timeout: p.timeout,
      memorySize: p.memorySize,
      installDependency: p.installDependency,
      envVariables: p.variables,
      ...(p.triggers.length ? { triggers: p.triggers } : {}),
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
  if (detail.Status !== undefined && detail.Status !== 'Active') problems.push(`${where}: status is ${detail.Status}, expected Active`);
  const online = onlineVariables(detail);
  for (const [name, value] of Object.entries(plan.variables)) {
    if (!(name in online)) problems.push(`${where}: variable ${name} is missing`);
    else if (online[name] !== value) problems.push(`${where}: variable ${name} does not hold the value sent`);
  }
  for (const [name, value] of Object.entries(online)) if (!value.trim()) problems.push(`${where}: variable ${name} is empty`);
  const triggers = (detail.Triggers ?? []).filter((t) => t.Type === 'timer');
  for (const t of plan.triggers) {
    const found = triggers.filter((d) => d.TriggerName === t.name);
    if (found.length === 0) problems.push(`${where}: timer trigger "${t.name}" is missing`);
    else if (found.length > 1) problems.push(`${where}: timer trigger "${t.name}" exists ${found.length} times`);
    else if (!(found[0]!.TriggerDesc ?? '').includes(t.config))
      problems.push(`${where}: timer trigger "${t.name}" is "${found[0]!.TriggerDesc}", expected "${t.config}"`);
  }
  for (const d of triggers)
    if (!plan.triggers.some((t) => t.name === d.TriggerName))
      problems.push(`${where}: timer trigger "${d.TriggerName}" is online but not in config.json`);
  return problems;
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
