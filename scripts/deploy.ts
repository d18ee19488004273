/**
 * `npm run deploy`: type-check, build, check everything, then deploy each function with
 * the CloudBase CLI and apply `database-rules/`, reading every step back.
 *
 *   npm run deploy -- --dry-run   check offline and print the plan; touches nothing
 *
 * Needs TCB_ENV_ID, TENCENTCLOUD_SECRETID and TENCENTCLOUD_SECRETKEY (environment or
 * .env); the CLI and manager-node read the keys from the environment, never from a
 * command line. Steps, each stopping everything after it on a failure (exit 1):
 *
 * 1. Read each function online (manager-node `getFunctionDetail`) and plan its
 *    variables: online ones kept, declared ones from .env laid over them, nothing empty;
 *    a required credential left empty refuses the deploy before anything is sent.
 * 2. Per function: `tcb fn deploy <name> --force --yes` with a generated config file
 *    (values filled and encoded, triggers from the function's config.json), then read
 *    it back: runtime, handler, timeout, memory, status, variables, triggers.
 * 3. Per HTTP access path in cloudbaserc.json (`httpPaths`: the provider's `/provider-events`,
 *    where WeChat pushes): created if missing (manager-node `access.createAccess`, type
 *    function, no path auth), path auth switched off if it was on, read back with
 *    `access.getAccessList`; a path leading to another function is refused, not changed.
 * 4. Per collection: create it if missing, `ModifySafeRule`, read back with `DescribeSafeRule`.
 *    Then `database-indexes/`: the declared indexes missing online are created and read back
 *    (scripts/lib/indexes.ts); online indexes that differ or nobody declared are reported, never dropped.
 * 5. miniprogram/cloud-env.ts gets the environment id (`wx.cloud.init({ env })`).
 * 6. The doctor (scripts/doctor.ts) against the environment just deployed.
 */
import { spawn, spawnSync } from 'node:child_process';
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
  compareFunction,
  compareHttpRoute,
  compareRule,
  CREDENTIAL_PAIRS,
  functionPlan,
  onlineVariables,
  tcbConfig,
  type FunctionDetail,
  type FunctionPlan,
  type LiveHttpRoute,
} from './lib/deploy-plan';
import { expectations, liveTarget, printReport, runDoctor, type Expectations } from './doctor';
import { readCloudEnv, writeCloudEnv } from './lib/cloud-env';
import { applyIndexes, checkIndexFiles, type IndexApi, type IndexSpec } from './lib/indexes';
import { loadIndexDir } from '../emulator/store/indexes';

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
  commonService(): { call(request: { Action: string; Param: Record<string, unknown> }): Promise<Record<string, unknown>> };
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
    built.push({ name, bytes, config: (config as BuiltFunction['config']) ?? null, reads });
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
  /** Runs the CloudBase CLI; resolves with its exit code. */
  tcb(args: string[]): Promise<number>;
  log(line: string): void;
  /** Where the generated CLI config is written (a fresh temporary folder by default). */
  workDir?: string;
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

async function detailOrNull(manager: DeployManager, name: string): Promise<FunctionDetail | null> {
  try {
    return await manager.functions.getFunctionDetail(name);
  } catch (err) {
    const text = String((err as { code?: string }).code ?? '') + ' ' + String((err as Error).message ?? '');
    if (/ResourceNotFound|not ?exist|不存在/i.test(text)) return null;
    throw err;
  }
}

/** Step 1: read each function online and plan what to send. Throws before anything is deployed. */
export async function planDeploy(project: Project, local: NodeJS.ProcessEnv, manager: DeployManager): Promise<FunctionPlan[]> {
  const plans: FunctionPlan[] = [];
  const problems: string[] = [];
  for (const fn of project.rc.functions) {
    const built = project.built.find((b) => b.name === fn.name);
    let online: FunctionDetail | null;
    try {
      online = await detailOrNull(manager, fn.name);
    } catch (err) {
      throw new DeployError(`reading function "${fn.name}" online`, [(err as Error).message]);
    }
    const { plan, problems: p } = functionPlan(fn, built?.config ?? null, declaredVariables(fn), local, onlineVariables(online));
    plans.push(plan);
    problems.push(...p);
  }
  if (problems.length) throw new DeployError('planning the variables', problems);
  return plans;
}

/** Steps 2 and 3. Throws a DeployError naming the first failing step; nothing after it runs. */
export async function deploy(project: Project, plans: FunctionPlan[], envId: string, deps: DeployDeps): Promise<void> {
  const workDir = deps.workDir ?? mkdtempSync(join(tmpdir(), 'quickphone-deploy-'));
  const configFile = join(workDir, 'cloudbaserc.json');
  // Values filled in and encoded: the CLI has nothing left to paste into its JSON.
  writeFileSync(configFile, JSON.stringify(tcbConfig(envId, `./${BUILD_FUNCTION_ROOT}`, plans), null, 2));
  try {
    for (const plan of plans) {
      const step = `deploying function "${plan.name}"`;
      deps.log(
        `$ tcb fn deploy ${plan.name} (variables: ${Object.keys(plan.variables).join(', ') || 'none'}${plan.triggers.length ? `; timer ${plan.triggers.map((t) => t.name).join(', ')}` : ''})`,
      );
      const code = await deps.tcb(['--config-file', configFile, 'fn', 'deploy', plan.name, '-e', envId, '--force', '--yes']);
      if (code !== 0) throw new DeployError(step, [`tcb exited with ${code}`]);
      // The CLI logs a failed deploy and still exits 0: only the read-back can tell.
      let detail: FunctionDetail | null;
      try {
        detail = await detailOrNull(deps.manager, plan.name);
      } catch (err) {
        throw new DeployError(step, [`reading it back: ${(err as Error).message}`]);
      }
      const problems = compareFunction(plan, detail);
      if (problems.length) throw new DeployError(step, problems);
      deps.log(
        `  ✓ ${plan.name}: ${plan.runtime}, ${plan.timeout}s, ${plan.memorySize} MB, ${Object.keys(plan.variables).length} variable(s)${plan.triggers.length ? `, ${plan.triggers.length} timer trigger(s)` : ''} — read back`,
      );
    }
    for (const route of project.httpRoutes) await applyHttpRoute(deps, route);
    const service = deps.manager.commonService();
    for (const { collection, rule } of project.rules) {
      const step = `applying the rules of "${collection}"`;
      let described: { AclTag?: string; Rule?: string } | null;
      try {
        await deps.manager.database.createCollectionIfNotExists(collection);
        await service.call({
          Action: 'ModifySafeRule',
          Param: { EnvId: envId, CollectionName: collection, AclTag: 'CUSTOM', Rule: JSON.stringify(rule) },
        });
        described = (await service.call({ Action: 'DescribeSafeRule', Param: { EnvId: envId, CollectionName: collection } })) as {
          AclTag?: string;
          Rule?: string;
        };
      } catch (err) {
        throw new DeployError(step, [(err as Error).message]);
      }
      const problems = compareRule(collection, rule, described);
      if (problems.length) throw new DeployError(step, problems);
      deps.log(`  ✓ rules ${collection} — read back`);
    }
    try {
      await applyIndexes(deps.manager.database, project.indexes, deps.log);
    } catch (err) {
      throw new DeployError('applying database-indexes/', [(err as Error).message]);
    }
  } finally {
    if (!deps.workDir) rmSync(workDir, { recursive: true, force: true });
  }
}

/**
 * One HTTP access path: created when missing (type 1 = function, no path auth: WeChat's
 * pushes carry no CloudBase login), its path auth switched off when it was on, then
 * read back. A path that leads elsewhere is refused, never taken over.
 */
async function applyHttpRoute(deps: DeployDeps, route: HttpRoute): Promise<void> {
  const step = `creating HTTP access path "${route.path}" → function "${route.fn}"`;
  const { access } = deps.manager;
  let listed: Awaited<ReturnType<DeployManager['access']['getAccessList']>>;
  let domain: string | undefined;
  try {
    const before = ((await access.getAccessList({ path: route.path })).APISet ?? []).filter((a) => a.Path === route.path);
    const elsewhere = before.find((a) => a.Type !== 1 || a.Name !== route.fn);
    if (elsewhere)
      throw new DeployError(step, [
        `the path already leads to ${elsewhere.Type === 1 ? `function "${elsewhere.Name}"` : `a non-function target (type ${elsewhere.Type})`}; change or delete it in the console (HTTP 访问服务), or give "${route.fn}" another path in cloudbaserc.json`,
      ]);
    if (before.length === 0) {
      deps.log(`$ HTTP access ${route.path} → ${route.fn} (create)`);
      await access.createAccess({ path: route.path, name: route.fn, type: 1, auth: false });
    } else if (before.some((a) => a.EnableAuth)) {
      deps.log(`$ HTTP access ${route.path} → ${route.fn} (switch path auth off)`);
      await access.switchPathAuth({ apiIds: before.filter((a) => a.EnableAuth && a.APIId).map((a) => a.APIId!), auth: false });
    }
    listed = await access.getAccessList({ path: route.path });
    domain = (await access.getDomainList()).DefaultDomain;
  } catch (err) {
    if (err instanceof DeployError) throw err;
    throw new DeployError(step, [(err as Error).message]);
  }
  const problems = compareHttpRoute(route, listed);
  if (problems.length) throw new DeployError(step, problems);
  deps.log(`  ✓ HTTP access ${domain ? `https://${domain}${route.path}` : route.path} → ${route.fn}, no path auth — read back`);
}

/** The real CLI, with the keys in its environment (never on its command line) and a throwaway HOME. */
export function cliRunner(command = process.env.QUICKPHONE_TCB): DeployDeps['tcb'] {
  return (args) =>
    new Promise((resolve, reject) => {
      const home = mkdtempSync(join(tmpdir(), 'quickphone-tcb-'));
      const [file, argv] = command ? [command, args] : [process.execPath, [require.resolve('@cloudbase/cli/bin/tcb'), ...args]];
      const child = spawn(file, argv, { cwd: PROJECT_ROOT, env: { ...process.env, HOME: home, CI: 'true' }, stdio: 'inherit' });
      child.once('error', reject);
      child.once('exit', (code) => {
        rmSync(home, { recursive: true, force: true });
        resolve(code ?? 1);
      });
    });
}

function printPlan(project: Project, local: NodeJS.ProcessEnv): void {
  console.log(`Plan for environment ${local.TCB_ENV_ID || '<TCB_ENV_ID not set>'}:`);
  for (const fn of project.rc.functions) {
    const built = project.built.find((b) => b.name === fn.name);
    const declared = declaredVariables(fn);
    const set = declared.filter((n) => local[n]?.trim());
    const unset = declared.filter((n) => !local[n]?.trim());
    const triggers = (built?.config?.triggers ?? []).map((t) => `${t.name} "${t.config}"`);
    console.log(
      `  function ${fn.name.padEnd(9)} ${fn.runtime}, ${((built?.bytes ?? 0) / 1024).toFixed(0)} KiB bundle, timeout ${fn.timeout ?? 3}s` +
        (set.length ? `, sets ${set.join(', ')}` : '') +
        (unset.length ? `; keeps online or leaves unset ${unset.join(', ')}` : '') +
        (triggers.length ? `; timer ${triggers.join('; ')} (from config.json)` : ''),
    );
  }
  for (const { path, fn } of project.httpRoutes)
    console.log(`  http     ${path} → function ${fn} (HTTP access, no path auth: created if missing, read back; WeChat pushes there)`);
  for (const { collection, rule } of project.rules) console.log(`  rules    ${collection.padEnd(22)} ${JSON.stringify(rule)}`);
  for (const [collection, specs] of Object.entries(project.indexes))
    for (const i of specs)
      console.log(
        `  index    ${`${collection}.${i.name}`.padEnd(22)} ${i.keys.map(([f, d]) => `${f} ${d}`).join(', ')}${i.unique ? ', unique' : ''} (created if missing, read back)`,
      );
  const plans = project.rc.functions.map((fn) => ({
    name: fn.name,
    openapi: project.built.find((b) => b.name === fn.name)?.config?.permissions?.openapi ?? [],
    variables: {},
  }));
  for (const line of phoneExchangeAdvice(plans, local)) console.log(`  note     ${line}`);
  for (const note of project.notes) console.log(`  note     ${note}`);
  for (const fn of project.rc.functions) {
    const declared = declaredVariables(fn);
    for (const [id, secret] of CREDENTIAL_PAIRS) {
      if (!declared.includes(id) || !declared.includes(secret)) continue;
      const [hasId, hasSecret] = [Boolean(local[id]?.trim()), Boolean(local[secret]?.trim())];
      if (hasId !== hasSecret)
        console.log(
          `  note     ${fn.name}: ${hasId ? secret : id} is not set here while ${hasId ? id : secret} is; the deploy keeps it if it is set online, else refuses to deploy ${fn.name}`,
        );
    }
  }
  const cloudEnv = readCloudEnv();
  if (local.TCB_ENV_ID && cloudEnv !== local.TCB_ENV_ID)
    console.log(
      `  note     miniprogram/cloud-env.ts says ${JSON.stringify(cloudEnv)}; the deploy writes ${local.TCB_ENV_ID} there (then upload the mini program from DevTools)`,
    );
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
  const project = checkProject(await buildAll());
  printPlan(project, process.env);
  if (project.problems.length) {
    console.error(`\nNot deployable (${project.problems.length} problem${project.problems.length > 1 ? 's' : ''}):`);
    for (const p of project.problems) console.error(`  - ${p}`);
    process.exit(1);
  }
  if (values['dry-run']) {
    console.log('\nDry run: everything checks out; nothing was deployed.');
    return;
  }
  const missing = REQUIRED.filter((name) => !process.env[name]);
  if (missing.length) {
    console.error(
      `\nCannot deploy: ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} not set. Put them in .env (see .env.example) or the environment. Nothing was deployed.`,
    );
    process.exit(1);
  }
  const envId = process.env.TCB_ENV_ID!;
  const { default: CloudBase } = await import('@cloudbase/manager-node');
  // No keys passed: manager-node reads TENCENTCLOUD_SECRETID/SECRETKEY from the environment.
  const manager = new CloudBase({ envId }) as unknown as DeployManager;
  process.exit(await runDeploy(project, process.env, { manager, tcb: cliRunner(), log: (line) => console.log(line) }));
}

/**
 * Steps 1–5 of a real deploy; answers the exit code. A failing step is reported with
 * what it found, and nothing after it runs.
 */
export async function runDeploy(
  project: Project,
  local: NodeJS.ProcessEnv,
  deps: DeployDeps & { root?: string; expected?: Expectations },
): Promise<number> {
  const envId = local.TCB_ENV_ID!;
  try {
    const plans = await planDeploy(project, local, deps.manager);
    await deploy(project, plans, envId, deps);
    deps.log(
      `\nDeployed ${plans.length} function(s), ${project.httpRoutes.length} HTTP access path(s) and ${project.rules.length} rule set(s) to ${envId}; everything read back as sent.`,
    );
    for (const line of phoneExchangeAdvice(plans, local)) deps.log(`note: ${line}`);
  } catch (err) {
    deps.log(err instanceof Error ? err.message : String(err));
    return 1;
  }
  if (writeCloudEnv(envId, deps.root))
    deps.log(`miniprogram/cloud-env.ts now says ${envId}: upload the mini program from DevTools to ship it.`);
  deps.log('');
  const report = await runDoctor(liveTarget(deps.manager, envId, project, local, deps.expected ?? expectations(deps.root)));
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
