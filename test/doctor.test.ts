/**
 * `npm run doctor` against the emulator (three ways auth can be deployed), its
 * protection, the command itself, and the live target over a stand-in manager.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { DEFAULT_APPID } from '../emulator/emulator';
import { encodeEnvValue } from '../cloudfunctions/_shared/config';
import { emulatorTarget, expectations, liveTarget, printReport, runDoctor, type DoctorReport } from '../scripts/doctor';
import type { DeployManager } from '../scripts/deploy';
import { startEmulator, type TestEmulator } from './support/emulator';

const KEY = 'doctor-key-for-tests';
let devtools: TestEmulator; // auth uploaded from DevTools: the cloud call is allowed
let cliNoCredentials: TestEmulator; // deployed by the CLI, no WeChat credentials
let cliWithCredentials: TestEmulator; // deployed by the CLI, WECHAT_APPID/WECHAT_APPSECRET set
beforeAll(async () => {
  [devtools, cliNoCredentials, cliWithCredentials] = await Promise.all([
    startEmulator({ env: { DOCTOR_KEY: KEY } }),
    startEmulator({ openapiPermission: 'none', env: { DOCTOR_KEY: KEY } }),
    startEmulator({ openapiPermission: 'none', env: { DOCTOR_KEY: KEY, WECHAT_APPID: DEFAULT_APPID, WECHAT_APPSECRET: 'appsecret' } }),
  ]);
});
afterAll(() => Promise.all([devtools.stop(), cliNoCredentials.stop(), cliWithCredentials.stop()]));

const exchange = (report: DoctorReport) => report.results.find((r) => r.check.startsWith('phone login'))!;
const charges = async (t: TestEmulator) => (await t.http<{ total: number }>('GET', '/v1/wechat/charges')).body.total;

test('uploaded from DevTools: the exchange works through the cloud call; collections exist; no charge', async () => {
  const report = await runDoctor(emulatorTarget(devtools.url, { DOCTOR_KEY: KEY }));
  expect(exchange(report)).toMatchObject({ ok: true, detail: expect.stringContaining('works through the cloud call') });
  expect(report.results.find((r) => r.check === 'collections')).toMatchObject({ ok: true });
  expect(report.results.find((r) => r.check === 'timer cron/hourly')).toMatchObject({ ok: true });
  expect(report.results.find((r) => r.check === 'variables of auth')).toMatchObject({
    ok: true,
    detail: expect.stringContaining('set: DOCTOR_KEY'),
  });
  // WeChat's push path reaches the provider function (which refuses the unsigned probe).
  expect(report.results.find((r) => r.check === 'HTTP access /provider-events')).toMatchObject({
    ok: true,
    detail: expect.stringMatching(/reaches provider \(an unsigned request is answered (403|503)\)/),
  });
  expect(report.ok).toBe(true);
  expect(await charges(devtools)).toBe(0);
});

test('deployed by the CLI without credentials: says plainly that phone login does not work and what to do', async () => {
  const report = await runDoctor(emulatorTarget(cliNoCredentials.url, { DOCTOR_KEY: KEY }));
  expect(report.ok).toBe(false);
  expect(exchange(report).ok).toBe(false);
  expect(exchange(report).detail).toContain('does NOT work: auth has no cloud-call permission (-604101');
  expect(exchange(report).detail).toContain('upload auth once from WeChat DevTools');
  expect(await charges(cliNoCredentials)).toBe(0);
});

test('deployed by the CLI with credentials: works over HTTPS, still no charge', async () => {
  const report = await runDoctor(emulatorTarget(cliWithCredentials.url, { DOCTOR_KEY: KEY }));
  expect(exchange(report)).toMatchObject({ ok: true, detail: expect.stringContaining('works over HTTPS') });
  expect(report.ok).toBe(true);
  expect(await charges(cliWithCredentials)).toBe(0);
});

test('the diagnostic route is closed to a wrong key, to no key, and to any mini program user', async () => {
  const wrong = await runDoctor(emulatorTarget(devtools.url, { DOCTOR_KEY: 'guess' }));
  expect(exchange(wrong)).toMatchObject({ ok: false, detail: expect.stringContaining('FORBIDDEN') });
  const none = await runDoctor(emulatorTarget(devtools.url, {}));
  expect(exchange(none)).toMatchObject({ ok: false, detail: expect.stringContaining('DOCTOR_KEY is not set') });
  // Even with the right key, a call carrying an OPENID is a user's: refused.
  expect(await devtools.call('auth', { $url: 'doctor', key: KEY }, 'o_alice')).toEqual({
    ok: false,
    error: expect.objectContaining({ code: 'FORBIDDEN' }),
  });
  // Nor does a user learn anything by guessing or by asking about variables: the same refusal, no data.
  for (const event of [
    { key: 'guess', variables: ['WECHAT_APPSECRET', 'DOCTOR_KEY'], collections: ['users'] },
    { key: KEY, variables: ['DOCTOR_KEY'] },
  ]) {
    const answer = await devtools.call('auth', { $url: 'doctor', ...event }, 'o_alice');
    expect(answer).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: 'The diagnostic route is not for mini program users.' } });
  }
  // A server-side caller needs DOCTOR_KEY: unset on auth, the route is closed to every key.
  expect(await cliNoCredentials.call('auth', { $url: 'doctor', key: KEY }, null)).toMatchObject({ ok: true });
  const closed = await startEmulator({ env: {} });
  try {
    expect(await closed.call('auth', { $url: 'doctor', key: 'anything' }, null)).toEqual({
      ok: false,
      error: expect.objectContaining({ code: 'FORBIDDEN', message: expect.stringContaining('DOCTOR_KEY is not set') }),
    });
  } finally {
    await closed.stop();
  }
});

function runCommand(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  const root = path.join(__dirname, '..');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'scripts', 'doctor.ts'), ...args], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.once('exit', (code) => resolve({ code, out }));
  });
}

test('npm run doctor -- --emulator URL: exit 0 when all is well, 1 with the reason otherwise', async () => {
  const good = await runCommand(['--emulator', devtools.url], { DOCTOR_KEY: KEY });
  expect(good.out).toContain('✓ phone login (code exchange): works through the cloud call');
  expect(good.out).toContain('Everything checked is in order.');
  expect(good.code).toBe(0);
  const bad = await runCommand(['--emulator', cliNoCredentials.url], { DOCTOR_KEY: KEY });
  expect(bad.out).toContain('✗ phone login (code exchange): does NOT work');
  expect(bad.code).toBe(1);
});

test("live: the key comes from auth's configuration; rules and the timer are read from the cloud", async () => {
  const invoked: Array<Record<string, unknown>> = [];
  const manager: DeployManager = {
    functions: {
      async getFunctionDetail(name) {
        if (name === 'auth')
          return {
            Environment: {
              Variables: [
                { Key: 'DOCTOR_KEY', Value: encodeEnvValue('k"ey') },
                { Key: 'ADMIN_OPENIDS', Value: 'o_boss' },
              ],
            },
          };
        if (name === 'cron')
          return {
            Triggers: [{ TriggerName: 'hourly', Type: 'timer', TriggerDesc: '{"cron":"0 5 * * * * *"}' }],
            Environment: { Variables: [] },
          };
        if (name === 'provider') return { Environment: { Variables: [{ Key: 'PROVIDER_PUSH_TOKEN', Value: 'push-token' }] } };
        return { Environment: { Variables: [] } };
      },
      async invokeFunction(_name, params) {
        invoked.push(params ?? {});
        const data = {
          exchange: { cloudCall: { errcode: -604101, verdict: 'no-permission' }, https: { errcode: 40029, verdict: 'works' }, works: true },
          variables: { DOCTOR_KEY: true, ADMIN_OPENIDS: true },
          collections: Object.fromEntries(expectations().collections.map((c) => [c, c !== 'users'])),
        };
        return { InvokeResult: 0, RetMsg: JSON.stringify({ ok: true, data }) };
      },
    },
    database: {
      createCollectionIfNotExists: async () => ({}),
      checkCollectionExists: async () => ({ Exists: true }),
      // admins has its index; phone_charges lacks one (created by hand, another name).
      describeCollection: async (name) => ({
        Indexes:
          name === 'phone_charges'
            ? [
                {
                  Name: 'exchange_chargedAt',
                  Keys: [
                    { Name: 'exchange', Direction: '1' },
                    { Name: 'chargedAt', Direction: '1' },
                  ],
                },
                {
                  Name: 'chargedAt_id',
                  Keys: [
                    { Name: 'chargedAt', Direction: '-1' },
                    { Name: '_id', Direction: '-1' },
                  ],
                },
                { Name: 'by_hand', Keys: [{ Name: 'counted', Direction: '1' }] },
              ]
            : (expectations().indexes[name] ?? []).map((i) => ({
                Name: i.name,
                Keys: i.keys.map(([f, d]) => ({ Name: f, Direction: String(d) })),
                Unique: i.unique,
              })),
      }),
      updateCollection: async () => ({}),
    },
    access: {
      createAccess: async () => ({}),
      switchPathAuth: async () => ({}),
      getDomainList: async () => ({ DefaultDomain: 'env-123.service.tcloudbase.com' }),
      // Made in the console with path auth on: WeChat's pushes would never reach provider.
      getAccessList: async () => ({
        APISet: [{ APIId: 'a1', Path: '/provider-events', Type: 1, Name: 'provider', EnableAuth: true }],
        EnableService: true,
      }),
    },
    commonService: () => ({
      async call({ Param }) {
        const expected = expectations().rules.find((r) => r.collection === Param.CollectionName)!.rule;
        return Param.CollectionName === 'settings'
          ? { AclTag: 'CUSTOM', Rule: '{"read":"auth != null","write":false}' }
          : { AclTag: 'CUSTOM', Rule: JSON.stringify(expected) };
      },
    }),
  };
  const report = await runDoctor(liveTarget(manager, 'env-123', {}));
  expect(invoked[0]).toMatchObject({ $url: 'doctor', key: 'k"ey' });
  expect(exchange(report)).toMatchObject({ ok: true, detail: expect.stringContaining('works over HTTPS') });
  expect(report.results.find((r) => r.check === 'collections')).toMatchObject({
    ok: false,
    detail: 'missing: users (npm run deploy creates them)',
  });
  expect(report.results.find((r) => r.check === 'rules of settings')).toMatchObject({ ok: false });
  expect(report.results.find((r) => r.check === 'timer cron/hourly')).toMatchObject({ ok: true });
  expect(report.results.find((r) => r.check === 'HTTP access /provider-events')).toMatchObject({
    ok: false,
    detail: expect.stringContaining('requires CloudBase authentication'),
  });
  expect(report.results.find((r) => r.check === 'variables of admin')).toMatchObject({
    ok: true,
    detail: expect.stringContaining('set: none'),
  });
  expect(report.results.find((r) => r.check === 'indexes of admins')).toMatchObject({ ok: true, detail: 'all 1 as in database-indexes/' });
  expect(report.results.find((r) => r.check === 'indexes of phone_charges')).toMatchObject({
    ok: false,
    detail: expect.stringMatching(/^missing: counted_billable \(npm run deploy creates them.*; online but not declared: by_hand$/),
  });
  const lines: string[] = [];
  printReport(report, (l) => lines.push(l));
  expect(lines.at(-1)).toBe('Problems found (✗ above).');
});

test("a CloudBase error on the cloud call (≤ -500000) keeps its value and meaning: not read as WeChat's timeout", async () => {
  await devtools.http('POST', '/v1/faults', { target: 'openapi:phonenumber.getPhoneNumber', errcode: -501001, times: 1 });
  try {
    const report = await runDoctor(emulatorTarget(devtools.url, { DOCTOR_KEY: KEY }));
    expect(exchange(report)).toMatchObject({
      ok: false,
      detail: expect.stringContaining('-501001 (a CloudBase error, not an answer from WeChat)'),
    });
    expect(exchange(report).detail).not.toContain('did not answer in time');
  } finally {
    await devtools.http('DELETE', '/v1/faults');
  }
});
