import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import {
  checkBundlePackage,
  checkCloudbaseRc,
  checkFunctionConfig,
  checkRule,
  checkVariables,
  DEPLOYABLE_VARIABLES,
  variablesReadBy,
} from './deploy-checks';
import { declaredVariables, httpRoutes } from './cloudbaserc';
import { DEFAULT_SP_PUSH_PATH } from '../../packages/cloudbase-emulator/src/wechat/provider-http';
import type { CloudbaseRc } from './cloudbaserc';

const good: CloudbaseRc = {
  envId: '{{env.TCB_ENV_ID}}',
  functionRoot: './build/cloudfunctions',
  functions: [{ name: 'auth', handler: 'index.main', runtime: 'Nodejs18.15', installDependency: false, timeout: 10 }],
};

test("the project's own cloudbaserc.json passes", () => {
  const rc = JSON.parse(readFileSync(join(__dirname, '..', '..', 'cloudbaserc.json'), 'utf8')) as CloudbaseRc;
  expect(
    checkCloudbaseRc(
      rc,
      rc.functions.map((f) => f.name),
    ),
  ).toEqual([]);
});

test('a function without an explicit runtime is refused (the CLI would pick Nodejs8.9)', () => {
  const rc = { ...good, functions: [{ ...good.functions[0]!, runtime: undefined as unknown as string }] };
  expect(checkCloudbaseRc(rc, ['auth'])).toEqual([expect.stringContaining('runtime must be "Nodejs18.15"')]);
});

test('functionRoot must be the build output, envId must not be hard-coded', () => {
  const problems = checkCloudbaseRc({ ...good, envId: 'prod-123', functionRoot: './cloudfunctions' }, ['auth']);
  expect(problems).toEqual([expect.stringContaining('envId'), expect.stringContaining('functionRoot')]);
});

test('built and declared functions must match, and installDependency must be false', () => {
  const rc = { ...good, functions: [{ ...good.functions[0]!, installDependency: true }] };
  expect(checkCloudbaseRc(rc, ['auth', 'admin'])).toEqual([
    expect.stringContaining('installDependency'),
    expect.stringContaining('"admin" is built but not declared'),
  ]);
});

test('timer triggers live in config.json only, and need a 7-field cron', () => {
  const rc = { ...good, functions: [{ ...good.functions[0]!, triggers: [{ name: 'hourly', type: 'timer', config: '0 5 * * * * *' }] }] };
  expect(checkCloudbaseRc(rc, ['auth'])).toEqual([expect.stringContaining('triggers belong in cloudfunctions/auth/config.json')]);
  expect(checkFunctionConfig('cron', { triggers: [{ name: 'hourly', type: 'timer', config: '0 5 * * * * *' }] })).toEqual([]);
  expect(checkFunctionConfig('cron', { triggers: [{ name: 'daily', type: 'timer', config: '0 2 * * *' }] })).toEqual([
    expect.stringContaining('7-field'),
  ]);
});

test('variables are listed by name: envVariables with {{env.X}} would break the CLI and blank secrets', () => {
  const legacy = { ...good, functions: [{ ...good.functions[0]!, envVariables: { WECHAT_APPSECRET: '{{env.WECHAT_APPSECRET}}' } }] };
  expect(checkCloudbaseRc(legacy, ['auth'])).toEqual([expect.stringContaining('envVariables must stay empty')]);
  const unknown = { ...good, functions: [{ ...good.functions[0]!, variables: ['WECHAT_APPSECRET', 'NOT_A_SETTING', 'WECHAT_API_BASE'] }] };
  expect(checkCloudbaseRc(unknown, ['auth'])).toEqual([
    expect.stringContaining('"NOT_A_SETTING"'),
    expect.stringContaining('"WECHAT_API_BASE"'),
  ]);
});

test('a function that reads a variable cloudbaserc.json does not pass fails, naming the variable', () => {
  const bundle = 'var a={name:"WECHAT_SPU_QUICK",description:"x"},b={name:"ADMIN_OPENIDS"};';
  expect(variablesReadBy(bundle)).toEqual(['ADMIN_OPENIDS', 'WECHAT_SPU_QUICK']);
  const { problems, notes } = checkVariables('cron', variablesReadBy(bundle), ['ADMIN_OPENIDS', 'TRIAL_CALLS']);
  expect(problems).toEqual([
    'function "cron" reads WECHAT_SPU_QUICK but cloudbaserc.json does not pass it (add "WECHAT_SPU_QUICK" to its variables)',
  ]);
  expect(notes).toEqual(['function "cron" is given TRIAL_CALLS but never reads it']);
});

test('the built functions read exactly what cloudbaserc.json passes them (cron and auth read WECHAT_SPU_*)', () => {
  const root = join(__dirname, '..', '..');
  const rc = JSON.parse(readFileSync(join(root, 'cloudbaserc.json'), 'utf8')) as CloudbaseRc;
  const read: Record<string, string[]> = {};
  for (const fn of rc.functions) {
    const bundle = join(root, 'build', 'cloudfunctions', fn.name, 'index.js');
    if (!existsSync(bundle)) continue; // declared by a helper mid-way; the deploy refuses it anyway
    read[fn.name] = variablesReadBy(readFileSync(bundle, 'utf8'));
    expect({ fn: fn.name, problems: checkVariables(fn.name, read[fn.name]!, declaredVariables(fn)).problems }).toEqual({
      fn: fn.name,
      problems: [],
    });
  }
  expect(read.cron).toEqual(expect.arrayContaining(['WECHAT_SPU_QUICK', 'WECHAT_SPU_REALTIME']));
  expect(read.auth).toEqual(expect.arrayContaining(['WECHAT_SPU_QUICK', 'WECHAT_SPU_REALTIME']));
  // Tree-shaking keeps the check honest: admin's bundle does not carry the provider's secrets.
  expect(read.admin).not.toContain('PROVIDER_APPSECRET');
});

test('config.json openapi permissions must name APIs', () => {
  expect(checkFunctionConfig('auth', { permissions: { openapi: ['phonenumber.getPhoneNumber'] } })).toEqual([]);
  expect(checkFunctionConfig('auth', { permissions: { openapi: 'phonenumber.getPhoneNumber' } })).toHaveLength(1);
  expect(checkFunctionConfig('auth', [])).toHaveLength(1);
});

test('a bundle package.json must have nothing to install', () => {
  expect(checkBundlePackage('auth', { name: 'auth', main: 'index.js' })).toEqual([]);
  expect(checkBundlePackage('auth', { dependencies: { 'wx-server-sdk': '4.0.2' } })).toHaveLength(1);
});

test('rules: booleans must be JSON booleans, keys must be known', () => {
  expect(checkRule('users', { read: 'doc._openid == auth.openid', write: false })).toEqual([]);
  expect(checkRule('users', { read: 'false', write: false })).toEqual([expect.stringContaining('JSON boolean')]);
  expect(checkRule('users', { read: true, write: false, wirte: true })).toEqual([expect.stringContaining('unknown key "wirte"')]);
  expect(checkRule('users', { read: true })).toEqual([expect.stringContaining('read and write')]);
  expect(checkRule('bad name', { read: true, write: false })).toHaveLength(1);
});

test('HTTP access paths: well-formed, one function each; the project routes /provider-events to provider, as the emulator does', () => {
  const bad = { ...good, functions: [{ ...good.functions[0]!, httpPaths: ['provider-events', '/a/../b'] }] };
  expect(checkCloudbaseRc(bad, ['auth'])).toEqual([expect.stringContaining('httpPaths must be a list of paths')]);
  const twice = {
    ...good,
    functions: [
      { ...good.functions[0]!, httpPaths: ['/x'] },
      { ...good.functions[0]!, name: 'admin', httpPaths: ['/x'] },
    ],
  };
  expect(checkCloudbaseRc(twice, ['auth', 'admin'])).toEqual([expect.stringContaining('"/x" is given to both "auth" and "admin"')]);
  const rc = JSON.parse(readFileSync(join(__dirname, '..', '..', 'cloudbaserc.json'), 'utf8')) as CloudbaseRc;
  // The emulator's HTTP access (CLOUDBASE_EMULATOR_HTTP_ACCESS unset) is what the deploy creates.
  expect(Object.fromEntries(httpRoutes(rc).map((r) => [r.path, r.fn]))).toEqual({ [DEFAULT_SP_PUSH_PATH]: 'provider' });
});

test('.env.example lists every variable a function can be given (set or commented out)', () => {
  const text = readFileSync(join(__dirname, '..', '..', '.env.example'), 'utf8');
  expect(DEPLOYABLE_VARIABLES.filter((name) => !new RegExp(`^(# )?${name}=`, 'm').test(text))).toEqual([]);
});
