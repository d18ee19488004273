/**
 * `npm run doctor` against the emulator (three ways auth can be deployed), its
 * protection, the command itself, and `npm run doctor` live: the real manager-node
 * against the Tencent Cloud stand-in (scripts/cloud-standin/).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { DEFAULT_APPID } from '../packages/cloudbase-emulator/src/emulator';
import { encodeEnvValue } from '../cloudfunctions/_shared/runtime/config';
import { emulatorTarget, expectations, runDoctor, type DoctorReport } from '../scripts/doctor';
import { startStandin } from '../scripts/cloud-standin/server';
import type { StandinFunction } from '../scripts/cloud-standin/state';
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

test("emulator: a DOCTOR_KEY added to .env after npm start is not auth's yet: the answer says to restart npm start", async () => {
  // devtools's auth holds KEY; the doctor presents another key, as after editing .env without a restart.
  const report = await runDoctor(emulatorTarget(devtools.url, { DOCTOR_KEY: 'a-key-added-later' }));
  expect(exchange(report).ok).toBe(false);
  expect(exchange(report).detail).toContain('restart npm start');
  expect(exchange(report).detail).not.toContain('deployed from this version');
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
    expect(answer).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: 'This route is not for mini program users.' } });
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

test("live (npm run doctor with the real manager-node against the Tencent Cloud stand-in): key from auth's configuration, rules, timer, indexes, HTTP access read from the cloud", async () => {
  const secret = { secretId: 'AKIDdoctorTest', secretKey: 'doctor-test-secret' };
  const standin = await startStandin({ envId: 'env-123', ...secret });
  try {
    const expected = expectations();
    const { state } = standin;
    const fn = (name: string, variables: Record<string, string>, triggers: StandinFunction['Triggers'] = []): StandinFunction => ({
      FunctionName: name,
      Runtime: 'Nodejs18.15',
      Handler: 'index.main',
      Timeout: 10,
      MemorySize: 256,
      Description: '',
      Status: 'Active',
      InstallDependency: 'FALSE',
      Environment: { Variables: Object.entries(variables).map(([Key, Value]) => ({ Key, Value })) },
      Triggers: triggers,
      CodeSha256: 'a'.repeat(64),
      CodeSize: 1,
      ModTime: '2026-01-01 08:00:00',
      AddTime: '2026-01-01 08:00:00',
      code: {},
    });
    // The key is awkward on purpose: it reaches the doctor through the encoding the deploy uses.
    state.functions.auth = fn('auth', {
      DOCTOR_KEY: encodeEnvValue('k"ey'),
      ADMIN_OPENIDS: 'o_boss',
      WECHAT_APPID: DEFAULT_APPID,
      WECHAT_APPSECRET: 's',
    });
    state.functions.admin = fn('admin', {});
    state.functions.cron = fn('cron', {}, [
      { TriggerName: 'hourly', Type: 'timer', TriggerDesc: '{"cron":"0 5 * * * * *"}', AddTime: '', ModTime: '' },
    ]);
    state.functions.provider = fn('provider', { PROVIDER_PUSH_TOKEN: 'push-token' });
    state.functions.orders = fn('orders', {});
    for (const { collection, rule } of expected.rules) {
      if (collection === 'users') continue; // missing online
      state.collections[collection] = {
        rule: { AclTag: 'CUSTOM', Rule: collection === 'settings' ? '{"read":"auth != null","write":false}' : JSON.stringify(rule) },
        indexes:
          collection === 'phone_charges'
            ? [{ Name: 'by_hand', Keys: [{ Name: 'counted', Direction: '1' }], Unique: false }]
            : (expected.indexes[collection] ?? []).map((i) => ({
                // Another name for the same keys is the same index.
                Name: collection === 'admins' ? 'named_in_console' : i.name,
                Keys: i.keys.map(([f, d]) => ({ Name: f, Direction: String(d) })),
                Unique: i.unique,
              })),
      };
    }
    // Made in the console with path auth on: WeChat's pushes would never reach provider.
    state.gateway.apis.push({ APIId: 'a1', Path: '/provider-events', Type: 1, Name: 'provider', EnableAuth: true });

    const { code, out } = await runCommand([], {
      ...standin.childEnv,
      TCB_ENV_ID: 'env-123',
      TENCENTCLOUD_SECRETID: secret.secretId,
      TENCENTCLOUD_SECRETKEY: secret.secretKey,
    });
    const invoked = standin.calls.filter((c) => c.action === 'Invoke');
    expect(invoked).toHaveLength(1);
    expect(JSON.parse(String(invoked[0]!.params!.ClientContext))).toMatchObject({ $url: 'doctor', key: 'k"ey' });
    expect(out).toContain('✓ phone login (code exchange): works over HTTPS');
    expect(out).toContain('✗ collections: missing: users (npm run deploy creates them)');
    expect(out).toMatch(/✗ rules of settings: rules of "settings": online \{"read":"auth != null","write":false\}/);
    expect(out).toContain('✓ timer cron/hourly');
    expect(out).toContain('✗ HTTP access /provider-events: HTTP access path "/provider-events" requires CloudBase authentication');
    expect(out).toContain('✓ variables of admin: set: none');
    expect(out).toContain('✓ indexes of admins: all 1 as in database-indexes/');
    expect(out).toMatch(
      /✗ indexes of phone_charges: missing: exchange_chargedAt, chargedAt_id, counted_billable .*; online but not declared: by_hand/,
    );
    expect(out).toContain('Problems found (✗ above).');
    expect(code).toBe(1);
    expect(standin.calls.filter((c) => c.kind === 'action' && c.error?.startsWith('AuthFailure'))).toEqual([]);
  } finally {
    await standin.stop();
  }
}, 60_000);

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
