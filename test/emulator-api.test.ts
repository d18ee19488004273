/** The emulator's own HTTP API refuses bad requests clearly and keeps serving. */
import { startEmulator, type TestEmulator } from './support/emulator';
import { request } from 'node:http';

let t: TestEmulator;
beforeAll(async () => {
  t = await startEmulator();
});
afterAll(() => t.stop());

type ErrorBody = { error: { code: string; message: string } };

test.each([
  [{ phoneNumber: '138-0013' }, /phoneNumber/],
  [{ phoneNumber: '13800138000', kind: 'slow' }, /kind/],
  [{ phoneNumber: '13800138000', appid: 'wx123' }, /appid/],
  [{ phoneNumber: '13800138000', ttlMs: -1 }, /ttlMs/],
  [[1, 2], /object/],
])('minting with %j is refused', async (body, reason) => {
  const res = await t.http<ErrorBody>('POST', '/v1/wechat/phone-codes', body);
  expect(res.status).toBe(400);
  expect(res.body.error.message).toMatch(reason);
  expect((await t.http<{ total: number }>('GET', '/v1/wechat/charges')).body.total).toBe(0);
});

test('unknown functions, collections and paths are 404 with a reason', async () => {
  const fn = await t.http<ErrorBody>('POST', '/v1/functions/nope/invoke', {});
  expect(fn.status).toBe(404);
  expect(fn.body.error.message).toMatch(/auth/); // lists what exists
  expect((await t.http<ErrorBody>('GET', '/v1/db/nope')).status).toBe(404);
  expect((await t.http<ErrorBody>('GET', '/v2/anything')).status).toBe(404);
});

test('invoke validates data and context', async () => {
  expect((await t.http<ErrorBody>('POST', '/v1/functions/auth/invoke', { data: [1] })).status).toBe(400);
  expect((await t.http<ErrorBody>('POST', '/v1/functions/auth/invoke', { context: { OPENID: 42 } })).body.error.message).toMatch(/OPENID/);
});

test('invalid JSON is refused and the emulator keeps serving', async () => {
  const res = await fetch(`${t.url}/v1/reset`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{oops' });
  expect(res.status).toBe(400);
  expect(((await res.json()) as ErrorBody).error.code).toBe('INVALID_JSON');
  expect((await t.http('GET', '/v1/health')).status).toBe(200);
});

test('seeding checks the id and accepts extended JSON dates', async () => {
  expect((await t.http<ErrorBody>('PUT', '/v1/db/users/o_a', { _id: 'o_b' })).status).toBe(400);
  expect((await t.http('PUT', '/v1/db/users/o_a', { seenAt: { $date: '2026-01-01T00:00:00Z' } })).status).toBe(200);
  expect(await t.docs('users')).toEqual([{ _id: 'o_a', seenAt: '2026-01-01T00:00:00.000Z' }]);
});

describe("the /v1 API has the console's guards (issue 24)", () => {
  beforeEach(() => t.reset());
  /** A raw request, as a web page elsewhere could make one: any Host, any content type. */
  const raw = (method: string, path: string, headers: Record<string, string>, body = '') =>
    new Promise<number>((resolve, reject) => {
      const req = request(`${t.url}${path}`, { method, headers, agent: false }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end(body);
    });
  const charges = async () => (await t.http<{ total: number }>('GET', '/v1/wechat/charges')).body.total;
  const mint = JSON.stringify({ phoneNumber: '13800138000', openid: 'o_victim' });

  test('a cross-site text/plain POST with a foreign Host mints no billable code and resets nothing', async () => {
    await t.http('PUT', '/v1/db/users/o_keep', { note: 'still here' });
    expect(await raw('POST', '/v1/wechat/phone-codes', { host: 'attacker.example', 'content-type': 'text/plain' }, mint)).toBe(403);
    expect(await raw('POST', '/v1/reset', { host: 'attacker.example:9100', 'content-type': 'text/plain' })).toBe(403);
    // DNS rebinding aside, a loopback Host without JSON (a form, or a fetch with no body) is refused too.
    expect(await raw('POST', '/v1/wechat/phone-codes', { host: '127.0.0.1', 'content-type': 'text/plain' }, mint)).toBe(415);
    expect(await raw('POST', '/v1/reset', { host: 'localhost' })).toBe(415);
    expect(await raw('GET', '/v1/db/users', { host: 'attacker.example' })).toBe(403);
    expect(await charges()).toBe(0);
    expect(await t.docs('users')).toEqual([{ _id: 'o_keep', note: 'still here' }]);
  });

  test('an event nested 6000 deep is refused with 400, not a 500 from the emulator, and it keeps serving', async () => {
    const deep = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
    const json = { host: '127.0.0.1', 'content-type': 'application/json' };
    expect(await raw('POST', '/v1/functions/auth/invoke', json, `{"data":{"$url":"session","x":${deep(6000)}}}`)).toBe(400);
    expect(await raw('PUT', '/v1/db/users/o_deep', json, deep(6000))).toBe(400);
    expect(await raw('POST', '/v1/functions/auth/invoke', json, `{"data":{"$url":"session","x":${deep(100)}}}`)).toBe(400);
    expect((await t.http('GET', '/v1/health')).status).toBe(200);
    expect(await t.docs('users')).toEqual([]);
  });
});
