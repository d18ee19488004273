/**
 * The real (non-dry) deploy path against stand-ins at the process boundary: a fake
 * `tcb` executable (spawned like the real CLI, it records its argv and environment and
 * applies the config file it is given to a fake cloud kept in a JSON file) and a fake
 * manager-node over the same cloud. Every call lands in one ordered log.
 */
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliRunner, deploy, DeployError, planDeploy, runDeploy, type DeployManager, type Project } from './deploy';
import { readCloudEnv } from './lib/cloud-env';
import { decodeEnvValue } from '../cloudfunctions/_shared/config';
import type { FunctionDetail, LiveHttpRoute } from './lib/deploy-plan';
import type { LiveIndex } from './lib/indexes';

interface Cloud {
  functions: Record<string, FunctionDetail>;
  rules: Record<string, { AclTag: string; Rule: string }>;
  collections: string[];
  /** HTTP access paths (DescribeCloudBaseGWAPI's APISet). */
  http: LiveHttpRoute[];
  /** Indexes per collection (DescribeTable's Indexes). */
  indexes?: Record<string, LiveIndex[]>;
}

const FAKE_TCB = `#!/usr/bin/env node
// A stand-in for the CloudBase CLI: records the call, then does what \`tcb fn deploy --force\` does to the cloud.
const fs = require('fs');
const args = process.argv.slice(2);
const log = (entry) => fs.appendFileSync(process.env.FAKE_LOG, JSON.stringify(entry) + '\\n');
const configFile = args[args.indexOf('--config-file') + 1];
const name = args[args.indexOf('deploy') + 1];
log({ who: 'tcb', args, secretIdInEnv: Boolean(process.env.TENCENTCLOUD_SECRETID), secretKeyInEnv: Boolean(process.env.TENCENTCLOUD_SECRETKEY), config: JSON.parse(fs.readFileSync(configFile, 'utf8')) });
const mode = (process.env.FAKE_TCB_MODE || '').split(':');
if (mode[0] === 'exit' && mode[1] === name) process.exit(Number(mode[2]));
if (mode[0] === 'silent' && mode[1] === name) process.exit(0); // logs a failure, exits 0, changes nothing
const cloud = JSON.parse(fs.readFileSync(process.env.FAKE_CLOUD, 'utf8'));
const fn = JSON.parse(fs.readFileSync(configFile, 'utf8')).functions.find((f) => f.name === name);
const old = cloud.functions[name] || { Triggers: [], Environment: { Variables: [] } };
const vars = Object.entries(fn.envVariables || {});
cloud.functions[name] = {
  Runtime: fn.runtime, Handler: fn.handler, Timeout: fn.timeout, MemorySize: fn.memorySize, Status: 'Active',
  // The CLI replaces every variable when it sends any, and keeps them when it sends none.
  Environment: { Variables: vars.length ? vars.map(([Key, Value]) => ({ Key, Value })) : old.Environment.Variables },
  Triggers: [...old.Triggers.filter((t) => !(fn.triggers || []).some((n) => n.name === t.TriggerName)), ...(fn.triggers || []).map((t) => ({ TriggerName: t.name, Type: t.type, TriggerDesc: t.config }))],
};
fs.writeFileSync(process.env.FAKE_CLOUD, JSON.stringify(cloud));
`;

let dir: string;
let cloudFile: string;
let logFile: string;
let tcbPath: string;
const savedEnv = { ...process.env };

function readCloud(): Cloud {
  return JSON.parse(readFileSync(cloudFile, 'utf8')) as Cloud;
}
function writeCloud(cloud: Cloud): void {
  writeFileSync(cloudFile, JSON.stringify(cloud));
}
function record(entry: Record<string, unknown>): void {
  writeFileSync(logFile, JSON.stringify({ who: 'manager', ...entry }) + '\n', { flag: 'a' });
}
function calls(): Array<Record<string, unknown>> {
  return existsSync(logFile)
    ? readFileSync(logFile, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>)
    : [];
}
/** One line per call: "tcb deploy auth", "manager getFunctionDetail auth", … */
const summary = () =>
  calls().map((c) =>
    c.who === 'tcb' ? `tcb ${(c.args as string[]).slice(2, 5).join(' ')}` : `manager ${String(c.call)} ${String(c.arg ?? '')}`.trim(),
  );

/** manager-node's surface, over the fake cloud. */
function fakeManager(
  opts: {
    ruleDrift?: string;
    exchange?: 'cloud' | 'none';
    httpService?: boolean;
    httpCreateIgnoresAuth?: boolean;
    indexesIgnored?: boolean;
  } = {},
): DeployManager {
  return {
    access: {
      async createAccess({ path, name, type, auth }) {
        record({ call: 'createAccess', arg: `${path} ${name} type=${type} auth=${auth}` });
        const cloud = readCloud();
        if (cloud.http.some((a) => a.Path === path))
          throw Object.assign(new Error('[CreateCloudBaseGWAPI] InvalidParameter.APICreated'), { code: 'InvalidParameter.APICreated' });
        cloud.http.push({
          APIId: `api-${cloud.http.length + 1}`,
          Path: path,
          Type: type,
          Name: name,
          EnableAuth: opts.httpCreateIgnoresAuth ? true : Boolean(auth),
        });
        writeCloud(cloud);
        return { APIId: 'x' };
      },
      async getAccessList(options) {
        record({ call: 'getAccessList', arg: options?.path });
        return {
          APISet: readCloud().http.filter((a) => !options?.path || a.Path === options.path),
          EnableService: opts.httpService ?? true,
        };
      },
      async switchPathAuth({ apiIds, auth }) {
        record({ call: 'switchPathAuth', arg: `${apiIds.join(',')} auth=${auth}` });
        const cloud = readCloud();
        for (const a of cloud.http) if (apiIds.includes(a.APIId!)) a.EnableAuth = auth;
        writeCloud(cloud);
        return {};
      },
      async getDomainList() {
        return { DefaultDomain: 'env-123.service.tcloudbase.com', EnableService: opts.httpService ?? true };
      },
    },
    functions: {
      async getFunctionDetail(name) {
        record({ call: 'getFunctionDetail', arg: name });
        const fn = readCloud().functions[name];
        if (!fn)
          throw Object.assign(new Error(`[${name}] ResourceNotFound.Function: function not exist`), { code: 'ResourceNotFound.Function' });
        return fn;
      },
      async invokeFunction(name) {
        record({ call: 'invokeFunction', arg: name });
        // auth.doctor as it answers after this deploy: no cloud-call permission; HTTPS as configured.
        const cloudCall = opts.exchange === 'cloud' ? { errcode: 40029, verdict: 'works' } : { errcode: -604101, verdict: 'no-permission' };
        const data = {
          exchange: { cloudCall, https: { errcode: null, verdict: 'not-configured' }, works: opts.exchange === 'cloud' },
          variables: {},
          collections: { settings: true, users: true },
        };
        return { RetMsg: JSON.stringify({ ok: true, data }), InvokeResult: 0 };
      },
    },
    database: {
      async createCollectionIfNotExists(name) {
        record({ call: 'createCollectionIfNotExists', arg: name });
        const cloud = readCloud();
        if (!cloud.collections.includes(name)) cloud.collections.push(name);
        writeCloud(cloud);
        return {};
      },
      async checkCollectionExists(name) {
        return { Exists: readCloud().collections.includes(name) };
      },
      async describeCollection(name) {
        record({ call: 'describeCollection', arg: name });
        return {
          Indexes: [{ Name: '_id_', Keys: [{ Name: '_id', Direction: '1' }], Unique: true }, ...(readCloud().indexes?.[name] ?? [])],
        };
      },
      async updateCollection(name, change) {
        record({ call: 'updateCollection', arg: `${name} ${change.CreateIndexes.map((c) => c.IndexName).join(',')}` });
        if (opts.indexesIgnored) return {}; // answers success, creates nothing
        const cloud = readCloud();
        const live = (cloud.indexes ??= {})[name] ?? [];
        for (const c of change.CreateIndexes)
          live.push({ Name: c.IndexName, Keys: c.MgoKeySchema.MgoIndexKeys, Unique: c.MgoKeySchema.MgoIsUnique });
        cloud.indexes[name] = live;
        writeCloud(cloud);
        return {};
      },
    },
    commonService() {
      return {
        async call({ Action, Param }) {
          record({ call: Action, arg: Param.CollectionName });
          const cloud = readCloud();
          const collection = Param.CollectionName as string;
          if (Action === 'ModifySafeRule') {
            cloud.rules[collection] = {
              AclTag: Param.AclTag as string,
              Rule: opts.ruleDrift === collection ? '{"read":true,"write":true}' : (Param.Rule as string),
            };
            writeCloud(cloud);
            return {};
          }
          if (Action === 'DescribeSafeRule') return cloud.rules[collection] ?? {};
          throw new Error(`unexpected action ${Action}`);
        },
      };
    },
  };
}

const CATALOGUE = '[{"kind":"quick","calls":1000,"validityDays":365,"priceYuan":30}]';

const project: Project = {
  rc: {
    envId: '{{env.TCB_ENV_ID}}',
    functionRoot: './build/cloudfunctions',
    functions: [
      {
        name: 'auth',
        handler: 'index.main',
        runtime: 'Nodejs18.15',
        timeout: 10,
        memorySize: 256,
        installDependency: false,
        variables: ['ADMIN_OPENIDS', 'WECHAT_APPID', 'WECHAT_APPSECRET', 'TRIAL_CALLS', 'DOCTOR_KEY'],
      },
      {
        name: 'cron',
        handler: 'index.main',
        runtime: 'Nodejs18.15',
        timeout: 60,
        memorySize: 256,
        installDependency: false,
        variables: ['ADMIN_OPENIDS', 'QUOTA_PACK_CATALOGUE'],
      },
      {
        name: 'provider',
        handler: 'index.main',
        runtime: 'Nodejs18.15',
        timeout: 20,
        memorySize: 256,
        installDependency: false,
        variables: ['PROVIDER_PUSH_TOKEN'],
        httpPaths: ['/provider-events'],
      },
    ],
  },
  built: [
    { name: 'auth', bytes: 1000, config: { permissions: { openapi: ['phonenumber.getPhoneNumber'] } }, reads: [] },
    { name: 'cron', bytes: 1000, config: { triggers: [{ name: 'hourly', type: 'timer', config: '0 5 * * * * *' }] }, reads: [] },
    { name: 'provider', bytes: 1000, config: {}, reads: [] },
  ],
  httpRoutes: [{ path: '/provider-events', fn: 'provider' }],
  indexes: {
    users: [{ name: 'phone', keys: [['phone', 1]], unique: true }],
    settings: [],
  },
  rules: [
    { collection: 'settings', rule: { read: false, write: false } },
    { collection: 'users', rule: { read: false, write: false } },
  ],
  problems: [],
  notes: [],
};

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'quickphone-deploy-test-'));
  cloudFile = join(dir, 'cloud.json');
  logFile = join(dir, 'calls.jsonl');
  tcbPath = join(dir, 'tcb');
  writeFileSync(tcbPath, FAKE_TCB);
  chmodSync(tcbPath, 0o755);
  process.env.FAKE_CLOUD = cloudFile;
  process.env.FAKE_LOG = logFile;
  process.env.TENCENTCLOUD_SECRETID = 'AKIDtest';
  process.env.TENCENTCLOUD_SECRETKEY = 'the-secret-key';
  delete process.env.FAKE_TCB_MODE;
  // auth already exists online with a secret set in the console; cron does not exist yet.
  writeCloud({
    functions: {
      auth: {
        Runtime: 'Nodejs18.15',
        Handler: 'index.main',
        Timeout: 10,
        MemorySize: 256,
        Status: 'Active',
        Environment: {
          Variables: [
            { Key: 'WECHAT_APPSECRET', Value: 'set-in-the-console' },
            { Key: 'ADMIN_OPENIDS', Value: 'o_old' },
            { Key: 'CONSOLE_ONLY', Value: 'kept' },
          ],
        },
        Triggers: [],
      },
    },
    rules: {},
    collections: [],
    http: [],
  });
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  process.env = { ...savedEnv };
});

const local = {
  ADMIN_OPENIDS: 'o_boss',
  WECHAT_APPID: 'wx5eed1e0c0ffee001',
  QUOTA_PACK_CATALOGUE: CATALOGUE,
  TRIAL_CALLS: '',
  PROVIDER_PUSH_TOKEN: 'push-token',
};
const logLines: string[] = [];
const deps = (manager = fakeManager()) => ({ manager, tcb: cliRunner(tcbPath), log: (l: string) => logLines.push(l) });

async function run(manager = fakeManager()): Promise<void> {
  const plans = await planDeploy(project, local, manager);
  await deploy(project, plans, 'env-123', deps(manager));
}

test('every step in order, each read back; secrets only in the environment; nothing empty; awkward values encoded; console values kept', async () => {
  await run();
  expect(summary()).toEqual([
    'manager getFunctionDetail auth',
    'manager getFunctionDetail cron',
    'manager getFunctionDetail provider',
    'tcb fn deploy auth',
    'manager getFunctionDetail auth',
    'tcb fn deploy cron',
    'manager getFunctionDetail cron',
    'tcb fn deploy provider',
    'manager getFunctionDetail provider',
    // WeChat's pushes need the route, which needs the function: after the functions, read back.
    'manager getAccessList /provider-events',
    'manager createAccess /provider-events provider type=1 auth=false',
    'manager getAccessList /provider-events',
    'manager createCollectionIfNotExists settings',
    'manager ModifySafeRule settings',
    'manager DescribeSafeRule settings',
    'manager createCollectionIfNotExists users',
    'manager ModifySafeRule users',
    'manager DescribeSafeRule users',
    // Indexes after the rules (the collections exist by then), each created one read back.
    'manager describeCollection settings',
    'manager describeCollection users',
    'manager updateCollection users phone',
    'manager describeCollection users',
  ]);
  const tcbCalls = calls().filter((c) => c.who === 'tcb');
  for (const c of tcbCalls) {
    const args = c.args as string[];
    expect(args).toEqual([
      '--config-file',
      expect.stringMatching(/cloudbaserc\.json$/),
      'fn',
      'deploy',
      expect.any(String),
      '-e',
      'env-123',
      '--force',
      '--yes',
    ]);
    expect(args.join(' ')).not.toContain('the-secret-key');
    expect(c.secretIdInEnv && c.secretKeyInEnv).toBe(true);
    const config = c.config as { envId: string; functions: Array<{ envVariables: Record<string, string> }> };
    expect(config.envId).toBe('env-123');
    expect(JSON.stringify(config)).not.toContain('{{');
    for (const fn of config.functions) for (const value of Object.values(fn.envVariables)) expect(value).not.toBe('');
  }
  const cloud = readCloud();
  const vars = (name: string) => Object.fromEntries((cloud.functions[name]!.Environment!.Variables ?? []).map((v) => [v.Key, v.Value]));
  // The secret set in the console survives a deploy from a machine whose .env lacks it.
  expect(vars('auth')).toMatchObject({
    WECHAT_APPSECRET: 'set-in-the-console',
    ADMIN_OPENIDS: 'o_boss',
    WECHAT_APPID: 'wx5eed1e0c0ffee001',
    CONSOLE_ONLY: 'kept',
  });
  expect(vars('auth')).not.toHaveProperty('TRIAL_CALLS'); // empty locally, absent online: not sent
  expect(vars('auth').DOCTOR_KEY).toMatch(/^[0-9a-f]{48}$/); // generated once
  // The JSON catalogue travels encoded and decodes to the original.
  expect(vars('cron').QUOTA_PACK_CATALOGUE).toMatch(/^base64:/);
  expect(decodeEnvValue(vars('cron').QUOTA_PACK_CATALOGUE!)).toBe(CATALOGUE);
  // One trigger, from config.json, created by the deploy itself (no separate trigger step).
  expect(cloud.functions.cron!.Triggers).toEqual([{ TriggerName: 'hourly', Type: 'timer', TriggerDesc: '0 5 * * * * *' }]);
  expect(cloud.rules.users).toEqual({ AclTag: 'CUSTOM', Rule: '{"read":false,"write":false}' });
  expect(cloud.indexes?.users).toEqual([{ Name: 'phone', Keys: [{ Name: 'phone', Direction: '1' }], Unique: true }]);
  expect(logLines).toContain('  ✓ index users.phone (phone:1 (unique)) — created, read back');
});

test('indexes: a second deploy creates nothing; one online that nobody declared is reported and left; one that does not read back fails the deploy', async () => {
  await run();
  const cloud = readCloud();
  cloud.indexes!.settings = [{ Name: 'by_hand', Keys: [{ Name: 'x', Direction: '1' }], Unique: false }];
  writeCloud(cloud);
  logLines.length = 0;
  writeFileSync(logFile, '');
  await run();
  expect(summary().filter((l) => l.includes('updateCollection'))).toEqual([]);
  expect(logLines).toContain('  ✓ index users.phone — already there');
  expect(logLines).toContain('  ! index settings.by_hand is online but not in database-indexes/settings.json — left in place');
  expect(readCloud().indexes!.settings).toHaveLength(1);

  writeCloud({ ...readCloud(), indexes: {} });
  const err = await run(fakeManager({ indexesIgnored: true })).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(DeployError);
  expect((err as Error).message).toMatch(
    /applying database-indexes\/ failed:\n {2}- indexes of "users" not found when read back after creating them: phone/,
  );
});

test('a second deploy keeps the generated DOCTOR_KEY and does not double the trigger or the HTTP access path', async () => {
  await run();
  const key = readCloud().functions.auth!.Environment!.Variables!.find((v) => v.Key === 'DOCTOR_KEY')!.Value;
  await run();
  const cloud = readCloud();
  expect(cloud.functions.auth!.Environment!.Variables!.find((v) => v.Key === 'DOCTOR_KEY')!.Value).toBe(key);
  expect(cloud.functions.cron!.Triggers).toHaveLength(1);
  expect(cloud.http).toEqual([{ APIId: 'api-1', Path: '/provider-events', Type: 1, Name: 'provider', EnableAuth: false }]);
  expect(summary().filter((s) => s.startsWith('manager createAccess'))).toHaveLength(1);
});

test('the push path made in the console with path auth on: switched off (WeChat carries no CloudBase login), read back', async () => {
  const cloud = readCloud();
  cloud.http.push({ APIId: 'api-console', Path: '/provider-events', Type: 1, Name: 'provider', EnableAuth: true });
  writeCloud(cloud);
  await run();
  expect(summary()).toContain('manager switchPathAuth api-console auth=false');
  expect(summary().some((s) => s.startsWith('manager createAccess'))).toBe(false);
  expect(readCloud().http).toEqual([expect.objectContaining({ APIId: 'api-console', EnableAuth: false })]);
});

test('the push path leading to another function is refused, not taken over: nothing after it runs', async () => {
  const cloud = readCloud();
  cloud.http.push({ APIId: 'api-other', Path: '/provider-events', Type: 1, Name: 'someone-elses', EnableAuth: false });
  writeCloud(cloud);
  const err = await run().catch((e: unknown) => e);
  expect((err as Error).message).toMatch(
    /creating HTTP access path "\/provider-events" → function "provider" failed:\n {2}- the path already leads to function "someone-elses"/,
  );
  expect(readCloud().http).toEqual([expect.objectContaining({ Name: 'someone-elses' })]);
  expect(summary().some((s) => s.includes('Rule') || s.startsWith('manager createAccess'))).toBe(false);
});

test('a push path that reads back with auth on, or HTTP access switched off, fails naming it: no rules applied', async () => {
  const err = await run(fakeManager({ httpCreateIgnoresAuth: true })).catch((e: unknown) => e);
  expect((err as Error).message).toContain('HTTP access path "/provider-events" requires CloudBase authentication');
  expect(summary().some((s) => s.includes('Rule'))).toBe(false);
  writeCloud({ ...readCloud(), http: [] });
  const off = await run(fakeManager({ httpService: false })).catch((e: unknown) => e);
  expect((off as Error).message).toContain('HTTP access (HTTP 访问服务) is switched off for the environment');
});

test('a required secret empty in .env and online: refused before anything is deployed, naming it', async () => {
  const cloud = readCloud();
  cloud.functions.auth!.Environment!.Variables = [];
  writeCloud(cloud);
  await expect(planDeploy(project, local, fakeManager())).rejects.toThrow(
    /WECHAT_APPSECRET is empty \(in \.env and online\) while WECHAT_APPID is set/,
  );
  expect(summary().filter((s) => !s.startsWith('manager getFunctionDetail'))).toEqual([]);
});

test('the CLI failing (non-zero exit) stops the deploy: nothing after it runs', async () => {
  process.env.FAKE_TCB_MODE = 'exit:auth:1';
  const err = await run().catch((e: unknown) => e);
  expect(err).toBeInstanceOf(DeployError);
  expect((err as Error).message).toMatch(/deploying function "auth" failed:\n {2}- tcb exited with 1/);
  expect(summary()).toEqual([
    'manager getFunctionDetail auth',
    'manager getFunctionDetail cron',
    'manager getFunctionDetail provider',
    'tcb fn deploy auth',
  ]);
});

test('the CLI "succeeding" (exit 0) without deploying is caught by the read-back: nothing after it runs', async () => {
  process.env.FAKE_TCB_MODE = 'silent:cron';
  const err = await run().catch((e: unknown) => e);
  expect((err as Error).message).toMatch(
    /deploying function "cron" failed:\n {2}- function "cron" is not in the environment after the deploy/,
  );
  expect(summary().at(-1)).toBe('manager getFunctionDetail cron');
  expect(summary().some((s) => s.includes('Rule'))).toBe(false);
});

test('a deployed function that differs from the plan (an old variable left behind empty) fails naming it', async () => {
  process.env.FAKE_TCB_MODE = 'silent:auth';
  const cloud = readCloud();
  cloud.functions.auth!.Environment!.Variables!.push({ Key: 'TRIAL_CALLS', Value: '' });
  writeCloud(cloud);
  const err = await run().catch((e: unknown) => e);
  expect((err as Error).message).toContain('variable ADMIN_OPENIDS does not hold the value sent');
  expect((err as Error).message).toContain('variable TRIAL_CALLS is empty');
  expect(summary().some((s) => s === 'tcb fn deploy cron')).toBe(false);
});

test('a rule that reads back different stops before the next collection', async () => {
  const err = await run(fakeManager({ ruleDrift: 'settings' })).catch((e: unknown) => e);
  expect((err as Error).message).toMatch(
    /applying the rules of "settings" failed:\n {2}- rules of "settings": online \{"read":true,"write":true\}, expected \{"read":false,"write":false\}/,
  );
  expect(summary().some((s) => s.endsWith('users'))).toBe(false);
});

describe('the whole real deploy (npm run deploy after its checks)', () => {
  let root: string;
  const expected = {
    functions: [
      { name: 'auth', declared: project.rc.functions[0]!.variables! },
      { name: 'cron', declared: project.rc.functions[1]!.variables! },
      { name: 'provider', declared: project.rc.functions[2]!.variables! },
    ],
    collections: ['settings', 'users'],
    rules: project.rules,
    timers: [{ fn: 'cron', trigger: { name: 'hourly', type: 'timer', config: '0 5 * * * * *' } }],
    httpRoutes: project.httpRoutes,
    indexes: project.indexes,
  };
  beforeEach(() => {
    root = join(dir, 'project');
    mkdirSync(join(root, 'miniprogram'), { recursive: true });
    cpSync(join(__dirname, '..', 'miniprogram', 'cloud-env.ts'), join(root, 'miniprogram', 'cloud-env.ts'));
    logLines.length = 0;
  });
  const env = { ...local, TCB_ENV_ID: 'env-123' };

  test('ends with the environment in cloud-env.ts and the doctor; exit 0 when it finds nothing wrong', async () => {
    const code = await runDeploy(project, env, { ...deps(fakeManager({ exchange: 'cloud' })), root, expected });
    const steps = summary();
    expect(steps.indexOf('manager invokeFunction auth')).toBeGreaterThan(steps.lastIndexOf('manager ModifySafeRule users'));
    expect(readCloudEnv(root)).toBe('env-123');
    expect(logLines.at(-1)).toBe('Everything checked is in order.');
    expect(code).toBe(0);
  });

  test('the doctor finding phone login broken (CLI deploy, no credentials) makes it exit 1, saying so', async () => {
    const code = await runDeploy(project, env, { ...deps(fakeManager({ exchange: 'none' })), root, expected });
    expect(code).toBe(1);
    expect(logLines.join('\n')).toContain('✗ phone login (code exchange): does NOT work: auth has no cloud-call permission');
    expect(logLines.at(-1)).toContain('Deployed, but the doctor found problems');
  });

  test('a failing step: exit 1, no cloud-env.ts change, no doctor', async () => {
    process.env.FAKE_TCB_MODE = 'exit:cron:2';
    const code = await runDeploy(project, env, { ...deps(fakeManager({ exchange: 'cloud' })), root, expected });
    expect(code).toBe(1);
    expect(logLines.at(-1)).toMatch(/deploying function "cron" failed:\n {2}- tcb exited with 2\nNothing after this step was done\./);
    expect(summary().some((s) => s.includes('invokeFunction'))).toBe(false);
    expect(readCloudEnv(root)).toBe('');
  });
});
