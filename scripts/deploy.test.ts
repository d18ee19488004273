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
let standin: Standin;
let project: string;

beforeAll(async () => {
  standin = await startStandin({ envId: ENV_ID, ...KEY });
  project = mkdtempSync(join(tmpdir(), 'quickphone-deploy-project-'));
  for (const part of ['cloudbaserc.json', 'database-rules', 'database-indexes', 'build/cloudfunctions', 'miniprogram/cloud-env.ts'])
    cpSync(join(ROOT, part), join(project, part), { recursive: true });
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

function runDeploy(args: string[] = []): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'cloud-standin', 'deploy-folder.ts'), project, ...args], {
      cwd: ROOT,
      // Nothing of the caller's: no keys, no proxy; HOME is a place the CLI must not need.
      env: { PATH: process.env.PATH ?? '', HOME: join(project, 'no-home'), ...standin.childEnv },
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

test('bad input fails the dry run naming each problem, before anything is sent', async () => {
  const rule = join(project, 'database-rules', 'users.json');
  const indexes = join(project, 'database-indexes', 'admins.json');
  const [ruleText, indexText, envText] = [
    readFileSync(rule, 'utf8'),
    readFileSync(indexes, 'utf8'),
    readFileSync(join(project, '.env'), 'utf8'),
  ];
  try {
    writeFileSync(rule, JSON.stringify({ read: 'doc._openid == auth.openid &&', write: false }));
    const parsed = JSON.parse(indexText) as { indexes: Array<{ name: string }> };
    writeFileSync(indexes, JSON.stringify({ indexes: [...parsed.indexes, { ...parsed.indexes[0], name: 'same_keys_again' }] }));
    appendFileSync(join(project, '.env'), 'WECHAT_APPID=wx5eed1e0c0ffee001\nWECHAT_APPSECRET=\n');
    const { code, out } = await runDeploy(['--dry-run']);
    expect(out).toContain('database-rules/users.json: read: rule "doc._openid == auth.openid &&" ends early');
    expect(out).toMatch(/database-indexes\/admins\.json: "same_keys_again" has the same keys as/);
    expect(out).toContain('WECHAT_APPSECRET is empty in .env while WECHAT_APPID is set');
    expect(code).toBe(1);
    expect(standin.calls).toEqual([]);
  } finally {
    writeFileSync(rule, ruleText);
    writeFileSync(indexes, indexText);
    writeFileSync(join(project, '.env'), envText);
  }
}, 60_000);

test('a first deploy creates all five functions after their collections, rules and indexes; no login attempt; exit 0', async () => {
  const { code, out } = await runDeploy();
  expect(out).not.toMatch(/✖|部署失败/);
  expect(standin.calls.filter((c) => c.kind === 'device-login')).toEqual([]);
  expect(actions().filter((c) => c.error === 'AuthFailure.SignatureFailure' || c.error === 'AuthFailure.SecretIdNotFound')).toEqual([]);
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
  appendFileSync(join(project, 'build/cloudfunctions/admin/index.js'), '\n// another change\n');
  appendFileSync(join(project, 'build/cloudfunctions/provider/index.js'), '\n// another change\n');
  const before = sha('admin');
  standin.refuse('UpdateFunctionCode', 'FailedOperation.UpdateFunctionCode', 'refused on cue', 10);
  const from = standin.calls.length;
  const { code, out } = await runDeploy();
  expect(out).toContain('deploying function "admin" failed');
  expect(code).toBe(1);
  expect(sha('admin')).toBe(before);
  // provider comes after admin: never reached.
  expect(writes(from).some((w) => w.endsWith('provider'))).toBe(false);
}, 240_000);
