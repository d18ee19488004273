/**
 * The emulator's web console, server side (the page itself is driven in a real browser
 * by test/browser/console.test.ts): served at `/` on the emulator's port, billing lined
 * up from WeChat's ledger, phone_charges, usage_daily and the admin routes, no raw
 * number in any answer, a live log, edits that keep masked values, export/import from
 * the console and as `npm start` flags.
 */
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emulatorClient, startEmulator, type TestEmulator } from './support/emulator';
import { callData } from './support/envelope';
import type { ConsoleCall, ConsoleOverview, ConsolePage, LogEntry } from '../packages/cloudbase-emulator/src/console/api';
import type { ConsoleBilling, ConsolePlay, Ejson } from '../scripts/console-plugin/api';

type Billing = Ejson<ConsoleBilling>;

/** An admin answer's data; fails the test when it is an error. */
function dataOf<A extends object>(answer: A): Exclude<A, { error: unknown }> {
  if ('error' in answer) throw new Error(`admin answered an error: ${JSON.stringify(answer)}`);
  return answer as Exclude<A, { error: unknown }>;
}

const ADMIN = 'o_console_admin';
let emu: TestEmulator;
/** How far a test has moved the emulator's clock (and the functions'). */
let offset = 0;

beforeAll(async () => {
  emu = await startEmulator({ clock: () => Date.now() + offset, env: { ADMIN_OPENIDS: ADMIN } });
});
afterAll(() => emu.stop());
beforeEach(() => {
  offset = 0;
  return emu.reset();
});

/** A raw HTTP exchange, so the test sees exactly the bytes the page would get. */
function raw(
  method: string,
  path: string,
  options: { body?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; type: string; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${emu.url}${path}`, { method, headers: options.headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), text }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

const json = (body: unknown) => ({ body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

async function consoleApi<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await raw(method, path, body === undefined ? {} : json(body));
  if (res.status !== 200) throw new Error(`${method} ${path}: HTTP ${res.status} ${res.text}`);
  return JSON.parse(res.text) as T;
}

/** Every raw number the emulator holds: the sandbox's codes and the users' verified phones. */
function rawNumbers(): string[] {
  const numbers = new Set<string>();
  for (const c of emu.emulator.sandbox.snapshot()) numbers.add(c.phoneNumber);
  for (const u of emu.emulator.store.find('users', {})) {
    const phone = (u as { phone?: { phoneNumber?: string; purePhoneNumber?: string } }).phone;
    if (phone?.purePhoneNumber) numbers.add(phone.purePhoneNumber);
    if (phone?.phoneNumber) numbers.add(phone.phoneNumber.replace(/^\+/, ''));
  }
  return [...numbers];
}

test('GET / is the console page and its script is bundled on the same port', async () => {
  const page = await raw('GET', '/');
  expect(page.status).toBe(200);
  expect(page.type).toMatch(/text\/html/);
  expect(page.text).toContain('<script src="/console/app.js"></script>');
  // quickphone's console plug-in (scripts/console-plugin/) names the page and adds its views to the bundle.
  expect(page.text).toContain('<h1>quickphone emulator</h1>');
  const script = await raw('GET', '/console/app.js');
  expect(script.status).toBe(200);
  expect(script.type).toMatch(/javascript/);
  expect(script.text).toContain('Play a user');
  expect(script.text).toContain('Tap the phone button and approve');
  // Offline: nothing loaded from elsewhere.
  expect(page.text + script.text).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)[a-z]/i);
});

test('the console API refuses a non-loopback Host and non-JSON writes', async () => {
  expect((await raw('GET', '/console/api/overview', { headers: { host: 'evil.example:9100' } })).status).toBe(403);
  expect(
    (
      await raw('POST', '/console/api/play', {
        body: 'openid=o&action=tap',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      })
    ).status,
  ).toBe(415);
  expect(emu.emulator.sandbox.snapshot()).toHaveLength(0);
});

test('overview: environment, functions with cold/warm counts and timers, collections', async () => {
  await emu.call('auth', { $url: 'session' }, 'o_someone');
  const o = await consoleApi<ConsoleOverview>('GET', '/console/api/overview');
  expect(o).toMatchObject({ envId: 'quickphone-local', appid: emu.emulator.appid, dataDir: null });
  expect(o.functions.map((f: { name: string }) => f.name)).toEqual(emu.emulator.functionNames());
  expect(o.functions.find((f: { name: string }) => f.name === 'auth')).toMatchObject({ cold: 1, warm: 0 });
  expect(o.functions.find((f: { name: string }) => f.name === 'cron')!.timerTriggers).toEqual(['hourly']);
  expect(o.collections).toContainEqual({ name: 'users', count: 1 });
  expect(o.uptimeMs).toBeGreaterThanOrEqual(0);
});

test("overview: query counts per collection, the console's own reads left out, unindexed queries listed", async () => {
  await emu.call('auth', { $url: 'session' }, 'o_counted');
  const first = await consoleApi<ConsoleOverview>('GET', '/console/api/overview');
  expect(first.queries.users!.count).toBeGreaterThanOrEqual(1);
  expect(first.queries.users!.unindexed).toBe(0);
  // Reading the console (overview, data pages) is not the product querying.
  await consoleApi('GET', '/console/api/db/users?offset=0&limit=20');
  const again = await consoleApi<ConsoleOverview>('GET', '/console/api/overview');
  expect(again.queries.users).toEqual(first.queries.users);
  // A query no declared index serves (allowed here: strict mode off) shows with its fields.
  const store = emu.emulator.store;
  const strict = store.strictIndexes;
  store.strictIndexes = false;
  try {
    store.find('users', { nickname: 'x' });
  } finally {
    store.strictIndexes = strict;
  }
  const after = await consoleApi<ConsoleOverview>('GET', '/console/api/overview');
  expect(after.queries.users!.unindexed).toBe(first.queries.users!.unindexed + 1);
  expect(after.unindexedQueries.at(-1)).toMatchObject({ collection: 'users', fields: ['nickname'] });
});

test('play a user: a tap is one WeChat charge, recorded, counted and costed on our side; a code never sent is explained', async () => {
  const tap = await consoleApi<ConsolePlay>('POST', '/console/api/play', { openid: 'o_player', action: 'tap' });
  const bind = tap.steps.find((s: { step: string }) => s.step === 'auth.bindPhone')!;
  expect(bind.result).toEqual({ ok: true, data: { phoneMasked: expect.stringMatching(/^138\*{4}\d{4}$/) } });

  let b = await consoleApi<Billing>('GET', '/console/api/billing');
  expect(b.admin).toBe(ADMIN);
  expect(b.admins).toEqual([ADMIN]);
  expect(b.wechat.byKind).toEqual({ quick: 1, realtime: 0 });
  expect(b.wechat.exchanged).toEqual({ quick: 1, realtime: 0 });
  expect(b.ours.byKind).toEqual({ quick: 1, realtime: 0 });
  expect(b.ours.usageDaily.byKind).toEqual({ quick: 1, realtime: 0 });
  // The admin function's own summary, not a figure the console works out.
  expect(b.ours.summary).toEqual(await callData(emu, 'admin', 'usage.summary', {}, ADMIN));
  expect(dataOf(b.ours.summary).totals.quick).toBe(1);
  expect(dataOf(b.ours.quota.quick).remaining).toBe(999);
  expect(b.ours.breaker).toMatchObject({ tripped: false });
  expect(b.wechat.codes).toEqual([
    expect.objectContaining({
      kind: 'quick',
      openid: 'o_player',
      exchanged: true,
      ours: expect.objectContaining({ exchange: 'ok', phoneMasked: (bind.result as { data: { phoneMasked: string } }).data.phoneMasked }),
    }),
  ]);
  expect(b.difference.byKind.quick).toMatchObject({ wechat: 1, ours: 1, usageDaily: 1, wechatMinusOurs: 0 });
  expect(b.difference.explanations).toEqual(['WeChat’s ledger, phone_charges and usage_daily agree.']);

  // The user approved, WeChat charged, and the code never reached us.
  await emu.mintCode({ phoneNumber: '13900001111', openid: 'o_gone' });
  b = await consoleApi<Billing>('GET', '/console/api/billing');
  expect(b.difference.byKind.quick).toMatchObject({ wechat: 2, ours: 1, wechatMinusOurs: 1 });
  expect(b.difference.yuan).toBe('0.03');
  expect(b.difference.explanations.join(' ')).toMatch(/1 code\(s\) WeChat charged never reached auth\.bindPhone/);
  expect(b.wechat.codes[1]).toMatchObject({ openid: 'o_gone', exchanged: false, ours: null });
});

test('a code WeChat refuses at the exchange is explained as not on our books', async () => {
  const code = await emu.mintCode({ phoneNumber: '13900002222', openid: 'o_slow', ttlMs: 1 });
  offset += 60_000; // the code has expired
  expect(await emu.call('auth', { $url: 'bindPhone', code }, 'o_slow')).toMatchObject({ ok: false, error: { code: 'PHONE_CODE_INVALID' } });
  const b = await consoleApi<Billing>('GET', '/console/api/billing');
  expect(b.wechat.codes[0]!.ours).toMatchObject({ exchange: 'failed', billable: false, counted: false, reason: 'invalid-code' });
  expect(b.difference.byKind.quick).toMatchObject({
    wechat: 1,
    ours: 1,
    counted: 0,
    usageDaily: 0,
    wechatMinusOurs: 0,
    wechatMinusDaily: 1,
  });
  expect(b.difference.explanations.join(' ')).toMatch(/1 code\(s\) WeChat refused at the exchange/);
});

test('without an admin the billing view says so, and an admins document made from the console is used', async () => {
  const bare = await startEmulator({ env: {} });
  try {
    const before = await bare.http<Billing>('GET', '/console/api/billing');
    expect(before.body).toMatchObject({ admin: null, admins: [], ours: { summary: { error: { code: 'NO_ADMIN' } } } });
    // What the view's "Make o_console an admin" button sends.
    await bare.http('PUT', '/console/api/db/admins/o_console', { addedBy: 'console', addedAt: { $date: '2026-03-01T00:00:00Z' } });
    const after = await bare.http<Billing>('GET', '/console/api/billing');
    expect(after.body.admin).toBe('o_console');
    expect(dataOf(after.body.ours.summary).totals).toMatchObject({ quick: 0, realtime: 0 });
  } finally {
    await bare.stop();
  }
});

test('deny and no-quota are reported as the mini program reports them, and charge nothing', async () => {
  const deny = await consoleApi<ConsolePlay>('POST', '/console/api/play', { openid: 'o_player', action: 'deny' });
  expect(deny.steps.at(-1)).toMatchObject({ step: 'auth.reportPhoneEvent deny', result: { ok: true } });
  const noQuota = await consoleApi<ConsolePlay>('POST', '/console/api/play', { openid: 'o_player', action: 'no-quota' });
  expect(noQuota.steps.at(-1)).toMatchObject({ step: 'auth.reportPhoneEvent no-quota', result: { ok: true } });
  expect((await emu.docs<{ type: string }>('phone_events')).map((e) => e.type).sort()).toEqual(['deny', 'no-quota']);
  expect(emu.emulator.sandbox.snapshot()).toHaveLength(0);
});

test('play a user shows what the app shows: a hidden button is not tapped; the attacker tap is labelled, and billed', async () => {
  await emu.call('admin', { $url: 'settings.update', version: 0, patch: { phoneCapture: { enabled: false } } }, ADMIN);
  const tap = await consoleApi<ConsolePlay>('POST', '/console/api/play', { openid: 'o_hidden', action: 'tap' });
  expect(tap.steps.map((s) => s.step)).toEqual([
    'auth.session',
    'The app hides the phone button (hiddenBecause "disabled": 商家暂未开启手机号快捷登录，可以用微信身份继续); nothing minted, nothing charged',
  ]);
  expect(emu.emulator.sandbox.snapshot()).toHaveLength(0);
  expect(await emu.docs('phone_charges')).toEqual([]);

  const attack = await consoleApi<ConsolePlay>('POST', '/console/api/play', { openid: 'o_hidden', action: 'attacker-tap' });
  expect(attack.steps.map((s) => s.step)).toEqual([
    'auth.session',
    'As an attacker would: a modified client taps the button the app hides ("disabled"); WeChat bills the code all the same',
    'WeChat: user approved, code minted (one charge)',
    'auth.bindPhone',
  ]);
  expect(emu.emulator.sandbox.snapshot()).toHaveLength(1);
});

test("a tap uses the component the session names, not the console's choice", async () => {
  await emu.call('admin', { $url: 'settings.update', version: 0, patch: { phoneCapture: { kind: 'realtime' } } }, ADMIN);
  await consoleApi<ConsolePlay>('POST', '/console/api/play', { openid: 'o_real', action: 'tap', kind: 'quick' });
  expect(emu.emulator.sandbox.snapshot().map((c) => c.kind)).toEqual(['realtime']);
});

test('a tap with no quota left fails on the button (errno 1400001), is reported, and charges nothing', async () => {
  const small = await startEmulator({ trialCalls: 1, env: { ADMIN_OPENIDS: ADMIN } });
  try {
    const play = async (openid: string) => {
      const res = await small.http<{ steps: Array<{ step: string }> }>('POST', '/console/api/play', { openid, action: 'tap' });
      return res.body.steps.map((s) => s.step);
    };
    expect(await play('o_player_1')).toEqual(['auth.session', 'WeChat: user approved, code minted (one charge)', 'auth.bindPhone']);
    expect(await play('o_player_2')).toEqual([
      'auth.session',
      'WeChat: button fails, errno 1400001 (no quota left), nothing charged',
      'auth.reportPhoneEvent no-quota',
    ]);
    expect(small.emulator.sandbox.snapshot()).toHaveLength(1);
    expect((await small.docs<{ type: string }>('phone_events')).map((e) => e.type)).toEqual(['no-quota']);
  } finally {
    await small.stop();
  }
});

test('no console answer holds a raw phone number; edits keep the stored number behind its mask', async () => {
  await consoleApi('POST', '/console/api/play', { openid: 'o_a', action: 'tap', phoneNumber: '13712345678' });
  await consoleApi('POST', '/console/api/play', { openid: 'o_b', action: 'tap' });
  await emu.call('auth', { $url: 'setManualPhone', phone: '13698765432' }, 'o_c').catch(() => undefined);
  const numbers = rawNumbers();
  expect(numbers).toContain('13712345678');

  const answers: string[] = [];
  for (const path of ['/console/api/overview', '/console/api/billing', '/console/api/db', '/console/api/faults'])
    answers.push((await raw('GET', path)).text);
  for (const name of emu.emulator.store.collectionNames()) answers.push((await raw('GET', `/console/api/db/${name}?limit=200`)).text);
  answers.push((await raw('POST', '/console/api/invoke', json({ fn: 'auth', route: 'session', openid: 'o_a' }))).text);
  const all = answers.join('\n');
  for (const n of numbers) expect(all).not.toContain(n);
  expect(all).toContain('137****5678');

  // Edit the user as the page would: what it got (masked) plus a new field.
  const page = await consoleApi<ConsolePage>('GET', '/console/api/db/users?limit=200');
  const user = page.docs.find((d) => d._id === 'o_a');
  await consoleApi('PUT', '/console/api/db/users/o_a', { ...user, nickname: 'Ann' });
  const stored = emu.emulator.store.find('users', { _id: 'o_a' })[0] as {
    nickname: string;
    phone: { purePhoneNumber: string; verifiedAt: unknown };
  };
  expect(stored.nickname).toBe('Ann');
  expect(stored.phone.purePhoneNumber).toBe('13712345678');
  expect(stored.phone.verifiedAt).toBeInstanceOf(Date);
});

test('data pages and a new document, as PUT /v1/db does', async () => {
  for (let i = 0; i < 25; i++)
    await emu.http('PUT', `/v1/db/phone_events/e${String(i).padStart(2, '0')}`, { type: 'deny', at: { $date: '2026-03-01T00:00:00Z' } });
  const second = await consoleApi<ConsolePage>('GET', '/console/api/db/phone_events?offset=20&limit=20');
  expect(second).toMatchObject({ total: 25, offset: 20 });
  expect(second.docs.map((d) => d._id)).toEqual(['e20', 'e21', 'e22', 'e23', 'e24']);
  expect(second.docs[0]!.at).toEqual({ $date: '2026-03-01T00:00:00Z' });
  await consoleApi('PUT', '/console/api/db/settings/global', { hidePrices: true });
  expect(await emu.docs('settings')).toEqual([{ _id: 'global', hidePrices: true }]);
  expect((await raw('PUT', '/console/api/db/settings/global', json({ _id: 'other' }))).status).toBe(400);
});

test("a page's fields come from every document of the collection, not the first; a document can be deleted", async () => {
  await emu.http('PUT', '/v1/db/phone_events/a', { type: 'deny' });
  await emu.http('PUT', '/v1/db/phone_events/b', { type: 'fail', errno: 112 });
  for (let i = 0; i < 25; i++) await emu.http('PUT', `/v1/db/phone_events/c${String(i).padStart(2, '0')}`, { type: 'deny' });
  await emu.http('PUT', '/v1/db/phone_events/z', { type: 'no-quota', errMsg: 'getPhoneNumber:fail no permission' });
  // The first page holds a, b, c00…c17: errMsg is only on the last page, and still a column.
  const first = await consoleApi<ConsolePage>('GET', '/console/api/db/phone_events?limit=20');
  expect(first.fields).toEqual(['_id', 'type', 'errno', 'errMsg']);

  expect(await consoleApi('DELETE', '/console/api/db/phone_events/b')).toEqual({ deleted: 'b' });
  expect((await emu.docs<{ _id: string }>('phone_events')).map((d) => d._id)).not.toContain('b');
  expect((await raw('DELETE', '/console/api/db/phone_events/b')).status).toBe(404);
});

test('the live log streams each invocation (function, route, caller, duration, envelope code) with the function’s lines', async () => {
  const received: LogEntry[] = [];
  const stream = request(`${emu.url}/console/api/events`, { agent: false });
  const got = new Promise<void>((resolve) => {
    stream.on('response', (res) => {
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        for (let i; (i = buffer.indexOf('\n\n')) >= 0; buffer = buffer.slice(i + 2)) {
          const data = buffer
            .slice(0, i)
            .split('\n')
            .find((l) => l.startsWith('data: '));
          if (data) received.push(JSON.parse(data.slice(6)) as LogEntry);
          if (
            received.some((e) => e.type === 'invocation' && e.caller === 'o_logged') &&
            received.some((e) => e.type === 'log' && e.fn === 'auth' && e.line.includes('bindPhone'))
          )
            resolve();
        }
      });
    });
  });
  stream.end();
  await consoleApi('POST', '/console/api/play', { openid: 'o_logged', action: 'tap' });
  await got;
  stream.destroy();
  const bind = received.find((e) => e.type === 'invocation' && e.caller === 'o_logged');
  expect(bind).toMatchObject({ fn: 'auth', caller: 'o_logged', source: 'wx_client', code: 'OK' });
  expect(bind?.type === 'invocation' && bind.durationMs).toBeGreaterThan(0);
  // The function's own line, masked like everything else.
  expect(
    received.find((e): e is Extract<LogEntry, { type: 'log' }> => e.type === 'log' && e.fn === 'auth' && e.line.includes('bindPhone'))!
      .line,
  ).toMatch(/138\*{4}\d{4}/);
  const failed = await consoleApi<ConsoleCall>('POST', '/console/api/invoke', {
    fn: 'admin',
    route: 'settings.get',
    openid: 'o_not_admin',
  });
  expect(failed.result).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  expect(
    emu.emulator.invocationLog
      .recent()
      .filter((e) => e.type === 'invocation')
      .at(-1),
  ).toMatchObject({ fn: 'admin', route: 'settings.get', code: 'FORBIDDEN' });
});

test('export from the console and import it back', async () => {
  await consoleApi('POST', '/console/api/play', { openid: 'o_exported', action: 'tap' });
  const exported = await raw('GET', '/console/api/export');
  expect(exported.status).toBe(200);
  await emu.reset();
  expect(await emu.docs('phone_charges')).toEqual([]);
  const res = await raw('POST', '/console/api/import', { body: exported.text, headers: { 'content-type': 'application/json' } });
  expect(res.status).toBe(200);
  expect((await emu.docs<{ openid: string }>('phone_charges')).map((c) => c.openid)).toEqual(['o_exported']);
  expect(emu.emulator.sandbox.snapshot()).toHaveLength(1);
  expect((await raw('POST', '/console/api/import', json({ nope: true }))).status).toBe(400);
  expect(await emu.docs('phone_charges')).toHaveLength(1);
});

describe('npm start flags', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'quickphone-export-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function start(args: string[]) {
    const root = join(__dirname, '..');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(root, 'scripts', 'start.ts'), '--port', '0', '--in-memory', '--no-build', '--quiet', ...args],
      { cwd: root, env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const url = new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /quickphone emulator on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      let err = '';
      child.stderr.on('data', (c: Buffer) => (err += c.toString()));
      void exited.then((code) => reject(new Error(`exited early (${code}): ${err || out}`)));
    });
    return { url, stop: async () => (child.kill('SIGTERM'), exited), exited };
  }

  test('--export-on-exit writes the data on SIGTERM and --import loads it at the next start', async () => {
    const file = join(dir, 'snapshot.json');
    const first = start(['--export-on-exit', file]);
    const a = emulatorClient(await first.url, async () => undefined);
    await a.call('auth', { $url: 'bindPhone', code: await a.mintCode({ phoneNumber: '13800138000', openid: 'o_flag' }) }, 'o_flag');
    expect(await first.stop()).toBe(0);
    expect(existsSync(file)).toBe(true);
    expect(JSON.parse(readFileSync(file, 'utf8')).collections.phone_charges).toHaveLength(1);

    const second = start(['--import', file, '--export-on-exit', join(dir, 'folder')]);
    const b = emulatorClient(await second.url, async () => undefined);
    try {
      expect((await b.docs<{ openid: string }>('phone_charges')).map((c) => c.openid)).toEqual(['o_flag']);
      expect((await b.http<{ total: number }>('GET', '/v1/wechat/charges')).body.total).toBe(1);
    } finally {
      expect(await second.stop()).toBe(0);
    }
    expect(existsSync(join(dir, 'folder', 'state.json'))).toBe(true);
  });

  test('--import of a missing path stops the start with a message', async () => {
    const run = start(['--import', join(dir, 'missing')]);
    await expect(run.url).rejects.toThrow(/--import: .*missing does not exist/);
  });
});
