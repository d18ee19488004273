/**
 * The emulator refuses what CloudBase would never deliver (issue 10, point 9): an
 * identity with a control character, an event larger or deeper than CloudBase takes
 * (HTTP 400 before any container runs), and a container's timeout only ever ends the
 * call that ran too long — never the container's next call.
 */
import { join } from 'node:path';
import { startEmulator, type TestEmulator } from './support/emulator';

let t: TestEmulator;
beforeAll(async () => {
  t = await startEmulator({ functionsDir: join(__dirname, 'fixtures', 'functions'), maxContainersPerFunction: 1 });
});
afterAll(() => t.stop());

const invoke = (data: unknown, context: Record<string, unknown> = { OPENID: 'o_alice' }) =>
  t.http<{ result?: unknown; error?: { code: string; message: string } }>('POST', '/v1/functions/probe/invoke', { data, context });

describe('identities with control characters', () => {
  test.each([
    ['OPENID', 'o_boss\u0000mallory'],
    ['OPENID', 'o_boss\nX-Admin: 1'],
    ['APPID', 'wx5eed1e0c0ffee001\u0000'],
    ['UNIONID', 'u_1\u001f'],
    ['OPENID', 'o_boss\u007f'],
  ])('%s %j is HTTP 400 and runs nothing', async (key, value) => {
    const before = (await t.http<{ containers: Record<string, { cold: number; warm: number }> }>('GET', '/v1/stats')).body.containers.probe;
    const res = await invoke({ action: 'context' }, { [key]: value });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining(key) });
    const after = (await t.http<{ containers: Record<string, { cold: number; warm: number }> }>('GET', '/v1/stats')).body.containers.probe;
    expect(after).toEqual(before);
  });

  test('a plain identity still works', async () => {
    expect((await invoke({ action: 'context' }, { OPENID: 'o_boss' })).body.result).toMatchObject({ OPENID: 'o_boss' });
  });
});

describe('events CloudBase would not accept', () => {
  const nested = (depth: number) => {
    let v: Record<string, unknown> = { leaf: true };
    for (let i = 1; i < depth; i++) v = { v };
    return v;
  };

  test('an event over 6 MB is HTTP 400 EVENT_TOO_LARGE', async () => {
    const res = await invoke({ action: 'context', blob: 'x'.repeat(6 * 1024 * 1024 + 10) });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'EVENT_TOO_LARGE' });
  });

  test('an event nested deeper than 64 levels is HTTP 400 EVENT_TOO_DEEP; 60 is fine', async () => {
    const deep = await invoke({ action: 'context', deep: nested(200) });
    expect(deep.status).toBe(400);
    expect(deep.body.error).toMatchObject({ code: 'EVENT_TOO_DEEP' });
    expect((await invoke({ action: 'context', deep: nested(60) })).status).toBe(200);
  });
});

test('a timeout never kills a container that has moved on to the next call', async () => {
  // One container (the pool's bound), a 3 s timeout: the first call ends at 2.4 s, the
  // second runs on the same container until 3.6 s after the first began.
  const first = await invoke({ action: 'sleep', ms: 2400 });
  expect(first.status).toBe(200);
  const second = await invoke({ action: 'sleep', ms: 1200 });
  expect(second).toMatchObject({ status: 200, body: { result: { slept: 1200 } } });
  const { body } = await t.http<{ containers: Record<string, { cold: number; warm: number }> }>('GET', '/v1/stats');
  expect(body.containers.probe!.warm).toBeGreaterThanOrEqual(1);
}, 15_000);
