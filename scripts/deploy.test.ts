/**
 * `npm run deploy` for real: the project's own `tcb` (@cloudbase/cli) and
 * @cloudbase/manager-node, unmodified, against the Tencent Cloud stand-in
 * (scripts/cloud-standin/) on 127.0.0.1 — TLS redirected by a preloaded module, a CA
 * made for this run, every TC3 signature checked against the one API key. The deploy
 * runs in a child process exactly as after `npm run build`, on a copy of the project.
 * Scenarios share one stand-in and run in order (the CLI takes seconds per function).
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStandin, type Standin } from './cloud-standin/server';

const ROOT = join(__dirname, '..');
const KEY = { secretId: 'AKIDquickphoneTest', secretKey: 'the-secret-key-never-on-a-command-line' };
const ENV_ID = 'env-123';
// Not the CLI's default (ap-shanghai): every call must carry the region cloudbaserc.json names.
const REGION = 'ap-guangzhou';
let standin: Standin;
let project: string;

beforeAll(async () => {
  standin = await startStandin({ envId: ENV_ID, region: REGION, ...KEY });
  project = mkdtempSync(join(tmpdir(), 'quickphone-deploy-project-'));
  for (const part of ['cloudbaserc.json', 'database-rules', 'database-indexes', 'build/cloudfunctions', 'miniprogram/cloud-env.ts'])
    cpSync(join(ROOT, part), join(project, part), { recursive: true });
  const rc = JSON.parse(readFileSync(join(project, 'cloudbaserc.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(project, 'cloudbaserc.json'), JSON.stringify({ ...rc, region: REGION }, null, 2));
  for (const fn of ['auth', 'admin', 'cron', 'provider', 'orders'])
    cpSync(join(ROOT, 'cloudfunctions', fn, 'config.json'), join(project, 'cloudfunctions', fn, 'config.json'));
  writeFileSync(
    join(project, '.env'),
    [
      `TCB_ENV_ID=${ENV_ID}`,
      `TENCENTCLOUD_SECRETID=${KEY.secretId}`,
      `TENCENTCLOUD_SECRETKEY=${KEY.secretKey}`,
      'ADMIN_OPENIDS=o_boss',
      `QUOTA_PACK_CATALOGUE='[{"kind":"quick","calls":1000,"validityDays":365,"priceYuan":30}]'`,
      '',
    ].join('\n'),
  );
});
afterAll(async () => {
  await standin?.stop();
  if (project) rmSync(project, { recursive: true, force: true });
});

function runDeploy(args: string[] = [], env: Record<string, string> = {}): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'cloud-standin', 'deploy-folder.ts'), project, ...args], {
      cwd: ROOT,
      // Nothing of the caller's: no keys, no proxy; HOME is a place the CLI must not need.
      env: { PATH: process.env.PATH ?? '', HOME: join(project, 'no-home'), ...standin.childEnv, ...env },
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.once('close', (code) => resolve({ code, out }));
  });
}

const actions = (from = 0) => standin.calls.slice(from).filter((c) => c.kind === 'action');
const WRITES = /^(Create|Update|Modify|Delete|BatchCreate)/;
const writes = (from = 0) =>
  actions(from)
    .filter((c) => WRITES.test(c.action!) && !c.error)
    .map((c) =>
      `${c.action} ${String(c.params?.FunctionName ?? c.params?.TableName ?? c.params?.CollectionName ?? c.params?.Path ?? '')}`.trim(),
    );
const sha = (fn: string) => standin.state.functions[fn]!.CodeSha256;

/** Runs `work` with `lines` added to the project's .env, then puts .env back. */
async function withDotEnv<T>(lines: string, work: () => Promise<T>): Promise<T> {
  const file = join(project, '.env');
  const before = readFileSync(file, 'utf8');
  appendFileSync(file, lines);
  try {
    return await work();
  } finally {
    writeFileSync(file, before);
  }
}

test('bad input (a broken rule, a duplicate index, a missing variable, an empty secret) fails the dry run naming each, before anything is sent', async () => {
  const rule = join(project, 'database-rules', 'users.json');
  const indexes = join(project, 'database-indexes', 'admins.json');
  const rcFile = join(project, 'cloudbaserc.json');
  const [ruleText, indexText, rcText] = [readFileSync(rule, 'utf8'), readFileSync(indexes, 'utf8'), readFileSync(rcFile, 'utf8')];
  try {
    // admin reads ADMIN_OPENIDS: take it out of what cloudbaserc.json passes it.
    const rc = JSON.parse(rcText) as { functions: Array<{ name: string; variables: string[] }> };
    const admin = rc.functions.find((f) => f.name === 'admin')!;
    admin.variables = admin.variables.filter((v) => v !== 'ADMIN_OPENIDS');
    writeFileSync(rcFile, JSON.stringify(rc));
    writeFileSync(rule, JSON.stringify({ read: 'doc._openid == auth.openid &&', write: false }));
    const parsed = JSON.parse(indexText) as { indexes: Array<{ name: string }> };
    writeFileSync(indexes, JSON.stringify({ indexes: [...parsed.indexes, { ...parsed.indexes[0], name: 'same_keys_again' }] }));
    const { code, out } = await withDotEnv('WECHAT_APPID=wx5eed1e0c0ffee001\nWECHAT_APPSECRET=\nADMIN_OPENIDS=\n', () =>
      runDeploy(['--dry-run']),
    );
    // Not a refusal, but said: an empty ADMIN_OPENIDS leaves nobody an admin.
    expect(out).toContain('note     ADMIN_OPENIDS is empty in .env (removed online): unless it is set online or an admins document exists');
    expect(out).toContain('database-rules/users.json: read: rule "doc._openid == auth.openid &&" ends early');
    expect(out).toMatch(/database-indexes\/admins\.json: "same_keys_again" has the same keys as/);
    expect(out).toContain('WECHAT_APPSECRET is empty in .env while WECHAT_APPID is set');
    expect(out).toContain('function "admin" reads ADMIN_OPENIDS but cloudbaserc.json does not pass it');
    expect(code).toBe(1);
    expect(standin.calls).toEqual([]);
  } finally {
    writeFileSync(rule, ruleText);
    writeFileSync(indexes, indexText);
    writeFileSync(rcFile, rcText);
  }
}, 60_000);

test('a wrong API key: the CLI login is refused, the deploy stops there naming it, nothing is changed, no interactive login', async () => {
  const { code, out } = await runDeploy([], { TENCENTCLOUD_SECRETKEY: 'not-the-key' });
  expect(out).toContain('logging the CloudBase CLI in failed');
  expect(out).not.toContain('not-the-key');
  expect(code).toBe(1);
  expect(standin.calls.filter((c) => c.kind === 'device-login')).toEqual([]);
  expect(writes()).toEqual([]);
  expect(actions().every((c) => c.error === 'AuthFailure.SignatureFailure')).toBe(true);
  standin.calls.length = 0;
}, 60_000);

test('a first deploy creates all five functions after their collections, rules and indexes; no login attempt; exit 0', async () => {
  const { code, out } = await runDeploy();
  expect(out).not.toMatch(/✖|部署失败/);
  expect(standin.calls.filter((c) => c.kind === 'device-login')).toEqual([]);
  expect(actions().filter((c) => c.error === 'AuthFailure.SignatureFailure' || c.error === 'AuthFailure.SecretIdNotFound')).toEqual([]);
  // Every call in the environment's region (the CLI's login check, DescribeEnvs, is region-free).
  expect(actions().filter((c) => c.action !== 'DescribeEnvs' && c.region !== REGION)).toEqual([]);
  expect(standin.calls.filter((c) => c.kind === 'cos').every((c) => c.host === 'gztempcos-1253665819.cos.ap-guangzhou.myqcloud.com')).toBe(
    true,
  );
  expect(Object.keys(standin.state.functions).sort()).toEqual(['admin', 'auth', 'cron', 'orders', 'provider']);
  for (const fn of Object.values(standin.state.functions)) {
    expect(fn).toMatchObject({ Runtime: 'Nodejs18.15', Handler: 'index.main', Status: 'Active' });
    expect(Object.keys(fn.code)).toEqual(expect.arrayContaining(['index.js', 'config.json', 'package.json']));
  }
  expect(Object.keys(standin.state.collections).sort()).toEqual(
    readFileSync(join(ROOT, 'cloudbaserc.json'), 'utf8') && expect.arrayContaining(['users', 'settings', 'phone_charges', 'admins']),
  );
  expect(standin.state.collections.users!.rule).toEqual({
    AclTag: 'CUSTOM',
    Rule: readFileSync(join(ROOT, 'database-rules/users.json'), 'utf8') && expect.any(String),
  });
  // Collections, rules and indexes before the first function.
  const order = writes();
  const firstFunction = order.findIndex((w) => w.startsWith('CreateFunction'));
  expect(order.slice(0, firstFunction).some((w) => w.startsWith('ModifySafeRule'))).toBe(true);
  expect(order.slice(firstFunction).some((w) => /^(CreateTable|ModifySafeRule|UpdateTable)/.test(w))).toBe(false);
  // Variables: set through the API, encoded where awkward, DOCTOR_KEY generated; the cron trigger once.
  const vars = Object.fromEntries(standin.state.functions.admin!.Environment.Variables.map((v) => [v.Key, v.Value]));
  expect(vars.ADMIN_OPENIDS).toBe('o_boss');
  expect(vars.QUOTA_PACK_CATALOGUE).toMatch(/^base64:/);
  expect(standin.state.functions.cron!.Triggers.map((t) => [t.TriggerName, t.TriggerDesc])).toEqual([['hourly', '0 5 * * * * *']]);
  // No provider push configured: no HTTP access asked for.
  expect(actions().some((c) => c.action === 'CreateCloudBaseGWAPI')).toBe(false);
  expect(out).toContain('HTTP access /provider-events → provider: skipped, PROVIDER_PUSH_TOKEN is not set');
  // The doctor cannot tell from an SCF Invoke whether the mini program's cloud call works, and says so.
  expect(out).toMatch(/– phone login \(code exchange\): .*not a mini program call/);
  expect(out).toContain('WeChat DevTools');
  expect(code).toBe(0);
}, 240_000);

test('an unchanged redeploy changes nothing and says so', async () => {
  const from = standin.calls.length;
  const { code, out } = await runDeploy();
  expect(writes(from)).toEqual([]);
  expect(out).toContain('Nothing to change in env-123');
  expect(code).toBe(0);
}, 120_000);

test("a redeploy of changed code moves that function's code identity, and only that; a changed cron replaces the trigger", async () => {
  const before = Object.fromEntries(Object.keys(standin.state.functions).map((fn) => [fn, sha(fn)]));
  appendFileSync(join(project, 'build/cloudfunctions/auth/index.js'), '\n// a change\n');
  // A changed cron, in the source (what the doctor reads) and the build (what ships).
  for (const at of ['cloudfunctions/cron/config.json', 'build/cloudfunctions/cron/config.json'])
    writeFileSync(join(project, at), JSON.stringify({ triggers: [{ name: 'hourly', type: 'timer', config: '0 10 * * * * *' }] }));
  const from = standin.calls.length;
  const { code, out } = await runDeploy();
  expect(sha('auth')).not.toBe(before.auth);
  expect(standin.state.functions.auth!.code['index.js']).toContain('// a change');
  for (const fn of ['admin', 'orders', 'provider']) expect(sha(fn)).toBe(before[fn]);
  expect(standin.state.functions.cron!.Triggers.map((t) => [t.TriggerName, t.TriggerDesc])).toEqual([['hourly', '0 10 * * * * *']]);
  expect(writes(from).filter((w) => /Trigger/.test(w))).toEqual(['DeleteTrigger cron', 'BatchCreateTrigger cron']);
  expect(out).toMatch(/✓ auth: code [0-9a-f]{8}… → [0-9a-f]{8}…/);
  expect(code).toBe(0);
}, 240_000);

test('a refused UpdateFunctionCode exits non-zero naming the function; nothing after it runs', async () => {
  const bundles = ['admin', 'provider'].map((fn) => join(project, 'build/cloudfunctions', fn, 'index.js'));
  const originals = bundles.map((file) => readFileSync(file, 'utf8'));
  for (const file of bundles) appendFileSync(file, '\n// another change\n');
  const before = sha('admin');
  standin.refuse('UpdateFunctionCode', 'FailedOperation.UpdateFunctionCode', 'refused on cue', 100);
  const from = standin.calls.length;
  try {
    const { code, out } = await runDeploy();
    expect(out).toContain('deploying function "admin" failed');
    expect(out).toContain('[UpdateFunctionCode] refused on cue');
    expect(code).toBe(1);
    expect(sha('admin')).toBe(before);
    // provider comes after admin: never reached.
    expect(writes(from).some((w) => w.endsWith('provider'))).toBe(false);
  } finally {
    standin.clearRefusals();
    bundles.forEach((file, i) => writeFileSync(file, originals[i]!));
  }
}, 240_000);

test('variables: one the project does not own passes through byte for byte, one emptied in .env is removed (with a plan line), no code ships', async () => {
  const auth = standin.state.functions.auth!;
  auth.Environment.Variables.push({ Key: 'SET_IN_CONSOLE', Value: '{"raw": "json", "kept": true}' }, { Key: 'TRIAL_CALLS', Value: '500' });
  const [shaBefore, from] = [sha('auth'), standin.calls.length];
  const { code, out } = await withDotEnv('TRIAL_CALLS=\n', () => runDeploy());
  expect(out).toContain('remove   auth: TRIAL_CALLS (empty in .env: removed online if set there)');
  expect(out).toContain('variables of auth: TRIAL_CALLS removed');
  const vars = Object.fromEntries(standin.state.functions.auth!.Environment.Variables.map((v) => [v.Key, v.Value]));
  expect(vars.SET_IN_CONSOLE).toBe('{"raw": "json", "kept": true}');
  expect(vars).not.toHaveProperty('TRIAL_CALLS');
  expect(sha('auth')).toBe(shaBefore);
  expect(standin.calls.slice(from).some((c) => c.kind === 'cos')).toBe(false);
  expect(code).toBe(0);
}, 120_000);

const PUSHES = { PROVIDER_PUSH_TOKEN: 'push-token' };

test('HTTP access once provider pushes are configured: with the service off the deploy fails naming the console switch; on, the path is created', async () => {
  standin.state.gateway.enabled = false;
  const off = await runDeploy([], PUSHES);
  expect(off.out).toContain(
    'HTTP access is switched off for the environment: switch on HTTP access in the console (云开发 → 环境 → HTTP 访问服务)',
  );
  expect(off.code).toBe(1);
  standin.state.gateway.enabled = true;
  const on = await runDeploy([], PUSHES);
  expect(standin.state.gateway.apis).toEqual([
    expect.objectContaining({ Path: '/provider-events', Type: 1, Name: 'provider', EnableAuth: false }),
  ]);
  expect(on.out).toMatch(/✓ HTTP access \/provider-events: → provider, no path auth/);
  expect(on.code).toBe(0);
}, 120_000);

test('the push path with path auth switched on in the console is switched off; a path leading to another function is refused, not taken over', async () => {
  try {
    standin.state.gateway.apis[0]!.EnableAuth = true;
    const switched = await runDeploy([], PUSHES);
    expect(switched.out).toContain('$ HTTP access /provider-events → provider (switch path auth off)');
    expect(standin.state.gateway.apis).toEqual([expect.objectContaining({ Name: 'provider', EnableAuth: false })]);
    expect(switched.code).toBe(0);
    standin.state.gateway.apis[0]!.Name = 'admin';
    const taken = await runDeploy([], PUSHES);
    expect(taken.out).toContain('the path already leads to function "admin"');
    expect(taken.code).toBe(1);
    expect(standin.state.gateway.apis).toEqual([expect.objectContaining({ Name: 'admin' })]);
  } finally {
    standin.state.gateway.apis[0]!.Name = 'provider'; // PROVIDER_PUSH_TOKEN stays online: later deploys check the path
  }
}, 120_000);

test('an upload the cloud accepts but does not apply: exit 1 naming the function, and the next deploy ships it', async () => {
  appendFileSync(join(project, 'build/cloudfunctions/orders/index.js'), '\n// a change that must ship\n');
  const before = sha('orders');
  standin.ignore('UpdateFunctionCode');
  const ignored = await runDeploy();
  expect(ignored.out).toContain('function "orders": the code online is still the package from before this deploy');
  expect(ignored.code).toBe(1);
  expect(sha('orders')).toBe(before);
  const retried = await runDeploy();
  expect(sha('orders')).not.toBe(before);
  expect(standin.state.functions.orders!.code['index.js']).toContain('// a change that must ship');
  expect(retried.code).toBe(0);
}, 120_000);
