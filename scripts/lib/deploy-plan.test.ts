import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDotEnv, unquotedHashes } from './cloudbaserc';
import { decodeEnvValue } from '../../cloudfunctions/_shared/runtime/config';
import { codeMoved, cronOf, fingerprintDescription, functionPlan, planTriggers, planVariables, VARIABLES_LIMIT_BYTES } from './deploy-plan';
import { cliFailures } from './tcb-cli';
import { checkRule } from './deploy-checks';
import { duplicateIndexKeys, planIndexes } from './indexes';

const fn = {
  name: 'auth',
  declared: ['ADMIN_OPENIDS', 'TRIAL_CALLS', 'WECHAT_APPID', 'WECHAT_APPSECRET', 'QUOTA_PACK_CATALOGUE', 'DOCTOR_KEY'],
};

describe('variables', () => {
  test('online ones pass through byte for byte, the project does not own them or not', () => {
    const online = { SET_IN_CONSOLE: '{"raw": "json"}', ADMIN_OPENIDS: 'o_old', DOCTOR_KEY: 'k' };
    const { variables, changes } = planVariables(fn, {}, online);
    expect(variables).toEqual(online);
    expect(changes).toEqual([]);
  });

  test('a declared one set locally replaces the value (encoded when awkward); unchanged values are not resent', () => {
    const json = '[{"kind":"quick"}]';
    const { variables, changes } = planVariables(
      fn,
      { ADMIN_OPENIDS: 'o_new', QUOTA_PACK_CATALOGUE: json, DOCTOR_KEY: 'k' },
      { DOCTOR_KEY: 'k' },
    );
    expect(variables.ADMIN_OPENIDS).toBe('o_new');
    expect(decodeEnvValue(variables.QUOTA_PACK_CATALOGUE!)).toBe(json);
    expect(changes).toEqual([
      { name: 'ADMIN_OPENIDS', change: 'set' },
      { name: 'QUOTA_PACK_CATALOGUE', change: 'set' },
    ]);
  });

  test('declared and empty locally (NAME=) removes it; absent locally keeps it', () => {
    const { variables, changes } = planVariables(fn, { TRIAL_CALLS: '' }, { TRIAL_CALLS: '500', ADMIN_OPENIDS: 'o_boss', DOCTOR_KEY: 'k' });
    expect(variables).toEqual({ ADMIN_OPENIDS: 'o_boss', DOCTOR_KEY: 'k' });
    expect(changes).toEqual([{ name: 'TRIAL_CALLS', change: 'removed' }]);
  });

  test('an empty secret beside its id is refused, naming it; DOCTOR_KEY is generated once', () => {
    const { problems, variables } = planVariables(fn, { WECHAT_APPID: 'wx1' }, {});
    expect(problems).toEqual([expect.stringContaining('WECHAT_APPSECRET is empty (in .env and online) while WECHAT_APPID is set')]);
    expect(variables.DOCTOR_KEY).toMatch(/^[0-9a-f]{48}$/);
  });

  test("SCF's 4 KB limit is checked on what the function would hold", () => {
    const { problems } = planVariables(fn, { ADMIN_OPENIDS: 'o'.repeat(VARIABLES_LIMIT_BYTES) }, { DOCTOR_KEY: 'k' });
    expect(problems).toEqual([expect.stringMatching(/over SCF's limit of 4096 .*ADMIN_OPENIDS/)]);
  });
});

describe('triggers', () => {
  const hourly = { name: 'hourly', type: 'timer', config: '0 5 * * * * *' };
  test('the same cron online (either way SCF writes it): nothing to do', () => {
    expect(planTriggers([hourly], [{ TriggerName: 'hourly', Type: 'timer', TriggerDesc: '0 5 * * * * *' }])).toEqual({
      remove: [],
      create: [],
    });
    expect(cronOf('{"cron":"0 5 * * * * *"}')).toBe('0 5 * * * * *');
  });
  test('a changed cron is deleted and re-created; one no longer declared is deleted', () => {
    expect(
      planTriggers(
        [{ ...hourly, config: '0 10 * * * * *' }],
        [
          { TriggerName: 'hourly', Type: 'timer', TriggerDesc: '0 5 * * * * *' },
          { TriggerName: 'old', Type: 'timer', TriggerDesc: '0 0 * * * * *' },
        ],
      ),
    ).toEqual({ remove: ['hourly', 'old'], create: [{ ...hourly, config: '0 10 * * * * *' }] });
  });
});

test('code identity: the same package after an upload is named as not shipped', () => {
  const before = { sha256: 'a'.repeat(64), size: 10, modTime: '2026-01-01 08:00:00' };
  expect(codeMoved('auth', before, { ...before })).toEqual([
    expect.stringContaining('function "auth": the code online is still the package from before'),
  ]);
  expect(codeMoved('auth', before, { ...before, sha256: 'b'.repeat(64) })).toEqual([]);
  expect(codeMoved('auth', null, null)).toEqual([expect.stringContaining('no code package online')]);
});

test("the CLI's failure lines count even when it exits 0: ✖, 部署失败, a missing identity, a device-code login", () => {
  expect(cliFailures('✔ [auth] Cloud function deployed successfully!\n')).toEqual([]);
  expect(cliFailures('- deploying\n✖ [auth] 函数部署失败\n✖   错误信息: No valid identity information\n')).toHaveLength(2);
  expect(cliFailures('Open https://example/device?user_code=ABCD in the browser\n')).toHaveLength(1);
});

test('a broken rule expression fails the dry run, naming the collection and the key', () => {
  expect(checkRule('users', { read: 'doc._openid == auth.openid &&', write: false })).toEqual([
    'database-rules/users.json: read: rule "doc._openid == auth.openid &&" ends early',
  ]);
  expect(checkRule('users', { read: 'doc._openid == auth.openid', write: false })).toEqual([]);
});

test('indexes are matched by keys: the same keys online under another name is that index; duplicates are refused', () => {
  const spec = {
    name: 'day_kind',
    keys: [
      ['day', 1],
      ['kind', 1],
    ] as Array<[string, 1]>,
    unique: false,
  };
  const plan = planIndexes(
    'usage_daily',
    [spec],
    [
      {
        Name: 'made_by_hand',
        Keys: [
          { Name: 'day', Direction: '1' },
          { Name: 'kind', Direction: '1' },
        ],
      },
    ],
  );
  expect(plan).toMatchObject({ create: [], same: ['day_kind (online as "made_by_hand")'], undeclared: [] });
  expect(duplicateIndexKeys({ usage_daily: [spec, { ...spec, name: 'again' }] })).toEqual([
    'database-indexes/usage_daily.json: "again" has the same keys as "day_kind" (day:1,kind:1); keep one',
  ]);
});

test('.env is read as dotenv reads it (quotes kept whole, # starts a comment); a # glued to an unquoted value is refused, value masked', () => {
  const dir = mkdtempSync(join(tmpdir(), 'quickphone-dotenv-'));
  const text = `Q_JSON='{"a":"#x"}'\nQ_DQ="x#y"\nQ_COMMENT=abc # a comment\nQ_CUT=abc#def\n`;
  writeFileSync(join(dir, '.env'), text);
  const saved = { ...process.env };
  try {
    loadDotEnv(dir);
    expect([process.env.Q_JSON, process.env.Q_DQ, process.env.Q_COMMENT, process.env.Q_CUT]).toEqual(['{"a":"#x"}', 'x#y', 'abc', 'abc']);
    expect(unquotedHashes(text)).toEqual([
      expect.stringMatching(/^\.env line 4: Q_CUT's value has a # without quotes, so it is read as "•••"/),
    ]);
  } finally {
    process.env = saved;
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a function online with another runtime is refused before anything is sent, naming the remedy; the same bundle online is not shipped again', () => {
  const rc = { name: 'auth', handler: 'index.main', runtime: 'Nodejs18.15', timeout: 10, memorySize: 256, installDependency: false };
  const online = {
    Runtime: 'Nodejs16.13',
    Handler: 'index.main',
    Timeout: 10,
    MemorySize: 256,
    Status: 'Active',
    Description: fingerprintDescription('f'.repeat(64)),
  };
  const { problems } = functionPlan(rc, { config: null, sha256: 'f'.repeat(64) }, [], {}, online);
  expect(problems).toEqual([
    expect.stringMatching(/runs Nodejs16\.13 online, not Nodejs18\.15.*delete auth in the console \(云开发 → 云函数 → auth → 删除/),
  ]);
  const same = functionPlan(rc, { config: null, sha256: 'f'.repeat(64) }, [], {}, { ...online, Runtime: 'Nodejs18.15' });
  expect(same).toMatchObject({ problems: [], plan: { code: 'unchanged', setVariables: false } });
  expect(functionPlan(rc, { config: null, sha256: 'e'.repeat(64) }, [], {}, { ...online, Runtime: 'Nodejs18.15' }).plan.code).toBe(
    'update',
  );
});
