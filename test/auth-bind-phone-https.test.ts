/**
 * auth.bindPhone when `auth` was deployed by the CloudBase CLI: the cloud call has no
 * permission (-604101). With WECHAT_APPID/WECHAT_APPSECRET set the same code is
 * exchanged over WeChat's HTTPS API — one charge, one record, the same answers;
 * without them the login fails as "try again" and the code stays usable.
 */
import { DEFAULT_APPID } from '../packages/cloudbase-emulator/src/emulator';
import { spawnEmulator, startEmulator, type TestEmulator } from './support/emulator';
import { callRoute } from './support/envelope';

interface WeChatCharges {
  total: number;
  codes: Array<{ code: string; exchanges: number }>;
}

const SECRET = 'the-mini-programs-appsecret';
let withCredentials: TestEmulator;
let withoutCredentials: TestEmulator;
beforeAll(async () => {
  [withCredentials, withoutCredentials] = await Promise.all([
    startEmulator({
      openapiPermission: 'none',
      env: { WECHAT_APPID: DEFAULT_APPID, WECHAT_APPSECRET: SECRET, PHONE_EXCHANGE_TIMEOUT_MS: '300' },
    }),
    startEmulator({ openapiPermission: 'none', env: {} }),
  ]);
});
afterAll(() => Promise.all([withCredentials.stop(), withoutCredentials.stop()]));
beforeEach(() => Promise.all([withCredentials.reset(), withoutCredentials.reset()]));

const bind = (t: TestEmulator, code: string, openid = 'o_alice') => callRoute(t, 'auth', 'bindPhone', { code }, openid);
const wechat = async (t: TestEmulator) => (await t.http<WeChatCharges>('GET', '/v1/wechat/charges')).body;
const actions = async (t: TestEmulator) => (await t.http<{ actions: Record<string, number> }>('GET', '/v1/stats')).body.actions;

test('cloud call denied, credentials set: the number is bound through HTTPS, one charge, one record', async () => {
  const t = withCredentials;
  const code = await t.mintCode({ phoneNumber: '13800138000', openid: 'o_alice' });
  expect(await bind(t, code)).toEqual({ ok: true, data: { phoneMasked: '138****8000' } });

  const [user] = await t.docs<{ phone: Record<string, unknown> }>('users');
  expect(user!.phone).toMatchObject({ phoneNumber: '13800138000', purePhoneNumber: '13800138000', countryCode: '86', kind: 'quick' });
  const records = await t.docs<{ exchange: string; attempts: number; costFen: number }>('phone_charges');
  expect(records).toEqual([expect.objectContaining({ exchange: 'ok', attempts: 1, costFen: 3 })]);
  const billed = await wechat(t);
  expect(billed.total).toBe(1);
  expect(billed.codes[0]!.exchanges).toBe(1);
  const counted = await actions(t);
  expect(counted['wechat:/wxa/business/getuserphonenumber']).toBe(1);

  // The same code again: answered from the record, WeChat not asked again.
  expect(await bind(t, code)).toEqual({ ok: true, data: { phoneMasked: '138****8000' } });
  expect((await wechat(t)).codes[0]!.exchanges).toBe(1);
  expect(await t.docs('phone_charges')).toHaveLength(1);

  // Another user's login reuses the container's cached stable token: one grant in all.
  const bobs = await t.mintCode({ phoneNumber: '13900139000', openid: 'o_bob' });
  expect(await bind(t, bobs, 'o_bob')).toEqual({ ok: true, data: { phoneMasked: '139****9000' } });
  const after = await actions(t);
  expect(after['wechat:/wxa/business/getuserphonenumber']).toBe(2);
  expect((after['wechat:/cgi-bin/stable_token'] ?? 0) + (after['wechat:/cgi-bin/token'] ?? 0)).toBe(1);
});

test("over HTTPS WeChat still checks the code: someone else's code is refused, and a used code too", async () => {
  const t = withCredentials;
  const bobs = await t.mintCode({ phoneNumber: '13900139000', openid: 'o_bob' });
  expect(await bind(t, bobs, 'o_alice')).toEqual({ ok: false, error: expect.objectContaining({ code: 'PHONE_CODE_INVALID' }) });
  expect((await t.docs<{ phone?: unknown }>('users')).filter((u) => u.phone)).toEqual([]);
  // Bob's own code is still good: a refusal does not use it.
  expect(await bind(t, bobs, 'o_bob')).toEqual({ ok: true, data: { phoneMasked: '139****9000' } });
});

test('a busy answer over HTTPS gets the same single retry as the cloud call', async () => {
  const t = withCredentials;
  await t.http('POST', '/v1/faults', { target: 'wechat:/wxa/business/getuserphonenumber', errcode: -1, times: 1 });
  const code = await t.mintCode({ phoneNumber: '13800138000', openid: 'o_alice' });
  expect(await bind(t, code)).toEqual({ ok: true, data: { phoneMasked: '138****8000' } });
  expect(await t.docs('phone_charges')).toEqual([expect.objectContaining({ exchange: 'ok', attempts: 2 })]);
  expect((await wechat(t)).total).toBe(1);
});

test('cloud call denied, no credentials: says what to set up (not "try again"), the charge recorded, the code left unused', async () => {
  const t = withoutCredentials;
  const code = await t.mintCode({ phoneNumber: '13800138000', openid: 'o_alice' });
  const answer = await bind(t, code);
  expect(answer).toEqual({ ok: false, error: expect.objectContaining({ code: 'UPSTREAM_UNAVAILABLE' }) });
  // Retrying cannot help until someone uploads auth from DevTools or sets the credentials: the message says so.
  const { message } = (answer as { error: { message: string } }).error;
  expect(message).toContain('-604101');
  expect(message).toContain('WeChat DevTools');
  expect(message).toContain('WECHAT_APPID and WECHAT_APPSECRET');
  expect(message).not.toMatch(/try again/i);
  // A replay of the same code gets the same explanation.
  expect(await bind(t, code)).toEqual(answer);
  expect(await t.docs('phone_charges')).toEqual([expect.objectContaining({ exchange: 'failed', errcode: -604101 })]);
  expect((await wechat(t)).codes[0]!.exchanges).toBe(0);
  expect((await t.docs<{ phone?: unknown }>('users')).filter((u) => u.phone)).toEqual([]);
});

test('npm start -- --without-openapi-permission plays a CLI-deployed auth', async () => {
  const child = await spawnEmulator({ withoutOpenapiPermission: true });
  try {
    const code = await child.mintCode({ phoneNumber: '13800138000', openid: 'o_alice' });
    expect(await child.call('auth', { $url: 'bindPhone', code }, 'o_alice')).toEqual({
      ok: false,
      error: expect.objectContaining({ code: 'UPSTREAM_UNAVAILABLE' }),
    });
    expect(await child.docs('phone_charges')).toEqual([expect.objectContaining({ errcode: -604101 })]);
  } finally {
    await child.stop();
  }
});
