/**
 * `npm run deploy`: type-check, build, check everything offline, then deploy with the
 * project's CloudBase CLI and manager-node, reading every step back.
 *
 *   npm run deploy -- --dry-run   check offline and print the plan; touches nothing
 *
 * Needs TCB_ENV_ID, TENCENTCLOUD_SECRETID and TENCENTCLOUD_SECRETKEY (environment or
 * .env); `region` comes from cloudbaserc.json (default ap-shanghai). Steps, each
 * stopping everything after it on a failure (exit 1, naming the step):
 *
 * 1. Log the CLI in with the API key (scripts/lib/tcb-cli.ts: a throwaway HOME, the
 *    key on stdin, never on a command line).
 * 2. Read each function online (GetFunction, GetFunctionAddress) and plan: code to ship
 *    (the bundle's fingerprint differs), variables (scripts/lib/deploy-plan.ts), timer
 *    triggers. A problem (an empty secret, over 4 KB of variables, another runtime
 *    online) refuses the deploy before anything is sent.
 * 3. Collections, their rules (ModifySafeRule only where DescribeSafeRule differs) and
 *    `database-indexes/` (matched by keys), before any function that uses them.
 * 4. Per function with something to change: `tcb fn deploy` (code and basic
 *    configuration; any ✖ / 部署失败 line or login attempt is a failure even on exit 0),
 *    then the code identity read back must have moved; variables set through
 *    UpdateFunctionConfiguration; triggers deleted and re-created only where they differ.
 * 5. HTTP access paths (cloudbaserc.json `httpPaths`) only when the provider's pushes
 *    are configured (PROVIDER_PUSH_TOKEN set); otherwise skipped, said so.
 * 6. miniprogram/cloud-env.ts gets the environment id; then the doctor (scripts/doctor.ts).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildAll, BUILD_DIR } from './build';
import {
  declaredVariables,
  httpRoutes,
  loadDotEnv,
  PROJECT_ROOT,
  readCloudbaseRc,
  unquotedHashes,
  type CloudbaseRc,
  type HttpRoute,
  type TriggerConfig,
} from './lib/cloudbaserc';
import {
  BUILD_FUNCTION_ROOT,
  checkBundlePackage,
  checkCloudbaseRc,
  checkFunctionConfig,
  checkRule,
  checkVariables,
  variablesReadBy,
} from './lib/deploy-checks';
import {
  bundleSha256,
  codeMoved,
  compareFunction,
  compareHttpRoute,
  compareRule,
  CREDENTIAL_PAIRS,
  fingerprintDescription,
  functionPlan,
  tcbConfig,
  VARIABLES_LIMIT_BYTES,
  type CodeIdentity,
  type FunctionDetail,
  type FunctionPlan,
  type LiveHttpRoute,
} from './lib/deploy-plan';
import { encodeEnvValue } from '../cloudfunctions/_shared/runtime/config';
import { cliFailures, realTcb, type TcbCli } from './lib/tcb-cli';
import { connectManager, regionOf } from './lib/manager';
import { expectations, liveTarget, printReport, runDoctor, type Expectations } from './doctor';
import { readCloudEnv, writeCloudEnv } from './lib/cloud-env';
import { applyIndexes, checkIndexFiles, type IndexApi, type IndexSpec } from './lib/indexes';
import { loadIndexDir } from '../packages/cloudbase-emulator/src/store/indexes';

const REQUIRED = ['TCB_ENV_ID', 'TENCENTCLOUD_SECRETID', 'TENCENTCLOUD_SECRETKEY'] as const;

/** The parts of @cloudbase/manager-node the deploy and the doctor use (a stand-in in tests). */
export interface DeployManager {
  functions: {
    getFunctionDetail(name: string): Promise<FunctionDetail>;
    invokeFunction(name: string, params?: Record<string, unknown>): Promise<{ RetMsg?: string; ErrMsg?: string; InvokeResult?: number }>;
  };
  database: {
    createCollectionIfNotExists(name: string): Promise<unknown>;
    checkCollectionExists(name: string): Promise<{ Exists: boolean }>;
    describeCollection: IndexApi['describeCollection'];
    updateCollection: IndexApi['updateCollection'];
  };
  /** A raw API action; service "tcb" by default, "scf" for functions. */
  commonService(service?: string): { call(request: { Action: string; Param: Record<string, unknown> }): Promise<Record<string, unknown>> };
  /** HTTP access (manager-node AccessService: CreateCloudBaseGWAPI, DescribeCloudBaseGWAPI, …). */
  access: {
    createAccess(options: { path: string; name: string; type?: 1 | 2; auth?: boolean }): Promise<unknown>;
    getAccessList(options?: { path?: string }): Promise<{ APISet?: LiveHttpRoute[]; EnableService?: boolean }>;
    switchPathAuth(options: { apiIds: string[]; auth: boolean }): Promise<unknown>;
    getDomainList(): Promise<{ DefaultDomain?: string; EnableService?: boolean }>;
  };
}

export interface BuiltFunction {
  name: string;
  bytes: number;
  /** bundleSha256 of its build folder: the code identity the deploy compares with online. */
  sha256: string;
  config: { permissions?: { openapi?: string[] }; triggers?: TriggerConfig[] } | null;
  /** Variables its bundle reads. */
  reads: string[];
}

export interface Project {
  rc: CloudbaseRc;
  built: BuiltFunction[];
  rules: Array<{ collection: string; rule: object }>;
  /** HTTP access paths to create (cloudbaserc.json `httpPaths`). */
  httpRoutes: HttpRoute[];
  /** database-indexes/, per collection. */
  indexes: Record<string, IndexSpec[]>;
  problems: string[];
  notes: string[];
}

function tryJson(path: string, problems: string[]): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    problems.push(`${path.replace(`${PROJECT_ROOT}/`, '')}: ${(err as Error).message}`);
    return undefined;
  }
}

/** Everything checked offline, from the files as written and the bundles as built. */
export function checkProject(builtNames: Array<{ name: string; bytes: number }>, root = PROJECT_ROOT, buildDir = BUILD_DIR): Project {
  const problems: string[] = [];
  const notes: string[] = [];
  const rc = readCloudbaseRc(root);
  problems.push(
    ...checkCloudbaseRc(
      rc,
      builtNames.map((b) => b.name),
    ),
  );
  const built: BuiltFunction[] = [];
  for (const { name, bytes } of builtNames) {
    const dir = join(buildDir, name);
    for (const file of ['index.js', 'config.json', 'package.json'])
      if (!existsSync(join(dir, file))) problems.push(`build/cloudfunctions/${name}/${file} is missing`);
    const config = existsSync(join(dir, 'config.json')) ? tryJson(join(dir, 'config.json'), problems) : undefined;
    if (config !== undefined) problems.push(...checkFunctionConfig(name, config));
    const pkg = existsSync(join(dir, 'package.json')) ? tryJson(join(dir, 'package.json'), problems) : undefined;
    if (pkg !== undefined) problems.push(...checkBundlePackage(name, pkg));
    const reads = existsSync(join(dir, 'index.js')) ? variablesReadBy(readFileSync(join(dir, 'index.js'), 'utf8')) : [];
    const fn = rc.functions?.find((f) => f.name === name);
    if (fn) {
      const checked = checkVariables(name, reads, declaredVariables(fn));
      problems.push(...checked.problems);
      notes.push(...checked.notes);
    }
    const sha256 = existsSync(dir) ? bundleSha256(dir) : '';
    built.push({ name, bytes, sha256, config: (config as BuiltFunction['config']) ?? null, reads });
  }
  const rulesDir = join(root, 'database-rules');
  const rules: Project['rules'] = [];
  for (const file of readdirSync(rulesDir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const collection = file.slice(0, -5);
    const rule = tryJson(join(rulesDir, file), problems);
    if (rule === undefined) continue;
    problems.push(...checkRule(collection, rule));
    rules.push({ collection, rule: rule as object });
  }
  problems.push(...checkIndexFiles(root));
  return { rc, built, rules, httpRoutes: httpRoutes(rc), indexes: loadIndexDir(root).byCollection, problems, notes };
}

/** What each cloud call does for the product: over HTTPS with credentials, and what stops without them. */
const CLOUD_CALL_EFFECTS: Record<string, { https: string; without: string }> = {
  'phonenumber.getPhoneNumber': { https: 'exchanges phone codes', without: 'phone login answers "try again"' },
  'subscribeMessage.send': { https: 'sends alert messages', without: 'alert messages to admins are not sent' },
};

/** What a deploy without WeChat credentials leaves to DevTools, in plain words. */
export function phoneExchangeAdvice(
  plans: Array<Pick<FunctionPlan, 'name' | 'openapi' | 'variables'>>,
  local: NodeJS.ProcessEnv,
): string[] {
  const out: string[] = [];
  for (const p of plans) {
    if (!p.openapi.length) continue;
    const has = (n: string) => Boolean(p.variables[n] ?? local[n]?.trim());
    const credentials = has('WECHAT_APPID') && has('WECHAT_APPSECRET');
    const effects = p.openapi.map((api) => CLOUD_CALL_EFFECTS[api] ?? { https: `calls ${api}`, without: `${api} fails` });
    const list = (pick: 'https' | 'without') => effects.map((e) => e[pick]).join(' and ');
    out.push(
      credentials
        ? `${p.name}: a CLI deploy gives it no cloud-call permission (${p.openapi.join(', ')}); with WECHAT_APPID/WECHAT_APPSECRET set it ${list('https')} over WeChat's HTTPS API instead. Uploading it once from WeChat DevTools restores the cloud call.`
        : `${p.name}: a CLI deploy gives it no cloud-call permission (${p.openapi.join(', ')}) and WECHAT_APPID/WECHAT_APPSECRET are not set, so ${list('without')} until you upload ${p.name} once from WeChat DevTools (right-click build/cloudfunctions/${p.name} → 上传并部署). Set both in .env to make any deploy work on its own.`,
    );
  }
  return out;
}

export interface DeployDeps {
  manager: DeployManager;
  /** The CloudBase CLI, logged in by the deploy (scripts/lib/tcb-cli.ts). */
  tcb: TcbCli;
  log(line: string): void;
  /** cloudbaserc.json's region, passed to the CLI. */
  region?: string;
  /** Where the generated CLI config is written (a fresh temporary folder by default). */
  workDir?: string;
  /** The project root the CLI runs in (its functionRoot is relative to it). */
  root?: string;
}

export class DeployError extends Error {
  constructor(
    readonly step: string,
    readonly problems: string[],
  ) {
    super(`${step} failed:\n${problems.map((p) => `  - ${p}`).join('\n')}\nNothing after this step was done.`);
    this.name = 'DeployError';
  }
}

const NOT_FOUND = /ResourceNotFound|not ?exist|不存在|未找到/i;

async function detailOrNull(manager: DeployManager, name: string): Promise<FunctionDetail | null> {
  try {
    return await manager.functions.getFunctionDetail(name);
  } catch (err) {
    const text = String((err as { code?: string }).code ?? '') + ' ' + String((err as Error).message ?? '');
    if (NOT_FOUND.test(text)) return null;
    throw err;
  }
}

/** The code package online: CodeSha256 from GetFunctionAddress, size and time from GetFunction. */
async function codeIdentity(
  manager: DeployManager,
  envId: string,
  name: string,
  detail: FunctionDetail | null,
): Promise<CodeIdentity | null> {
  if (!detail) return null;
  const address = (await manager
    .commonService('scf')
    .call({ Action: 'GetFunctionAddress', Param: { FunctionName: name, Namespace: envId } })) as { CodeSha256?: string };
  return { sha256: address.CodeSha256 ?? '', size: detail.CodeSize ?? 0, modTime: detail.ModTime ?? '' };
}

export interface PlannedFunction {
  plan: FunctionPlan;
  before: CodeIdentity | null;
}

/** Step 2: read each function online and plan what to send. Throws before anything is deployed. */
export async function planDeploy(
  project: Project,
  local: NodeJS.ProcessEnv,
  manager: DeployManager,
  envId: string,
): Promise<PlannedFunction[]> {
  const planned: PlannedFunction[] = [];
  const problems: string[] = [];
  for (const fn of project.rc.functions) {
    const built = project.built.find((b) => b.name === fn.name);
    let online: FunctionDetail | null;
    let before: CodeIdentity | null;
    try {
      online = await detailOrNull(manager, fn.name);
      before = await codeIdentity(manager, envId, fn.name, online);
    } catch (err) {
      throw new DeployError(`reading function "${fn.name}" online`, [(err as Error).message]);
    }
    const { plan, problems: p } = functionPlan(
      fn,
      { config: built?.config ?? null, sha256: built?.sha256 ?? '' },
      declaredVariables(fn),
      local,
      online,
    );
    planned.push({ plan, before });
    problems.push(...p);
  }
  if (problems.length) throw new DeployError('planning the deploy', problems);
  return planned;
}

/** Whether an HTTP access route is wanted: its function is given the provider's push token. */
export function httpRouteWanted(route: HttpRoute, plans: Array<Pick<FunctionPlan, 'name' | 'variables'>>): boolean {
  return Boolean(plans.find((p) => p.name === route.fn)?.variables[PUSH_TOKEN]);
}
const PUSH_TOKEN = 'PROVIDER_PUSH_TOKEN';

async function step<T>(name: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof DeployError) throw err;
    throw new DeployError(name, [(err as Error).message]);
  }
}

/** Step 3: collections, rules and indexes. Answers how many things changed. */
async function applyDatabase(project: Project, envId: string, deps: DeployDeps): Promise<number> {
  const service = deps.manager.commonService();
  let changed = 0;
  for (const { collection, rule } of project.rules) {
    const name = `applying the rules of "${collection}"`;
    const described = await step(name, async () => {
      const { IsCreated } = (await deps.manager.database.createCollectionIfNotExists(collection)) as { IsCreated?: boolean };
      if (IsCreated) {
        changed++;
        deps.log(`  ✓ collection ${collection} — created`);
      }
      const read = () => service.call({ Action: 'DescribeSafeRule', Param: { EnvId: envId, CollectionName: collection } });
      let now = (await read()) as { AclTag?: string; Rule?: string };
      if (compareRule(collection, rule, now).length === 0) return null;
      await service.call({
        Action: 'ModifySafeRule',
        Param: { EnvId: envId, CollectionName: collection, AclTag: 'CUSTOM', Rule: JSON.stringify(rule) },
      });
      now = (await read()) as { AclTag?: string; Rule?: string };
      return now;
    });
    if (described === null) continue;
    const problems = compareRule(collection, rule, described);
    if (problems.length) throw new DeployError(name, problems);
    changed++;
    deps.log(`  ✓ rules ${collection} — applied, read back`);
  }
  const plans = await step('applying database-indexes/', () => applyIndexes(deps.manager.database, project.indexes, deps.log));
  return changed + plans.reduce((n, p) => n + p.create.length, 0);
}

/** Step 4 for one function: code through the CLI, then variables and triggers through the API. */
async function applyFunction({ plan, before }: PlannedFunction, envId: string, configFile: string, deps: DeployDeps): Promise<boolean> {
  const scf = deps.manager.commonService('scf');
  const name = `deploying function "${plan.name}"`;
  const shipped = plan.code !== 'unchanged';
  let after: CodeIdentity | null = before;
  if (shipped) {
    deps.log(
      `$ tcb fn deploy ${plan.name} (${plan.code === 'create' ? 'new function' : plan.newBundle ? 'new code' : 'configuration changed'})`,
    );
    const run = await deps.tcb.run(['--config-file', configFile, 'fn', 'deploy', plan.name, '-e', envId, '--force', '--yes']);
    const failures = cliFailures(run.output);
    if (run.code !== 0 || failures.length)
      throw new DeployError(name, [`tcb exited with ${run.code}${failures.length ? ` and printed: ${failures.join(' / ')}` : ''}`]);
    after = await step(name, async () => codeIdentity(deps.manager, envId, plan.name, await detailOrNull(deps.manager, plan.name)));
    // The proof that new code shipped, before the fingerprint says so: a next deploy retries otherwise.
    if (plan.newBundle) {
      const problems = codeMoved(plan.name, before, after);
      if (problems.length) throw new DeployError(name, problems);
    }
  }
  await step(name, async () => {
    const config: Record<string, unknown> = {};
    if (plan.newBundle) config.Description = fingerprintDescription(plan.bundleSha256);
    if (plan.setVariables) {
      deps.log(`  variables of ${plan.name}: ${describeChanges(plan)}`);
      config.Environment = { Variables: Object.entries(plan.variables).map(([Key, Value]) => ({ Key, Value })) };
    }
    if (Object.keys(config).length)
      await scf.call({ Action: 'UpdateFunctionConfiguration', Param: { FunctionName: plan.name, Namespace: envId, ...config } });
    for (const trigger of plan.triggersToDelete) {
      deps.log(`  trigger ${plan.name}/${trigger}: deleted (changed or no longer in config.json)`);
      await scf.call({
        Action: 'DeleteTrigger',
        Param: { FunctionName: plan.name, Namespace: envId, TriggerName: trigger, Type: 'timer' },
      });
    }
    if (plan.triggersToCreate.length) {
      deps.log(`  trigger ${plan.triggersToCreate.map((t) => `${plan.name}/${t.name} "${t.config}"`).join(', ')}: created`);
      const triggers = plan.triggersToCreate.map((t) => ({ TriggerName: t.name, Type: t.type, TriggerDesc: t.config }));
      await scf.call({
        Action: 'BatchCreateTrigger',
        Param: { FunctionName: plan.name, Namespace: envId, Triggers: JSON.stringify(triggers), Count: triggers.length },
      });
    }
  });
  if (!shipped && !plan.setVariables && !plan.triggersToDelete.length && !plan.triggersToCreate.length) return false;
  const detail = await step(name, () => detailOrNull(deps.manager, plan.name));
  const problems = compareFunction(plan, detail);
  if (problems.length) throw new DeployError(name, problems);
  const code =
    plan.newBundle && after
      ? `code ${before ? `${before.sha256.slice(0, 8)}… → ` : ''}${after.sha256.slice(0, 8)}… (${after.size} bytes), `
      : '';
  deps.log(
    `  ✓ ${plan.name}: ${code}${plan.runtime}, ${plan.timeout}s, ${plan.memorySize} MB, ${Object.keys(plan.variables).length} variable(s)${plan.triggers.length ? `, ${plan.triggers.length} timer trigger(s)` : ''} — read back`,
  );
  return true;
}

function describeChanges(plan: FunctionPlan): string {
  return plan.variableChanges.map((c) => `${c.name} ${c.change}`).join(', ') || 'passed through as they are';
}

/** Steps 3 to 5. Throws a DeployError naming the first failing step; nothing after it runs. Answers what changed. */
export async function deploy(project: Project, planned: PlannedFunction[], envId: string, deps: DeployDeps): Promise<string[]> {
  const workDir = deps.workDir ?? mkdtempSync(join(tmpdir(), 'quickphone-deploy-'));
  const configFile = join(workDir, 'cloudbaserc.json');
  writeFileSync(
    configFile,
    JSON.stringify(
      tcbConfig(
        envId,
        `./${BUILD_FUNCTION_ROOT}`,
        planned.map((p) => p.plan),
        deps.region,
      ),
      null,
      2,
    ),
  );
  const changed: string[] = [];
  try {
    const database = await applyDatabase(project, envId, deps);
    if (database) changed.push(`${database} database change(s)`);
    for (const fn of planned) if (await applyFunction(fn, envId, configFile, deps)) changed.push(`function ${fn.plan.name}`);
    for (const route of project.httpRoutes) {
      if (
        !httpRouteWanted(
          route,
          planned.map((p) => p.plan),
        )
      ) {
        deps.log(`  – HTTP access ${route.path} → ${route.fn}: skipped, ${PUSH_TOKEN} is not set (provider pushes are not configured)`);
        continue;
      }
      if (await applyHttpRoute(deps, route)) changed.push(`HTTP access ${route.path}`);
    }
  } finally {
    if (!deps.workDir) rmSync(workDir, { recursive: true, force: true });
  }
  return changed;
}

const HTTP_SWITCH = 'switch on HTTP access in the console (云开发 → 环境 → HTTP 访问服务), then deploy again';

/**
 * One HTTP access path: created when missing (type 1 = function, no path auth: WeChat's
 * pushes carry no CloudBase login), its path auth switched off when it was on, then
 * read back. A path that leads elsewhere is refused, never taken over. Answers whether
 * anything changed.
 */
async function applyHttpRoute(deps: DeployDeps, route: HttpRoute): Promise<boolean> {
  const name = `creating HTTP access path "${route.path}" → function "${route.fn}"`;
  const { access } = deps.manager;
  let changed = false;
  const listed = await step(name, async () => {
    const now = await access.getAccessList({ path: route.path });
    if (now.EnableService === false) throw new DeployError(name, [`HTTP access is switched off for the environment: ${HTTP_SWITCH}`]);
    const before = (now.APISet ?? []).filter((a) => a.Path === route.path);
    const elsewhere = before.find((a) => a.Type !== 1 || a.Name !== route.fn);
    if (elsewhere)
      throw new DeployError(name, [
        `the path already leads to ${elsewhere.Type === 1 ? `function "${elsewhere.Name}"` : `a non-function target (type ${elsewhere.Type})`}; change or delete it in the console (HTTP 访问服务), or give "${route.fn}" another path in cloudbaserc.json`,
      ]);
    try {
      if (before.length === 0) {
        deps.log(`$ HTTP access ${route.path} → ${route.fn} (create)`);
        await access.createAccess({ path: route.path, name: route.fn, type: 1, auth: false });
        changed = true;
      } else if (before.some((a) => a.EnableAuth)) {
        deps.log(`$ HTTP access ${route.path} → ${route.fn} (switch path auth off)`);
        await access.switchPathAuth({ apiIds: before.filter((a) => a.EnableAuth && a.APIId).map((a) => a.APIId!), auth: false });
        changed = true;
      }
    } catch (err) {
      throw new DeployError(name, [`${(err as Error).message} — if HTTP access is off: ${HTTP_SWITCH}`]);
    }
    return access.getAccessList({ path: route.path });
  });
  const problems = compareHttpRoute(route, listed);
  if (problems.length) throw new DeployError(name, problems);
  if (changed) deps.log(`  ✓ HTTP access ${route.path} → ${route.fn}, no path auth — read back`);
  return changed;
}

function printPlan(project: Project, local: NodeJS.ProcessEnv, log: (line: string) => void, root = PROJECT_ROOT): void {
  log(`Plan for environment ${local.TCB_ENV_ID || '<TCB_ENV_ID not set>'}${project.rc.region ? ` (${String(project.rc.region)})` : ''}:`);
  for (const { collection, rule } of project.rules)
    log(`  rules    ${collection.padEnd(22)} ${JSON.stringify(rule)} (applied where it differs)`);
  for (const [collection, specs] of Object.entries(project.indexes))
    for (const i of specs)
      log(
        `  index    ${`${collection}.${i.name}`.padEnd(22)} ${i.keys.map(([f, d]) => `${f} ${d}`).join(', ')}${i.unique ? ', unique' : ''} (created if no index has these keys)`,
      );
  for (const fn of project.rc.functions) {
    const built = project.built.find((b) => b.name === fn.name);
    const declared = declaredVariables(fn);
    const set = declared.filter((n) => local[n]?.trim());
    const removed = declared.filter((n) => local[n] === '');
    const triggers = (built?.config?.triggers ?? []).map((t) => `${t.name} "${t.config}"`);
    log(
      `  function ${fn.name.padEnd(9)} ${fn.runtime}, ${((built?.bytes ?? 0) / 1024).toFixed(0)} KiB bundle ${built?.sha256.slice(0, 12) ?? ''}…, timeout ${fn.timeout ?? 3}s (shipped if the bundle differs online)` +
        (set.length ? `; sets ${set.join(', ')}` : '') +
        (triggers.length ? `; timer ${triggers.join('; ')} (from config.json, re-created only if it differs)` : ''),
    );
    if (removed.length) log(`  remove   ${fn.name}: ${removed.join(', ')} (empty in .env: removed online if set there)`);
  }
  for (const route of project.httpRoutes) {
    const wanted = httpRouteWanted(route, [{ name: route.fn, variables: local[PUSH_TOKEN]?.trim() ? { [PUSH_TOKEN]: 'x' } : {} }]);
    log(
      wanted
        ? `  http     ${route.path} → function ${route.fn} (HTTP access, no path auth: created if missing, read back; WeChat pushes there)`
        : `  http     ${route.path} → function ${route.fn}: skipped unless ${PUSH_TOKEN} is set here or online (provider pushes)`,
    );
  }
  const plans = project.rc.functions.map((fn) => ({
    name: fn.name,
    openapi: project.built.find((b) => b.name === fn.name)?.config?.permissions?.openapi ?? [],
    variables: {},
  }));
  for (const line of phoneExchangeAdvice(plans, local)) log(`  note     ${line}`);
  for (const note of project.notes) log(`  note     ${note}`);
  for (const fn of project.rc.functions) {
    const declared = declaredVariables(fn);
    for (const [id, secret] of CREDENTIAL_PAIRS) {
      if (!declared.includes(id) || !declared.includes(secret)) continue;
      const [hasId, hasSecret] = [Boolean(local[id]?.trim()), Boolean(local[secret]?.trim())];
      if (hasId !== hasSecret && local[hasId ? secret : id] === undefined)
        log(
          `  note     ${fn.name}: ${hasId ? secret : id} is not set here while ${hasId ? id : secret} is; the deploy keeps it if it is set online, else refuses to deploy ${fn.name}`,
        );
    }
  }
  // Not an error (admins can also be documents in `admins`), but the usual first-deploy slip.
  if (project.rc.functions.some((fn) => declaredVariables(fn).includes('ADMIN_OPENIDS')) && !local.ADMIN_OPENIDS?.trim())
    log(
      `  note     ADMIN_OPENIDS is ${local.ADMIN_OPENIDS === '' ? 'empty in .env (removed online)' : 'not set here (what is online is kept)'}: unless it is set online or an admins document exists, nobody is an admin — docs/admin.md "Who is an admin" says how to find your openid`,
    );
  const cloudEnv = readCloudEnv(root);
  if (local.TCB_ENV_ID && cloudEnv !== local.TCB_ENV_ID)
    log(
      `  note     miniprogram/cloud-env.ts says ${JSON.stringify(cloudEnv)}; the deploy writes ${local.TCB_ENV_ID} there (then upload the mini program from DevTools)`,
    );
}

/** Offline checks that need the local values: what a dry run can refuse before anything is sent. */
export function checkLocal(project: Project, local: NodeJS.ProcessEnv): string[] {
  const problems: string[] = [];
  for (const fn of project.rc.functions) {
    const declared = declaredVariables(fn);
    const set = (n: string) => Boolean(local[n]?.trim());
    // Explicitly empty here (NAME=): it would be removed online, so it cannot come from there either.
    for (const [id, secret] of CREDENTIAL_PAIRS) {
      if (!declared.includes(id) || !declared.includes(secret)) continue;
      if (set(id) && local[secret] === '')
        problems.push(
          `function "${fn.name}": ${secret} is empty in .env while ${id} is set; set ${secret} (an empty value would remove it online)`,
        );
      if (set(secret) && local[id] === '') problems.push(`function "${fn.name}": ${id} is empty in .env while ${secret} is set; set ${id}`);
    }
    const bytes = declared
      .filter(set)
      .reduce((n, name) => n + Buffer.byteLength(name) + Buffer.byteLength(encodeEnvValue(local[name]!)), 0);
    if (bytes > VARIABLES_LIMIT_BYTES)
      problems.push(
        `function "${fn.name}": the variables set in .env alone take ${bytes} bytes, over SCF's limit of ${VARIABLES_LIMIT_BYTES}`,
      );
  }
  return problems;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'dry-run': { type: 'boolean', default: false } } });
  loadDotEnv();

  // Gate: code that does not type-check is not deployed.
  const typecheck = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', PROJECT_ROOT], { stdio: 'inherit' });
  if (typecheck.status !== 0) {
    console.error('Type check failed; nothing was deployed.');
    process.exit(1);
  }
  await buildAll();
  process.exit(await deployFolder(PROJECT_ROOT, process.env, { dryRun: values['dry-run'], log: (line) => console.log(line) }));
}

/** The deploy of a built project folder (its build/cloudfunctions as it is): what main runs after the build. */
export async function deployFolder(
  root: string,
  local: NodeJS.ProcessEnv,
  options: { dryRun: boolean; log(line: string): void },
): Promise<number> {
  const buildDir = join(root, BUILD_FUNCTION_ROOT);
  const built = readdirSync(buildDir)
    .filter((name) => existsSync(join(buildDir, name, 'index.js')))
    .sort()
    .map((name) => ({ name, bytes: readFileSync(join(buildDir, name, 'index.js')).length }));
  const project = checkProject(built, root, buildDir);
  const dotEnv = join(root, '.env');
  if (existsSync(dotEnv)) project.problems.push(...unquotedHashes(readFileSync(dotEnv, 'utf8')));
  return deployProject(project, local, { ...options, root });
}

/**
 * Everything after the build: the plan, the offline verdict, and (unless a dry run) the
 * deploy with the real CLI and manager-node. Answers the exit code.
 */
export async function deployProject(
  project: Project,
  local: NodeJS.ProcessEnv,
  options: { dryRun: boolean; log(line: string): void; root?: string },
): Promise<number> {
  const { log } = options;
  printPlan(project, local, log, options.root);
  const problems = [...project.problems, ...checkLocal(project, local)];
  if (problems.length) {
    log(`\nNot deployable (${problems.length} problem${problems.length > 1 ? 's' : ''}); nothing was sent:`);
    for (const p of problems) log(`  - ${p}`);
    return 1;
  }
  if (options.dryRun) {
    log('\nDry run: everything checks out; nothing was deployed.');
    return 0;
  }
  const missing = REQUIRED.filter((name) => !local[name]?.trim());
  if (missing.length) {
    log(
      `\nCannot deploy: ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} not set. Put them in .env (see .env.example) or the environment. Nothing was deployed.`,
    );
    return 1;
  }
  const region = regionOf(project.rc);
  const manager = await connectManager<DeployManager>(local, project.rc);
  const root = options.root ?? PROJECT_ROOT;
  const tcb = realTcb({ secretId: local.TENCENTCLOUD_SECRETID!.trim(), secretKey: local.TENCENTCLOUD_SECRETKEY!.trim(), cwd: root });
  try {
    return await runDeploy(project, local, { manager, tcb, log, region, root });
  } finally {
    tcb.dispose();
  }
}

/**
 * Steps 1–6 of a real deploy; answers the exit code. A failing step is reported with
 * what it found, and nothing after it runs.
 */
export async function runDeploy(
  project: Project,
  local: NodeJS.ProcessEnv,
  deps: DeployDeps & { expected?: Expectations },
): Promise<number> {
  const envId = local.TCB_ENV_ID!.trim();
  try {
    deps.log('\n$ tcb login (API key from the environment, passed on stdin)');
    await step('logging the CloudBase CLI in', () => deps.tcb.login());
    const planned = await planDeploy(project, local, deps.manager, envId);
    const changed = await deploy(project, planned, envId, deps);
    deps.log(
      changed.length
        ? `\nDeployed to ${envId}: ${changed.join(', ')}; everything read back as sent.`
        : `\nNothing to change in ${envId}: every function's code, variables and triggers, the rules, indexes and HTTP access are already as declared. Nothing was sent.`,
    );
    for (const line of phoneExchangeAdvice(
      planned.map((p) => p.plan),
      local,
    ))
      deps.log(`note: ${line}`);
  } catch (err) {
    deps.log(err instanceof Error ? err.message : String(err));
    return 1;
  }
  if (writeCloudEnv(envId, deps.root))
    deps.log(`miniprogram/cloud-env.ts now says ${envId}: upload the mini program from DevTools to ship it.`);
  deps.log('');
  const report = await runDoctor(liveTarget(deps.manager, envId, local, deps.expected ?? expectations(deps.root)));
  printReport(report, deps.log);
  if (!report.ok) {
    deps.log('\nDeployed, but the doctor found problems (above).');
    return 1;
  }
  return 0;
}

if (require.main === module) {
  main().catch((err: unknown) => {
    // Messages only: a stack trace could carry request details with secrets in them.
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  });
}
