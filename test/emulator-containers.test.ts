/**
 * Function containers: identity per invocation, openapi permissions from config.json,
 * failures and timeouts, and more containers under concurrent load.
 */
import { join } from 'node:path';
import { startEmulator, type TestEmulator } from './support/emulator';

let t: TestEmulator;
beforeAll(async () => {
  t = await startEmulator({ functionsDir: join(__dirname, 'fixtures', 'functions'), maxContainersPerFunction: 3 });
});
afterAll(() => t.stop());

test('each invocation sees its own caller, as getWXContext and event.userInfo', async () => {
  const [a, b] = await Promise.all([t.call('probe', { action: 'context' }, 'o_a'), t.call('probe', { action: 'context' }, 'o_b')]);
  expect(a).toEqual({ OPENID: 'o_a', APPID: t.emulator.appid, SOURCE: 'wx_client', userInfo: { appId: t.emulator.appid, openId: 'o_a' } });
  expect(b).toMatchObject({ OPENID: 'o_b' });
  // No identity leaks from one invocation into the next in the same container.
  expect(await t.call('probe', { action: 'context' }, null)).toMatchObject({ OPENID: '' });
});

test('an open API the function did not declare in config.json is refused (-604101)', async () => {
  expect(await t.call('probe', { action: 'undeclared-openapi' })).toEqual({ refused: true, errCode: -604101 });
});

test('a throwing function is a 500 FUNCTION_FAILED', async () => {
  const res = await t.http<{ error: { code: string; message: string } }>('POST', '/v1/functions/probe/invoke', {
    data: { action: 'throw' },
  });
  expect(res.status).toBe(500);
  expect(res.body.error).toEqual({ code: 'FUNCTION_FAILED', message: 'boom' });
});

test('a function past its timeout is killed and the next call gets a fresh container', async () => {
  const res = await t.http<{ error: { message: string } }>('POST', '/v1/functions/probe/invoke', { data: { action: 'sleep', ms: 4000 } });
  expect(res.status).toBe(500);
  expect(res.body.error.message).toMatch(/timed out after 3000 ms/);
  expect(await t.call('probe', { action: 'sleep', ms: 1 })).toEqual({ slept: 1 });
});

test('concurrent calls start more containers, up to the bound, then reuse them', async () => {
  await t.reset();
  await Promise.all(Array.from({ length: 6 }, () => t.call('probe', { action: 'sleep', ms: 300 })));
  const { body } = await t.http<{ containers: Record<string, { cold: number; warm: number }> }>('GET', '/v1/stats');
  // Containers from earlier tests may still be warm; never more than 3 exist.
  expect(body.containers.probe!.cold + body.containers.probe!.warm).toBe(6);
  expect(body.containers.probe!.cold).toBeLessThanOrEqual(3);
  expect(body.containers.probe!.warm).toBeGreaterThanOrEqual(3);
});
