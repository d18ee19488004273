/**
 * `npm run doctor`: is the deployed environment able to do its job? In plain words:
 * whether phone login's exchange works (and by which path), which variables are set,
 * that the collections and their rules exist, the timer trigger, and the HTTP access
 * path WeChat pushes the provider's results to.
 *
 *   npm run doctor                      the live environment (TCB_ENV_ID + Tencent Cloud keys)
 *   npm run doctor -- --emulator [URL]  an emulator (default http://127.0.0.1:$CLOUDBASE_EMULATOR_PORT or 9100)
 *
 * The exchange check calls auth's protected route `doctor` (cloudfunctions/auth/doctor.ts)
 * with DOCTOR_KEY: from .env or the environment, else (live) read from auth's own
 * configuration with the Tencent Cloud keys. Its probe uses a dummy code, which WeChat
 * refuses (40029) without any charge. `npm run deploy` runs the same checks last.
 * Exit 1 when anything is wrong.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { decodeEnvValue } from '../cloudfunctions/_shared/runtime/config';
import type { DoctorAnswer } from '../cloudfunctions/auth/doctor';
import {
  declaredVariables,
  httpRoutes,
  loadDotEnv,
  PROJECT_ROOT,
  readCloudbaseRc,
  type HttpRoute,
  type TriggerConfig,
} from './lib/cloudbaserc';
import { compareHttpRoute, compareRule, onlineVariables } from './lib/deploy-plan';
import type { DeployManager } from './deploy';
import { planIndexes, type IndexSpec } from './lib/indexes';
import { connectManager } from './lib/manager';
import { loadIndexDir } from '../packages/cloudbase-emulator/src/store/indexes';
import { emulatorVariable } from '../packages/cloudbase-emulator/src/variables';

export interface CheckResult {
  check: string;
  /** null: not checked here (said why in detail). */
  ok: boolean | null;
  detail: string;
}

export interface DoctorReport {
  target: string;
  ok: boolean;
  results: CheckResult[];
}

/** What the project expects online, from the files as written (no build needed). */
export interface Expectations {
  functions: Array<{ name: string; declared: string[] }>;
  collections: string[];
  rules: Array<{ collection: string; rule: object }>;
  timers: Array<{ fn: string; trigger: TriggerConfig }>;
  /** HTTP access paths (cloudbaserc.json `httpPaths`). */
  httpRoutes: HttpRoute[];
  /** database-indexes/, per collection. */
  indexes: Record<string, IndexSpec[]>;
}

export function expectations(root = PROJECT_ROOT): Expectations {
  const rc = readCloudbaseRc(root);
  const rulesDir = join(root, 'database-rules');
  const rules = readdirSync(rulesDir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ collection: f.slice(0, -5), rule: JSON.parse(readFileSync(join(rulesDir, f), 'utf8')) as object }));
  const timers: Expectations['timers'] = [];
  for (const fn of rc.functions) {
    const path = join(root, 'cloudfunctions', fn.name, 'config.json');
    const config = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as { triggers?: TriggerConfig[] }) : {};
    for (const trigger of config.triggers ?? []) if (trigger.type === 'timer') timers.push({ fn: fn.name, trigger });
  }
  return {
    functions: rc.functions.map((fn) => ({ name: fn.name, declared: declaredVariables(fn) })),
    collections: rules.map((r) => r.collection),
    rules,
    timers,
    httpRoutes: httpRoutes(rc),
    indexes: loadIndexDir(root).byCollection,
  };
}

export interface DoctorTarget {
  description: string;
  /**
   * How auth is reached: "api" is SCF Invoke with the Tencent Cloud keys, which is not a
   * mini program call, so a refused cloud call there says nothing about phone login.
   */
  via?: 'api';
  expected: Expectations;
  /** The diagnostic key and where it came from, or why there is none. */
  key(): Promise<{ key: string; from: string } | { key: null; why: string }>;
  /** What to try when auth refuses the key (a redeploy live; a restart of npm start locally). */
  refusedKeyHint: string;
  /** Calls auth as a server (no OPENID) and answers its envelope. */
  callAuth(event: Record<string, unknown>): Promise<unknown>;
  /** Names of the variables set on a function, or null when this target cannot tell. */
  variablesOf(fn: string): Promise<string[] | null>;
  checkTimer(fn: string, trigger: TriggerConfig): Promise<CheckResult>;
  checkRule(collection: string, rule: object): Promise<CheckResult>;
  checkHttpRoute(route: HttpRoute): Promise<CheckResult>;
  /** The collection's declared indexes against what is online. */
  checkIndexes(collection: string, declared: IndexSpec[]): Promise<CheckResult>;
}

const ERRCODE_MEANING: Record<number, string> = {
  40001: 'the access token was refused',
  40013: 'WECHAT_APPID is not a valid AppID',
  40125: 'WECHAT_APPSECRET is wrong',
  40164: "the calling IP is not on the mini program's API IP whitelist",
  41002: 'WECHAT_APPID is missing',
  48001: 'the API is not authorised for this mini program (is it a verified, non-personal account?)',
  [-1]: 'WeChat was busy',
  [-2]: 'WeChat did not answer in time',
  [-604101]: 'no cloud-call permission',
};
/** CloudBase's own codes (≤ -500000) keep their value: the call broke before or after WeChat, which may not have answered. */
const meaningOf = (errcode: number) =>
  ERRCODE_MEANING[errcode] ?? (errcode <= -500000 ? 'a CloudBase error, not an answer from WeChat' : undefined);
const meaning = (errcode: number | null) => (errcode === null ? '' : `${errcode}${meaningOf(errcode) ? ` (${meaningOf(errcode)})` : ''}`);

const DEVTOOLS_CONFIRM =
  "Confirm from WeChat DevTools: upload auth (right-click build/cloudfunctions/auth → 上传并部署), tap the phone button in the simulator, and look for the bindPhone call in auth's log (云开发 → 云函数 → auth → 日志); or set WECHAT_APPID/WECHAT_APPSECRET, which this doctor can check.";

/** The phone-exchange verdict in plain words. */
export function describeExchange(answer: DoctorAnswer['exchange'], via?: DoctorTarget['via']): CheckResult {
  const { cloudCall, https } = answer;
  const check = 'phone login (code exchange)';
  if (cloudCall.verdict === 'works')
    return {
      check,
      ok: true,
      detail:
        'works through the cloud call: auth has the phonenumber.getPhoneNumber permission (uploaded from DevTools).' +
        (https.verdict === 'works' ? ' The HTTPS fallback works too.' : ''),
    };
  if (https.verdict === 'works') {
    return {
      check,
      ok: true,
      detail: `works over HTTPS: the cloud call is refused (${meaning(cloudCall.errcode)}: auth was deployed by the CLI), so auth exchanges codes with WECHAT_APPID/WECHAT_APPSECRET and the stable token.`,
    };
  }
  if (via === 'api' && https.verdict !== 'failed')
    return {
      check,
      ok: null,
      detail: `cannot tell from here: the doctor reaches auth through SCF Invoke, which is not a mini program call, so the cloud call's answer (${meaning(cloudCall.errcode)}) says nothing about phone login in the mini program${https.verdict === 'not-configured' ? `, and there is no HTTPS fallback to check (${https.reason ?? 'WECHAT_APPID/WECHAT_APPSECRET not set'})` : ''}. ${DEVTOOLS_CONFIRM}`,
    };
  const cloudPart =
    cloudCall.verdict === 'no-permission'
      ? 'auth has no cloud-call permission (-604101: deployed by the CLI, never uploaded from DevTools)'
      : `the cloud call failed with ${meaning(cloudCall.errcode)}`;
  const httpsPart =
    https.verdict === 'not-configured'
      ? `there is no HTTPS fallback (${https.reason ?? 'WECHAT_APPID/WECHAT_APPSECRET not set'})`
      : `the HTTPS fallback failed with ${meaning(https.errcode)}`;
  const fix =
    cloudCall.verdict === 'no-permission'
      ? ' Fix: upload auth once from WeChat DevTools (right-click build/cloudfunctions/auth → 上传并部署), or set WECHAT_APPID and WECHAT_APPSECRET in .env and run npm run deploy again.'
      : '';
  return { check, ok: false, detail: `does NOT work: ${cloudPart}, and ${httpsPart}.${fix}` };
}

export async function runDoctor(target: DoctorTarget): Promise<DoctorReport> {
  const results: CheckResult[] = [];
  const { expected } = target;
  const auth = expected.functions.find((f) => f.name === 'auth');
  const key = await target.key();
  let answer: DoctorAnswer | null = null;
  if (!auth) results.push({ check: 'phone login (code exchange)', ok: false, detail: 'cloudbaserc.json has no auth function.' });
  else if (key.key === null) results.push({ check: 'phone login (code exchange)', ok: false, detail: `cannot ask auth: ${key.why}` });
  else {
    try {
      const envelope = (await target.callAuth({
        $url: 'doctor',
        key: key.key,
        variables: auth.declared,
        collections: expected.collections,
      })) as { ok: boolean; data?: DoctorAnswer; error?: { code: string; message: string } };
      if (envelope?.ok && envelope.data) answer = envelope.data;
      else
        results.push({
          check: 'phone login (code exchange)',
          ok: false,
          detail: `auth's diagnostic route refused (${envelope?.error?.code ?? 'no answer'}: ${envelope?.error?.message ?? JSON.stringify(envelope)}); the key came from ${key.from}. ${target.refusedKeyHint}`,
        });
    } catch (err) {
      results.push({ check: 'phone login (code exchange)', ok: false, detail: `calling auth failed: ${(err as Error).message}` });
    }
  }
  if (answer) results.push(describeExchange(answer.exchange, target.via));

  for (const fn of expected.functions) {
    const set =
      fn.name === 'auth' && answer
        ? fn.declared.filter((n) => answer!.variables[n])
        : await target.variablesOf(fn.name).then((names) => (names === null ? null : fn.declared.filter((n) => names.includes(n))));
    if (set === null) {
      results.push({ check: `variables of ${fn.name}`, ok: null, detail: 'not readable here (the emulator passes its own environment).' });
      continue;
    }
    const unset = fn.declared.filter((n) => !set.includes(n));
    results.push({
      check: `variables of ${fn.name}`,
      ok: true,
      detail: `set: ${set.join(', ') || 'none'}${unset.length ? `; unset (defaults apply): ${unset.join(', ')}` : ''}`,
    });
  }

  if (answer) {
    const missing = expected.collections.filter((c) => !answer!.collections[c]);
    results.push({
      check: 'collections',
      ok: missing.length === 0,
      detail: missing.length ? `missing: ${missing.join(', ')} (npm run deploy creates them)` : `all ${expected.collections.length} exist`,
    });
  } else results.push({ check: 'collections', ok: null, detail: 'not checked: auth did not answer.' });

  for (const { collection, rule } of expected.rules) results.push(await target.checkRule(collection, rule));
  for (const { fn, trigger } of expected.timers) results.push(await target.checkTimer(fn, trigger));
  for (const route of expected.httpRoutes ?? []) results.push(await target.checkHttpRoute(route));
  for (const [collection, declared] of Object.entries(expected.indexes ?? {}))
    if (declared.length) results.push(await target.checkIndexes(collection, declared));
  return { target: target.description, ok: results.every((r) => r.ok !== false), results };
}

export function printReport(report: DoctorReport, write: (line: string) => void = (l) => console.log(l)): void {
  write(`Doctor for ${report.target}:`);
  // Rules that agree are summed up in one line; everything else is shown.
  const rulesOk = report.results.filter((r) => r.check.startsWith('rules of') && r.ok === true);
  for (const r of report.results) {
    if (rulesOk.includes(r)) continue;
    write(`  ${r.ok === true ? '✓' : r.ok === false ? '✗' : '–'} ${r.check}: ${r.detail}`);
  }
  if (rulesOk.length) write(`  ✓ rules: ${rulesOk.length} collection(s) as in database-rules/`);
  write(report.ok ? 'Everything checked is in order.' : 'Problems found (✗ above).');
}

/** The live environment, through manager-node (Tencent Cloud keys from the environment). */
export function liveTarget(manager: DeployManager, envId: string, env: NodeJS.ProcessEnv, expected = expectations()): DoctorTarget {
  const details = new Map<string, Promise<Awaited<ReturnType<DeployManager['functions']['getFunctionDetail']>> | null>>();
  const detail = (name: string) => {
    if (!details.has(name))
      details.set(
        name,
        manager.functions.getFunctionDetail(name).catch(() => null),
      );
    return details.get(name)!;
  };
  return {
    description: `environment ${envId}`,
    via: 'api',
    expected,
    async key() {
      if (env.DOCTOR_KEY?.trim()) return { key: env.DOCTOR_KEY.trim(), from: 'DOCTOR_KEY in .env' };
      const online = onlineVariables(await detail('auth')).DOCTOR_KEY;
      return online
        ? { key: decodeEnvValue(online), from: "auth's configuration" }
        : { key: null, why: 'DOCTOR_KEY is neither in .env nor set on auth (npm run deploy sets one)' };
    },
    refusedKeyHint: 'Is this auth deployed from this version, with the DOCTOR_KEY in .env? npm run deploy sets it.',
    async callAuth(event) {
      const res = await manager.functions.invokeFunction('auth', event);
      if (res.InvokeResult !== undefined && res.InvokeResult !== 0) throw new Error(`auth failed: ${res.ErrMsg ?? 'no message'}`);
      return JSON.parse(res.RetMsg ?? 'null');
    },
    async variablesOf(fn) {
      const d = await detail(fn);
      return d
        ? Object.entries(onlineVariables(d))
            .filter(([, v]) => v.trim())
            .map(([k]) => k)
        : [];
    },
    async checkTimer(fn, trigger) {
      const check = `timer ${fn}/${trigger.name}`;
      const d = await detail(fn);
      if (!d) return { check, ok: false, detail: `function ${fn} is not deployed.` };
      const found = (d.Triggers ?? []).filter((t) => t.TriggerName === trigger.name);
      if (found.length !== 1)
        return {
          check,
          ok: false,
          detail: found.length ? `exists ${found.length} times` : 'missing (npm run deploy creates it from config.json)',
        };
      return (found[0]!.TriggerDesc ?? '').includes(trigger.config)
        ? { check, ok: true, detail: `"${trigger.config}"` }
        : { check, ok: false, detail: `is "${found[0]!.TriggerDesc}", expected "${trigger.config}"` };
    },
    async checkRule(collection, rule) {
      const check = `rules of ${collection}`;
      try {
        const described = (await manager
          .commonService()
          .call({ Action: 'DescribeSafeRule', Param: { EnvId: envId, CollectionName: collection } })) as { AclTag?: string; Rule?: string };
        const problems = compareRule(collection, rule, described);
        return { check, ok: problems.length === 0, detail: problems.join('; ') || 'as in database-rules/' };
      } catch (err) {
        return { check, ok: false, detail: `not readable: ${(err as Error).message}` };
      }
    },
    async checkHttpRoute(route) {
      const check = `HTTP access ${route.path}`;
      if (!onlineVariables(await detail(route.fn)).PROVIDER_PUSH_TOKEN?.trim())
        return {
          check,
          ok: null,
          detail: `not needed: PROVIDER_PUSH_TOKEN is not set on ${route.fn} (provider pushes are not configured)`,
        };
      try {
        const problems = compareHttpRoute(route, await manager.access.getAccessList({ path: route.path }));
        if (problems.length)
          return {
            check,
            ok: false,
            detail: `${problems.join('; ')} (npm run deploy creates it); WeChat's pushes cannot reach ${route.fn}, so results settle only by polling.`,
          };
        const domain = (await manager.access.getDomainList()).DefaultDomain;
        return {
          check,
          ok: true,
          detail: `→ ${route.fn}, no path auth${domain ? `: https://${domain}${route.path} is the URL for the service platform's 开发设置 → 消息推送` : ''}`,
        };
      } catch (err) {
        return { check, ok: false, detail: `not readable: ${(err as Error).message}` };
      }
    },
    async checkIndexes(collection, declared) {
      const check = `indexes of ${collection}`;
      try {
        const plan = planIndexes(collection, declared, (await manager.database.describeCollection(collection)).Indexes ?? []);
        const problems = [
          ...(plan.create.length
            ? [
                `missing: ${plan.create.map((c) => c.name).join(', ')} (npm run deploy creates them; until then these queries scan the collection and time out as it grows)`,
              ]
            : []),
          ...plan.differing.map((d) => `${d.name} is ${d.live} online, declared ${d.declared}`),
        ];
        const extra = plan.undeclared.length ? `; online but not declared: ${plan.undeclared.join(', ')}` : '';
        return {
          check,
          ok: problems.length === 0,
          detail: (problems.join('; ') || `all ${declared.length} as in database-indexes/`) + extra,
        };
      } catch (err) {
        return { check, ok: false, detail: `not readable: ${(err as Error).message}` };
      }
    },
  };
}

async function postJson(url: string, body: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(20_000),
  });
  return { status: res.status, json: await res.json().catch(() => null) };
}

/** An emulator (`npm start`), through its HTTP API. */
export function emulatorTarget(url: string, env: NodeJS.ProcessEnv, expected = expectations()): DoctorTarget {
  const base = url.replace(/\/+$/, '');
  return {
    description: `the emulator at ${base}`,
    expected,
    async key() {
      return env.DOCTOR_KEY?.trim()
        ? { key: env.DOCTOR_KEY.trim(), from: 'DOCTOR_KEY in .env' }
        : { key: null, why: 'DOCTOR_KEY is not set: put it in .env, restart npm start (which passes it to auth) and run again' };
    },
    // auth's variables are fixed when npm start starts its containers: an edit of .env needs a restart.
    refusedKeyHint: 'npm start gives auth the DOCTOR_KEY it read when it started: after adding or changing it in .env, restart npm start.',
    async callAuth(event) {
      // No OPENID: a server-side call, as the live doctor's Invoke is.
      const { status, json } = await postJson(`${base}/v1/functions/auth/invoke`, { data: event, context: {} });
      if (status !== 200) throw new Error(`HTTP ${status}: ${JSON.stringify(json)}`);
      return (json as { result: unknown }).result;
    },
    async variablesOf() {
      return null;
    },
    async checkTimer(fn, trigger) {
      const check = `timer ${fn}/${trigger.name}`;
      const res = await fetch(`${base}/v1/health`, { signal: AbortSignal.timeout(5000) });
      const health = (await res.json()) as { functions?: string[] };
      return health.functions?.includes(fn)
        ? {
            check,
            ok: true,
            detail: `"${trigger.config}" from config.json (the emulator fires it only on POST /v1/functions/${fn}/triggers/${trigger.name})`,
          }
        : { check, ok: false, detail: `function ${fn} is not running in the emulator` };
    },
    async checkRule(collection) {
      return {
        check: `rules of ${collection}`,
        ok: null,
        detail: 'not checked: the emulator does not enforce security rules (functions bypass them on CloudBase too).',
      };
    },
    async checkIndexes(collection, declared) {
      return {
        check: `indexes of ${collection}`,
        ok: true,
        detail: `${declared.length} from database-indexes/ (the emulator plans its queries against the files themselves)`,
      };
    },
    async checkHttpRoute(route) {
      // An unsigned GET: the function refuses it (403/503); only a missing route is 404.
      const check = `HTTP access ${route.path}`;
      const res = await fetch(`${base}/http${route.path}`, { signal: AbortSignal.timeout(20_000) });
      await res.arrayBuffer();
      return res.status === 404
        ? { check, ok: false, detail: `no route to ${route.fn} in the emulator (CLOUDBASE_EMULATOR_HTTP_ACCESS)` }
        : { check, ok: true, detail: `${base}/http${route.path} reaches ${route.fn} (an unsigned request is answered ${res.status})` };
    },
  };
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ options: { emulator: { type: 'boolean', default: false } }, allowPositionals: true });
  loadDotEnv();
  let target: DoctorTarget;
  if (values.emulator) {
    target = emulatorTarget(positionals[0] ?? `http://127.0.0.1:${emulatorVariable('CLOUDBASE_EMULATOR_PORT') ?? '9100'}`, process.env);
  } else {
    const missing = ['TCB_ENV_ID', 'TENCENTCLOUD_SECRETID', 'TENCENTCLOUD_SECRETKEY'].filter((n) => !process.env[n]);
    if (missing.length) {
      console.error(
        `Cannot check the live environment: ${missing.join(', ')} not set (see .env.example). For the emulator: npm run doctor -- --emulator`,
      );
      process.exit(1);
    }
    const manager = await connectManager<DeployManager>(process.env, readCloudbaseRc());
    target = liveTarget(manager, process.env.TCB_ENV_ID!.trim(), process.env);
  }
  const report = await runDoctor(target);
  printReport(report);
  if (!report.ok) process.exit(1);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  });
}
