/**
 * `npm run deploy`: build, check everything, then deploy every function with the
 * CloudBase CLI (`tcb fn deploy`) and apply `database-rules/` with ModifySafeRule.
 *
 *   npm run deploy -- --dry-run   check offline and print the plan; touches nothing
 *
 * Needs TCB_ENV_ID, TENCENTCLOUD_SECRETID and TENCENTCLOUD_SECRETKEY (from the
 * environment or .env); without them it stops before doing anything.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildAll, BUILD_DIR } from './build';
import { loadDotEnv, PROJECT_ROOT, readCloudbaseRcText, type CloudbaseRc } from './lib/cloudbaserc';
import { checkBundlePackage, checkCloudbaseRc, checkFunctionConfig, checkRule } from './lib/deploy-checks';

const REQUIRED = ['TCB_ENV_ID', 'TENCENTCLOUD_SECRETID', 'TENCENTCLOUD_SECRETKEY'] as const;

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}

function rulesFiles(): Array<{ collection: string; path: string }> {
  const dir = join(PROJECT_ROOT, 'database-rules');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ collection: f.slice(0, -5), path: join(dir, f) }));
}

function tryJson(path: string, problems: string[]): unknown {
  try {
    return readJson(path);
  } catch (err) {
    problems.push(`${path.replace(`${PROJECT_ROOT}/`, '')}: ${(err as Error).message}`);
    return undefined;
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'dry-run': { type: 'boolean', default: false } } });
  const dryRun = values['dry-run'];
  loadDotEnv();

  // Gate: code that does not type-check is not deployed.
  const typecheck = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', PROJECT_ROOT], { stdio: 'inherit' });
  if (typecheck.status !== 0) {
    console.error('Type check failed; nothing was deployed.');
    process.exit(1);
  }
  const built = await buildAll();
  // Checks read the file as written (placeholders intact); nothing here needs their values.
  const rc = JSON.parse(readCloudbaseRcText()) as CloudbaseRc;
  const problems = checkCloudbaseRc(rc, built.map((b) => b.name));
  for (const { name } of built) {
    const dir = join(BUILD_DIR, name);
    for (const file of ['index.js', 'config.json', 'package.json']) if (!existsSync(join(dir, file))) problems.push(`build/cloudfunctions/${name}/${file} is missing`);
    const config = tryJson(join(dir, 'config.json'), problems);
    if (config !== undefined) problems.push(...checkFunctionConfig(name, config));
    const pkg = tryJson(join(dir, 'package.json'), problems);
    if (pkg !== undefined) problems.push(...checkBundlePackage(name, pkg));
  }
  const rules = rulesFiles().map(({ collection, path }) => ({ collection, rule: tryJson(path, problems) }));
  for (const { collection, rule } of rules) if (rule !== undefined) problems.push(...checkRule(collection, rule));

  console.log(`Plan for environment ${process.env.TCB_ENV_ID || '<TCB_ENV_ID not set>'}:`);
  for (const fn of rc.functions) {
    const size = built.find((b) => b.name === fn.name)?.bytes ?? 0;
    const vars = Object.keys(fn.envVariables ?? {});
    const triggers = (fn.triggers ?? []).map((t) => `${t.name} "${t.config}"`);
    console.log(
      `  function ${fn.name.padEnd(9)} ${fn.runtime}, ${(size / 1024).toFixed(0)} KiB bundle, timeout ${fn.timeout ?? 3}s` +
        (vars.length ? `, env ${vars.join(', ')}` : '') +
        (triggers.length ? `, timer ${triggers.join('; ')}` : ''),
    );
  }
  for (const { collection, rule } of rules) console.log(`  rules    ${collection.padEnd(15)} ${JSON.stringify(rule)}`);

  if (problems.length) {
    console.error(`\nNot deployable (${problems.length} problem${problems.length > 1 ? 's' : ''}):`);
    for (const p of problems) console.error(`  - ${p}`);
    process.exit(1);
  }
  if (dryRun) {
    console.log('\nDry run: everything checks out; nothing was deployed.');
    return;
  }

  const missing = REQUIRED.filter((name) => !process.env[name]);
  if (missing.length) {
    console.error(`\nCannot deploy: ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} not set. Put them in .env (see .env.example) or the environment. Nothing was deployed.`);
    process.exit(1);
  }
  await deploy(rc.functions.map((f) => f.name), rules as Array<{ collection: string; rule: object }>, rc.functions.filter((f) => f.triggers?.length).map((f) => f.name));
}

async function deploy(functions: string[], rules: Array<{ collection: string; rule: object }>, withTriggers: string[]): Promise<void> {
  const envId = process.env.TCB_ENV_ID!;
  // The CLI writes its login under $HOME and reports telemetry: keep it in a throwaway home.
  const home = mkdtempSync(join(tmpdir(), 'quickphone-tcb-'));
  const tcb = (args: string[], secretArgs: string[] = []) => {
    console.log(`$ tcb ${args.join(' ')}`);
    const res = spawnSync(process.execPath, [require.resolve('@cloudbase/cli/bin/tcb'), ...args, ...secretArgs], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, HOME: home, CI: 'true' },
      stdio: 'inherit',
    });
    if (res.status !== 0) throw new Error(`tcb ${args[0]} ${args[1] ?? ''} failed (exit ${res.status})`);
  };
  try {
    tcb(['login'], ['--apiKeyId', process.env.TENCENTCLOUD_SECRETID!, '--apiKey', process.env.TENCENTCLOUD_SECRETKEY!]);
    for (const name of functions) tcb(['fn', 'deploy', name, '-e', envId, '--force', '--yes']);
    for (const name of withTriggers) tcb(['fn', 'trigger', 'create', name, '-e', envId]);

    const { default: CloudBase } = await import('@cloudbase/manager-node');
    const manager = new CloudBase({ secretId: process.env.TENCENTCLOUD_SECRETID, secretKey: process.env.TENCENTCLOUD_SECRETKEY, envId });
    for (const { collection, rule } of rules) {
      await manager.database.createCollectionIfNotExists(collection);
      await manager.commonService().call({ Action: 'ModifySafeRule', Param: { EnvId: envId, CollectionName: collection, AclTag: 'CUSTOM', Rule: JSON.stringify(rule) } });
      console.log(`rules applied: ${collection}`);
    }
    console.log(`\nDeployed ${functions.length} function(s) and ${rules.length} rule set(s) to ${envId}.`);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    // Messages only: a stack trace could carry request details with secrets in them.
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  });
}

