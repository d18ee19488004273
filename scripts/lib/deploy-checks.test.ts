import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkBundlePackage, checkCloudbaseRc, checkFunctionConfig, checkRule } from './deploy-checks';
import type { CloudbaseRc } from './cloudbaserc';

const good: CloudbaseRc = {
  envId: '{{env.TCB_ENV_ID}}',
  functionRoot: './build/cloudfunctions',
  functions: [{ name: 'auth', handler: 'index.main', runtime: 'Nodejs18.15', installDependency: false, timeout: 10 }],
};

test('the project\'s own cloudbaserc.json passes', () => {
  const rc = JSON.parse(readFileSync(join(__dirname, '..', '..', 'cloudbaserc.json'), 'utf8')) as CloudbaseRc;
  expect(checkCloudbaseRc(rc, rc.functions.map((f) => f.name))).toEqual([]);
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
  expect(checkCloudbaseRc(rc, ['auth', 'admin'])).toEqual([expect.stringContaining('installDependency'), expect.stringContaining('"admin" is built but not declared')]);
});

test('timer triggers need a 7-field cron', () => {
  const rc = { ...good, functions: [{ ...good.functions[0]!, triggers: [{ name: 'daily', type: 'timer', config: '0 2 * * *' }] }] };
  expect(checkCloudbaseRc(rc, ['auth'])).toEqual([expect.stringContaining('7-field')]);
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
