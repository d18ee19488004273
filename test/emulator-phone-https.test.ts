/**
 * The emulator's `POST /wechat/wxa/business/getuserphonenumber`: WeChat's HTTPS twin of
 * the cloud call, served from the same phone sandbox — same codes, same errcodes, same
 * single use across both paths.
 */
import { DEFAULT_APPID } from '../packages/cloudbase-emulator/src/emulator';
import { startEmulator, type TestEmulator } from './support/emulator';

let t: TestEmulator;
let token: string;
beforeAll(async () => {
  t = await startEmulator();
  const grant = await t.http<{ access_token: string }>('POST', '/wechat/cgi-bin/stable_token', {
    grant_type: 'client_credential',
    appid: DEFAULT_APPID,
    secret: 'any',
  });
  token = grant.body.access_token;
});
afterAll(() => t.stop());
beforeEach(() => t.reset());

const exchange = (body: Record<string, unknown>, accessToken: string | null = token) =>
  t
    .http<Record<string, unknown>>(
      'POST',
      `/wechat/wxa/business/getuserphonenumber${accessToken === null ? '' : `?access_token=${encodeURIComponent(accessToken)}`}`,
      body,
    )
    .then((r) => r.body);

test('a code minted for the user gives phone_info once, then 40029', async () => {
  const code = await t.mintCode({ phoneNumber: '13800138000', openid: 'o_alice' });
  expect(await exchange({ code, openid: 'o_alice' })).toEqual({
    errcode: 0,
    errmsg: 'ok',
    phone_info: {
      phoneNumber: '13800138000',
      purePhoneNumber: '13800138000',
      countryCode: '86',
      watermark: { timestamp: expect.any(Number), appid: DEFAULT_APPID },
    },
  });
  expect(await exchange({ code, openid: 'o_alice' })).toMatchObject({ errcode: 40029 });
});

test("the same errcodes as the cloud call: no token, no code, someone else's code, another app's code", async () => {
  const code = await t.mintCode({ phoneNumber: '13800138000', openid: 'o_alice' });
  expect(await exchange({ code }, null)).toMatchObject({ errcode: 41001 });
  expect(await exchange({ code }, 'not-a-token')).toMatchObject({ errcode: 40001 });
  expect(await exchange({})).toMatchObject({ errcode: 47001 });
  expect(await exchange({ code, openid: 'o_bob' })).toMatchObject({ errcode: 40029 });
  const otherApps = await t.mintCode({ phoneNumber: '13900139000', appid: 'wx0000000000000002' });
  expect(await exchange({ code: otherApps })).toMatchObject({ errcode: 40029 });
  // Refusals do not use the code.
  expect(await exchange({ code, openid: 'o_alice' })).toMatchObject({ errcode: 0 });
});

test('single use across both paths: a code exchanged over HTTPS is spent for the cloud call too', async () => {
  const code = await t.mintCode({ phoneNumber: '13800138000', openid: 'o_alice' });
  expect(await exchange({ code })).toMatchObject({ errcode: 0 });
  expect(await t.call('auth', { $url: 'bindPhone', code }, 'o_alice')).toEqual({
    ok: false,
    error: expect.objectContaining({ code: 'PHONE_CODE_INVALID' }),
  });
  const charges = (await t.http<{ total: number; codes: Array<{ exchanges: number }> }>('GET', '/v1/wechat/charges')).body;
  expect(charges.total).toBe(1);
  expect(charges.codes[0]!.exchanges).toBe(2);
});
