/**
 * The scoped route log, end to end: a deployed function's lines carry the function,
 * the route and the invocation's request id (SCF's context.request_id), so one request
 * can be followed through its lines without any route naming itself.
 */
import { startEmulator, type TestEmulator } from './support/emulator';

const BOSS = 'o_boss_0001';
let t: TestEmulator;
beforeAll(async () => {
  t = await startEmulator({ env: { ADMIN_OPENIDS: BOSS } });
});
afterAll(() => t.stop());

const linesOf = (fn: string) =>
  t.emulator.invocationLog
    .recent()
    .flatMap((e) => (e.type === 'log' ? [JSON.parse(e.line) as Record<string, unknown>] : []))
    .filter((line) => line.fn === fn);

test("a route's own line and the dispatcher's closing line carry the same function, route and request id", async () => {
  const before = linesOf('admin').length;
  await t.call('admin', { $url: 'settings.update', version: 0, patch: { hidePrices: true } }, BOSS);
  const lines = linesOf('admin').slice(before);
  // The route logs only what changed (admin/settings.ts); the scope comes from its context.
  const own = lines.find((l) => Array.isArray(l.fields));
  const closing = lines.find((l) => l.ok === true);
  expect(own).toEqual({
    level: 'info',
    fn: 'admin',
    route: 'settings.update',
    request: expect.any(String),
    by: BOSS,
    fields: ['hidePrices'],
  });
  expect(closing).toMatchObject({ fn: 'admin', route: 'settings.update', request: own!.request });
  // Another call is another request.
  await t.call('admin', { $url: 'settings.get' }, BOSS);
  const next = linesOf('admin').find((l) => l.route === 'settings.get' && l.ok === true);
  expect(next!.request).toEqual(expect.any(String));
  expect(next!.request).not.toBe(own!.request);
});
