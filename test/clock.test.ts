/**
 * The emulator drives the functions' clock: a test sets the day instead of backdating
 * documents (cloudfunctions/_shared/runtime/clock.ts, QUICKPHONE_CLOCK_OFFSET_MS).
 */
import { startEmulator, type TestEmulator } from './support/emulator';
import { callRoute } from './support/envelope';

const ADMIN = 'o_clock_admin';
let at = Date.parse('2031-02-27T16:30:00Z'); // 2031-02-28 00:30 in China
let t: TestEmulator;
beforeAll(async () => {
  t = await startEmulator({ clock: () => at, env: { ADMIN_OPENIDS: ADMIN } });
});
afterAll(() => t.stop());

const summary = async () => {
  const answer = await callRoute(t, 'admin', 'usage.summary', { months: 2 }, ADMIN);
  if (!answer.ok) throw new Error(`${answer.error.code}: ${answer.error.message}`);
  return answer.data;
};

test("a function reads the emulator's time: China month and day follow it, and move when it moves", async () => {
  let data = await summary();
  expect(data.months.map((m) => m.month)).toEqual(['2031-01', '2031-02']);
  expect(data.days.at(-1)!.day).toBe('2031-02-28');

  at = Date.parse('2031-03-01T00:00:00Z'); // 08:00 on 1 March in China
  data = await summary();
  expect(data.months.map((m) => m.month)).toEqual(['2031-02', '2031-03']);
  expect(data.days.at(-1)!.day).toBe('2031-03-01');
});

test("what a function writes with its own clock carries the emulator's time", async () => {
  at = Date.parse('2031-05-04T03:00:00Z');
  const answer = await callRoute(t, 'auth', 'session', {}, 'o_clock_user');
  expect(answer).toMatchObject({ ok: true });
  const [user] = await t.docs<{ _id: string; createdAt: unknown }>('users');
  expect(JSON.stringify(user!.createdAt)).toContain('2031-05-04T03:00:00');
});
