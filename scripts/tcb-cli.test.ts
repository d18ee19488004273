/**
 * The real CloudBase CLI (node_modules/@cloudbase/cli 2.12.10, what `npx tcb` runs)
 * on a copy of the project whose .env holds JSON, quotes, backslashes and Chinese.
 * `tcb config list` reads cloudbaserc.json and .env like every command (it renders the
 * config at start-up) but needs no login and no network, so it runs offline here.
 * Last, what the CLI does without a stored login, against the Tencent Cloud stand-in.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planVariables, tcbConfig } from './lib/deploy-plan';
import { cliFailures, realTcb } from './lib/tcb-cli';
import { startStandin } from './cloud-standin/server';

const ROOT = join(__dirname, '..');
const TCB = require.resolve('@cloudbase/cli/bin/tcb');
const AWKWARD = {
  QUOTA_PACK_CATALOGUE: '[{"kind":"quick","calls":1000,"validityDays":365,"priceYuan":30}]',
  PROVIDER_MERCHANT_SECRETS: '{"wx5eed1e0c0ffee002":"se\\"cret"}',
  WECHAT_APPSECRET: 'back\\slash"quote',
  ADMIN_OPENIDS: 'o_老板,o_boss',
};
// As a person would write them in .env (single quotes keep JSON as it is).
const DOTENV = [
  'TCB_ENV_ID=env-123',
  `QUOTA_PACK_CATALOGUE='${AWKWARD.QUOTA_PACK_CATALOGUE}'`,
  `PROVIDER_MERCHANT_SECRETS='${AWKWARD.PROVIDER_MERCHANT_SECRETS}'`,
  `WECHAT_APPSECRET='${AWKWARD.WECHAT_APPSECRET}'`,
  `ADMIN_OPENIDS=${AWKWARD.ADMIN_OPENIDS}`,
  '',
].join('\n');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'quickphone-tcb-'));
  mkdirSync(join(dir, 'home'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function tcb(cwd: string, args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [TCB, ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? '', HOME: join(dir, 'home'), CI: 'true' },
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.once('exit', (code) => resolve({ code, out }));
  });
}

function project(name: string, rcText: string): string {
  const at = join(dir, name);
  mkdirSync(at);
  writeFileSync(join(at, 'cloudbaserc.json'), rcText);
  writeFileSync(join(at, '.env'), DOTENV);
  return at;
}

test("npx tcb config list works with JSON and quoted values in .env (the project's cloudbaserc.json)", async () => {
  const at = project('now', readFileSync(join(ROOT, 'cloudbaserc.json'), 'utf8'));
  copyFileSync(join(ROOT, '.env.example'), join(at, '.env.example'));
  const { code, out } = await tcb(at, ['config', 'list']);
  expect(out).not.toMatch(/SyntaxError/);
  expect(code).toBe(0);
}, 60_000);

test('the old style ({{env.X}} placeholders) is what broke: the same .env crashes the CLI', async () => {
  const old = {
    envId: '{{env.TCB_ENV_ID}}',
    functionRoot: './build/cloudfunctions',
    functions: [
      {
        name: 'admin',
        handler: 'index.main',
        runtime: 'Nodejs18.15',
        envVariables: { QUOTA_PACK_CATALOGUE: '{{env.QUOTA_PACK_CATALOGUE}}' },
      },
    ],
  };
  const at = project('old', JSON.stringify(old, null, 2));
  const { code, out } = await tcb(at, ['config', 'list']);
  expect(out).toMatch(/SyntaxError: Expected ',' or '}'/);
  expect(code).toBe(1);
}, 60_000);

test('the config the deploy hands the CLI parses, and carries no variables, triggers or fingerprint (the deploy sets those through the API)', async () => {
  const at = project('deploy', readFileSync(join(ROOT, 'cloudbaserc.json'), 'utf8'));
  const generated = join(at, 'generated.json');
  const { variables } = planVariables({ name: 'admin', declared: Object.keys(AWKWARD) }, AWKWARD, {});
  const config = tcbConfig(
    'env-123',
    './build/cloudfunctions',
    [
      {
        name: 'admin',
        handler: 'index.main',
        runtime: 'Nodejs18.15',
        timeout: 10,
        memorySize: 256,
        installDependency: false,
        bundleSha256: 'a'.repeat(64),
        variables,
        variableChanges: [],
        triggers: [{ name: 'hourly', type: 'timer', config: '0 5 * * * * *' }],
        openapi: [],
        code: 'create',
        newBundle: true,
        setVariables: true,
        triggersToDelete: [],
        triggersToCreate: [],
      },
    ],
    'ap-guangzhou',
  );
  writeFileSync(generated, JSON.stringify(config, null, 2));
  const { code, out } = await tcb(at, ['--config-file', generated, 'config', 'list']);
  expect(out).not.toMatch(/SyntaxError/);
  expect(code).toBe(0);
  expect(config).toMatchObject({ region: 'ap-guangzhou', functions: [{ name: 'admin', runtime: 'Nodejs18.15' }] });
  expect(JSON.stringify(config)).not.toMatch(/envVariables|triggers|description/);
}, 60_000);

test('without a stored login, fn deploy tries an interactive (device-code) login and prints ✖ while exiting 0: the deploy reads both as failure', async () => {
  const standin = await startStandin({ envId: 'env-123', secretId: 'AKIDtest', secretKey: 'secret' });
  const at = project('no-login', readFileSync(join(ROOT, 'cloudbaserc.json'), 'utf8'));
  cpSync(join(ROOT, 'build/cloudfunctions/orders'), join(at, 'build/cloudfunctions/orders'), { recursive: true });
  const config = join(at, 'deploy.json');
  writeFileSync(
    config,
    JSON.stringify({
      envId: 'env-123',
      functionRoot: './build/cloudfunctions',
      functions: [{ name: 'orders', handler: 'index.main', runtime: 'Nodejs18.15' }],
    }),
  );
  // The API key in the environment, as the old deploy did it: the CLI never reads it there.
  const cli = realTcb({
    secretId: 'AKIDtest',
    secretKey: 'secret',
    cwd: at,
    env: { ...standin.childEnv, TENCENTCLOUD_SECRETID: 'AKIDtest', TENCENTCLOUD_SECRETKEY: 'secret' },
  });
  try {
    const { code, output } = await cli.run(['--config-file', config, 'fn', 'deploy', 'orders', '-e', 'env-123', '--force', '--yes']);
    expect(cliFailures(output).length).toBeGreaterThan(0);
    expect(standin.calls.some((c) => c.kind === 'device-login')).toBe(true);
    expect(standin.state.functions).toEqual({});
    expect(code).toBe(0); // and yet it "succeeded"
  } finally {
    cli.dispose();
    await standin.stop();
  }
}, 60_000);
