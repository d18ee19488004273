/**
 * The WeChat HTTP fakes under /wechat (access tokens, usage queries) agree with the
 * sandbox's charges; minting stops at the quota as WeChat does; faults, stats, packs,
 * persistence and the timer-trigger endpoint.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type TestEmulator } from './support/emulator';
import type { UsageAnswer, WireUsageAnswer } from '../packages/cloudbase-emulator/src/wechat/usage-ledger';

const START = Date.UTC(2026, 2, 1, 8, 0, 0);
const DAY = 86_400_000;
const SECRET = 's3cret';
const OTHER_APPID = 'wx00000000000000ff';
const QUICK = '10000077';
const REALTIME = '10000086';

let now = START;
let t: TestEmulator;
beforeAll(async () => {
  t = await startEmulator({
    functionsDir: join(__dirname, 'fixtures', 'functions'),
    trialCalls: 3,
    clock: () => now,
    env: { WECHAT_APPSECRET: SECRET },
  });
});
afterAll(() => t.stop());
beforeEach(async () => {
  now = START;
  await t.reset();
});

type WechatError = { errcode: number; errmsg: string };
type UsageBody = WechatError & Omit<UsageAnswer, 'errcode' | 'errmsg'>;
/** What WeChat's path answers: counts as strings. */
type WireBody = WechatError & Omit<WireUsageAnswer, 'errcode' | 'errmsg'>;
type ErrorBody = { error: { code: string; message: string; errno?: number } };

const wechat = <T>(path: string, body?: unknown) => t.http<T>(body === undefined ? 'GET' : 'POST', `/wechat${path}`, body);

async function token(appid = t.emulator.appid): Promise<string> {
  const { body } = await wechat<{ access_token: string; expires_in: number }>(
    `/cgi-bin/token?grant_type=client_credential&appid=${appid}&secret=${SECRET}`,
  );
  expect(body.expires_in).toBe(7200);
  return body.access_token;
}

const usage = async (accessToken: string, spuId = QUICK, page = '') =>
  (await wechat<WireBody>(`/wxa/charge/usage/get?access_token=${accessToken}&spuId=${spuId}${page}`)).body;
const mint = (kind: 'quick' | 'realtime' = 'quick', appid?: string) =>
  t.http<{ code: string } & ErrorBody>('POST', '/v1/wechat/phone-codes', { phoneNumber: '13800138000', kind, appid });
const addPack = (body: Record<string, unknown>) => t.http<{ pkgId: string } & ErrorBody>('POST', '/v1/wechat/packs', body);

describe('access tokens', () => {
  test.each([
    ['grant_type=password&appid=wx5eed1e0c0ffee001&secret=s3cret', 40002],
    ['appid=wx5eed1e0c0ffee001&secret=s3cret', 40002],
    ['grant_type=client_credential&appid=wx5EED1E0C0FFEE001&secret=s3cret', 40013],
    ['grant_type=client_credential&appid=wx5eed1e0c0ffee001&secret=wrong', 40125],
    ['grant_type=client_credential&appid=wx5eed1e0c0ffee001&secret=', 40125],
  ])('GET /cgi-bin/token?%s answers errcode %d with HTTP 200', async (query, errcode) => {
    const res = await wechat<WechatError>(`/cgi-bin/token?${query}`);
    expect(res.status).toBe(200);
    expect(res.body.errcode).toBe(errcode);
    expect(res.body).not.toHaveProperty('access_token');
  });

  test('stable_token takes the same grant as JSON', async () => {
    const ok = await wechat<{ access_token: string; expires_in: number }>('/cgi-bin/stable_token', {
      grant_type: 'client_credential',
      appid: t.emulator.appid,
      secret: SECRET,
      force_refresh: false,
    });
    expect(ok.body).toEqual({ access_token: expect.any(String), expires_in: 7200 });
    expect((await usage(ok.body.access_token)).errcode).toBe(0);
    expect(
      (await wechat<WechatError>('/cgi-bin/stable_token', { grant_type: 'client_credential', appid: t.emulator.appid, secret: 'no' })).body
        .errcode,
    ).toBe(40125);
    const garbled = await fetch(`${t.url}/wechat/cgi-bin/stable_token`, { method: 'POST', body: '{oops' });
    expect(await garbled.json()).toMatchObject({ errcode: 47001 });
  });

  test('a token is missing, unknown, or expired after 7200 s on the emulator clock', async () => {
    expect((await wechat<WechatError>(`/wxa/charge/usage/get?spuId=${QUICK}`)).body.errcode).toBe(41001);
    expect((await usage('nope')).errcode).toBe(40001);
    const fresh = await token();
    now += 7199_000;
    expect((await usage(fresh)).errcode).toBe(0);
    now += 1000;
    expect(await usage(fresh)).toEqual({ errcode: 42001, errmsg: 'access_token expired' });
  });

  test('without WECHAT_APPSECRET any non-empty secret is accepted', async () => {
    const open = await startEmulator({ functionsDir: join(__dirname, 'fixtures', 'functions') });
    try {
      const ok = await open.http<{ access_token?: string }>(
        'GET',
        '/wechat/cgi-bin/token?grant_type=client_credential&appid=wx5eed1e0c0ffee001&secret=anything',
      );
      expect(ok.body.access_token).toEqual(expect.any(String));
      const empty = await open.http<WechatError>(
        'GET',
        '/wechat/cgi-bin/token?grant_type=client_credential&appid=wx5eed1e0c0ffee001&secret=',
      );
      expect(empty.body.errcode).toBe(40125);
    } finally {
      await open.stop();
    }
  });

  test('an API the emulator does not fake is a 404 with errcode 40066', async () => {
    const res = await wechat<WechatError>('/cgi-bin/nothing-here');
    expect(res.status).toBe(404);
    expect(res.body.errcode).toBe(40066);
  });
});

describe('the usage API', () => {
  test('agrees with the charges, per component, trial first', async () => {
    for (let i = 0; i < 2; i++) expect((await mint('quick')).status).toBe(200);
    expect((await mint('realtime')).status).toBe(200);
    const accessToken = await token();

    const quick = await usage(accessToken);
    const realtime = await usage(accessToken, REALTIME);
    const { body: charges } = await t.http<{ byKind: { quick: number; realtime: number } }>('GET', '/v1/wechat/charges');
    expect(Number(quick.effectiveUse)).toBe(charges.byKind.quick);
    expect(Number(realtime.effectiveUse)).toBe(charges.byKind.realtime);
    // As charge_get_usage_detail documents it: counts are strings ("64位数字"), times numbers;
    // the trial as WeChat sends it: pkgId "", no end as 4294967295.
    expect(quick).toEqual({
      errcode: 0,
      errmsg: 'ok',
      effectiveUse: '2',
      all: '3',
      total: 1,
      detailList: [
        {
          pkgId: '',
          status: 1,
          startTime: START / 1000,
          endTime: 4_294_967_295,
          all: '3',
          used: '2',
          spuId: QUICK,
          skuId: 'trial',
          source: 1,
        },
      ],
    });
    expect(realtime.detailList).toEqual([expect.objectContaining({ spuId: REALTIME, used: '1', all: '3', source: 1 })]);
    // The same figures in numbers, all packages, without a token: the emulator's own API, for tests and curl.
    expect((await t.http('GET', '/v1/wechat/usage?kind=quick')).body).toMatchObject({
      effectiveUse: 2,
      all: 3,
      detailList: [expect.objectContaining({ pkgId: expect.stringMatching(/^\d+$/), endTime: 0, all: 3, used: 2 })],
    });
    // Another mini program has its own ledger.
    expect(await usage(await token(OTHER_APPID))).toMatchObject({ effectiveUse: '0', all: '3', total: 1 });
  });

  test('pages the packages in start order, limit at most 20', async () => {
    for (let i = 0; i < 22; i++)
      expect((await addPack({ calls: 10, validityDays: 30, startsAt: new Date(START - i * DAY).toISOString() })).status).toBe(200);
    const accessToken = await token();
    const first = await usage(accessToken);
    expect(first).toMatchObject({ total: 23, all: String(3 + 22 * 10), effectiveUse: '0' });
    expect(first.detailList).toHaveLength(20);
    const rest = await usage(accessToken, QUICK, '&offset=20&limit=20');
    expect(rest.detailList).toHaveLength(3);
    const listed = [...first.detailList, ...rest.detailList];
    expect(listed.map((p) => p.startTime)).toEqual([...listed.map((p) => p.startTime)].sort((a, b) => a - b));
    // The trial started with the first look (the first pack), so it shares that pack's start and comes first by pkgId.
    expect(listed.slice(-2).map((p) => [p.source, p.startTime])).toEqual([
      [1, START / 1000],
      [2, START / 1000],
    ]);
    expect(listed[0]).toMatchObject({
      source: 2,
      all: '10',
      status: 1,
      startTime: (START - 21 * DAY) / 1000,
      endTime: (START + 9 * DAY) / 1000,
    });
    expect((await usage(accessToken, QUICK, '&offset=2&limit=1')).detailList.map((p) => p.pkgId)).toEqual([listed[2]!.pkgId]);
  });

  test.each(['&limit=21', '&limit=0', '&limit=1.5', '&offset=-1', '&offset=x'])('%s is errcode 40097', async (page) => {
    expect(await usage(await token(), QUICK, page)).toEqual({ errcode: 40097, errmsg: 'invalid args' });
  });

  test('an unknown spuId is errcode 40097', async () => {
    expect((await usage(await token(), '10000000')).errcode).toBe(40097);
  });

  test('the recent average is the last three months of charges per month', async () => {
    await addPack({ calls: 100, validityDays: 365 });
    for (let i = 0; i < 7; i++) await mint();
    const { body } = await wechat<{ errcode: number; averageData: number }>(
      `/wxa/charge/usage/get_recent_average?access_token=${await token()}&spuId=${QUICK}`,
    );
    expect(body).toEqual({ errcode: 0, errmsg: 'ok', averageData: 2 });
  });
});

describe('quota', () => {
  test('minting past the quota is NO_QUOTA (errno 1400001) and charges nothing; a pack restores it', async () => {
    for (let i = 0; i < 3; i++) expect((await mint()).status).toBe(200);
    const refused = await mint();
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'NO_QUOTA', errno: 1400001 });
    expect((await t.http<{ total: number }>('GET', '/v1/wechat/charges')).body.total).toBe(3);
    // The other component and other mini programs have their own quota.
    expect((await mint('realtime')).status).toBe(200);
    expect((await mint('quick', OTHER_APPID)).status).toBe(200);

    // A pack that has not started yet does not help; once it starts it does.
    expect((await addPack({ calls: 1, validityDays: 1, startsAt: new Date(START + DAY).toISOString() })).status).toBe(200);
    expect((await mint()).status).toBe(409);
    now = START + DAY;
    expect((await mint()).status).toBe(200);
    expect((await mint()).status).toBe(409);
    expect((await t.http<{ total: number }>('GET', '/v1/wechat/usage')).body).toMatchObject({ all: 4, effectiveUse: 4 });
  });

  test('an expired pack leaves the totals and gives nothing', async () => {
    await addPack({ calls: 5, validityDays: 2, kind: 'realtime' });
    now = START + 2 * DAY;
    const body = (await t.http<UsageBody>('GET', '/v1/wechat/usage?kind=realtime')).body;
    expect(body).toMatchObject({ all: 3, effectiveUse: 0, total: 2 });
    expect(body.detailList.map((p) => [p.source, p.status])).toEqual([
      [1, 1],
      [2, 3],
    ]);
  });

  test.each([
    [{ calls: 0, validityDays: 30 }, /calls/],
    [{ calls: 100_000_001, validityDays: 30 }, /calls/],
    [{ calls: 10, validityDays: 3651 }, /validityDays/],
    [{ calls: 10, validityDays: 1.5 }, /validityDays/],
    [{ calls: 10, validityDays: 30, kind: 'slow' }, /kind/],
    [{ calls: 10, validityDays: 30, startsAt: 'soon' }, /startsAt/],
    [{ calls: 10, validityDays: 30, appid: 'wx12' }, /appid/],
  ])('a pack %j is refused', async (body, reason) => {
    const res = await addPack(body);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(reason) });
  });

  test('reset removes packs and restarts the trials', async () => {
    await addPack({ calls: 10, validityDays: 30 });
    await mint();
    now = START + DAY;
    await t.reset();
    expect((await t.http<UsageBody>('GET', '/v1/wechat/usage')).body).toMatchObject({
      all: 3,
      effectiveUse: 0,
      total: 1,
      detailList: [{ startTime: (START + DAY) / 1000 }],
    });
  });
});

describe('faults and stats', () => {
  test('a wechat:<path> fault answers its errcode, then the API works again', async () => {
    const accessToken = await token();
    expect((await t.http('POST', '/v1/faults', { target: 'wechat:/wxa/charge/usage/get', errcode: -1 })).status).toBe(200);
    expect(await usage(accessToken)).toEqual({ errcode: -1, errmsg: 'emulated fault' });
    expect((await usage(accessToken)).errcode).toBe(0);
    await t.http('POST', '/v1/faults', { target: 'wechat:/cgi-bin/token', errcode: 45009, times: 2 });
    for (let i = 0; i < 2; i++)
      expect(
        (await wechat<WechatError>(`/cgi-bin/token?grant_type=client_credential&appid=${t.emulator.appid}&secret=${SECRET}`)).body.errcode,
      ).toBe(45009);
    expect(await token()).toEqual(expect.any(String));
    expect((await t.http<ErrorBody>('POST', '/v1/faults', { target: 'wechat:cgi-bin/token', errcode: 1 })).body.error.message).toMatch(
      /wechat:<path>/,
    );
  });

  test('a delay fault delays the call', async () => {
    await t.http('POST', '/v1/faults', { target: 'wechat:/cgi-bin/token', delayMs: 300 });
    const started = Date.now();
    await token();
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  test('every WeChat call is counted by path', async () => {
    const accessToken = await token();
    await usage(accessToken);
    await usage(accessToken, REALTIME);
    const { body } = await t.http<{ actions: Record<string, number> }>('GET', '/v1/stats');
    expect(body.actions).toEqual({ 'wechat:/cgi-bin/token': 1, 'wechat:/wxa/charge/usage/get': 2 });
  });
});

describe('timer triggers', () => {
  test('fire the function with a timer event and no caller', async () => {
    const res = await t.http<{ result: unknown }>('POST', '/v1/functions/probe/triggers/hourly', { time: '2026-03-01T02:00:00.250Z' });
    expect(res.status).toBe(200);
    expect(res.body.result).toEqual({ event: { Type: 'Timer', TriggerName: 'hourly', Time: '2026-03-01T02:00:00Z' } });
    // Without a body the time is the emulator clock's.
    expect(
      (await t.http<{ result: { event: { Time: string } } }>('POST', '/v1/functions/probe/triggers/hourly')).body.result.event.Time,
    ).toBe('2026-03-01T08:00:00Z');
  });

  test('an unknown function or trigger is a 404; a bad time a 400', async () => {
    const fn = await t.http<ErrorBody>('POST', '/v1/functions/nope/triggers/hourly');
    expect(fn.status).toBe(404);
    expect(fn.body.error.code).toBe('FUNCTION_NOT_FOUND');
    const trigger = await t.http<ErrorBody>('POST', '/v1/functions/probe/triggers/daily');
    expect(trigger.status).toBe(404);
    expect(trigger.body.error).toMatchObject({ code: 'TRIGGER_NOT_FOUND', message: expect.stringMatching(/hourly/) });
    expect((await t.http<ErrorBody>('POST', '/v1/functions/probe/triggers/hourly', { time: 'noon' })).status).toBe(400);
  });
});

describe('persistence', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'quickphone-wechat-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));
  const start = () => startEmulator({ functionsDir: join(__dirname, 'fixtures', 'functions'), dataDir, trialCalls: 3 });

  test('packs and trial start times survive a restart', async () => {
    const first = await start();
    await first.http('POST', '/v1/wechat/packs', { calls: 10, validityDays: 30 });
    await first.mintCode({ phoneNumber: '13800138000' });
    const before = (await first.http<UsageBody>('GET', '/v1/wechat/usage')).body;
    await first.stop();

    const second = await start();
    try {
      expect((await second.http<UsageBody>('GET', '/v1/wechat/usage')).body).toEqual(before);
      expect(before).toMatchObject({ all: 13, effectiveUse: 1, total: 2 });
    } finally {
      await second.stop();
    }
  });

  test('state saved before packs existed still loads, its codes counted against the trial', async () => {
    const issuedAt = Date.UTC(2026, 0, 5);
    const code = {
      code: 'c1',
      phoneNumber: '13800138000',
      countryCode: '86',
      kind: 'quick',
      openid: null,
      appid: 'wx5eed1e0c0ffee001',
      issuedAt,
      expiresAt: issuedAt + 300_000,
      exchanges: 0,
      used: false,
    };
    writeFileSync(join(dataDir, 'state.json'), JSON.stringify({ version: 1, collections: {}, phoneCodes: [code] }));
    const old = await start();
    try {
      expect((await old.http<UsageBody>('GET', '/v1/wechat/usage')).body).toMatchObject({
        all: 3,
        effectiveUse: 1,
        detailList: [{ startTime: issuedAt / 1000, used: 1 }],
      });
    } finally {
      await old.stop();
    }
  });
});
