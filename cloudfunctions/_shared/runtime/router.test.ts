import * as v from 'valibot';
import { AppError } from './errors';
import { logEvent } from './log';
import { access, createHandler, dispatcher, noParams, route, serverRoute, type AnyRoute, type Caller } from './router';

process.env.QUICKPHONE_LOG = 'off';
const alice: Caller = { openid: 'o_alice', appid: 'wx0000000000000001', unionid: null };

const handler = dispatcher({
  name: 'demo',
  identify: () => alice,
  routes: {
    echo: access.user(
      route(v.object({ text: v.pipe(v.string(), v.minLength(1)) }), async (input, { caller }) => ({
        text: input.text,
        by: caller.openid,
      })),
    ),
    refuse: access.user(
      route(v.object({}), async () => {
        throw new AppError('FORBIDDEN', 'not for you');
      }),
    ),
    crash: access.user(
      route(v.object({}), async () => {
        throw new Error('database password is hunter2');
      }),
    ),
    nested: access.user(route(v.object({ phoneCapture: v.object({ dailyCap: v.pipe(v.number(), v.integer()) }) }), async () => ({}))),
    wrapped: access.user(
      route(v.object({}), async () => {
        const low = new Error('lookup of 13812348000 failed at https://x/y?access_token=SECRET123');
        throw new AppError('UPSTREAM_UNAVAILABLE', 'WeChat is not answering; try again.', { cause: low });
      }),
    ),
    fault: access.user(
      route(v.object({}), async () => {
        throw new TypeError('cannot read 13812348000 of undefined', { cause: new RangeError('the inner fault') });
      }),
    ),
  },
});

/** The log lines `run` writes, parsed (logging is on only inside). */
async function logsOf(run: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const lines: string[] = [];
  const spies = [jest.spyOn(console, 'log'), jest.spyOn(console, 'error')];
  for (const spy of spies) spy.mockImplementation((line: string) => void lines.push(line));
  process.env.QUICKPHONE_LOG = 'on';
  try {
    await run();
  } finally {
    process.env.QUICKPHONE_LOG = 'off';
    for (const spy of spies) spy.mockRestore();
  }
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
}

test('a route answers in the success envelope with parsed input and the caller', async () => {
  expect(await handler({ $url: 'echo', text: 'hi', openid: 'o_spoof' })).toEqual({ ok: true, data: { text: 'hi', by: 'o_alice' } });
});

test('bad input is INVALID_ARGUMENT naming the field', async () => {
  const answer = await handler({ $url: 'echo', text: 42 });
  expect(answer).toEqual({ ok: false, error: { code: 'INVALID_ARGUMENT', message: expect.stringMatching(/^text: /), field: 'text' } });
});

test('a refused nested input names its dot path in error.field, so a client needs no regex on the message', async () => {
  const answer = await handler({ $url: 'nested', phoneCapture: { dailyCap: 1.5 } });
  expect(answer).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT', field: 'phoneCapture.dailyCap' } });
  // A missing object is named by its own key.
  expect(await handler({ $url: 'nested' })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT', field: 'phoneCapture' } });
});

test('an AppError with a cause answers its own words; the cause is logged, masked, and never answered', async () => {
  let answer: unknown;
  const logs = await logsOf(async () => (answer = await handler({ $url: 'wrapped' })));
  expect(answer).toEqual({ ok: false, error: { code: 'UPSTREAM_UNAVAILABLE', message: 'WeChat is not answering; try again.' } });
  const traced = logs.find((line) => line.cause);
  expect(traced).toMatchObject({ level: 'warn', fn: 'demo', route: 'wrapped', code: 'UPSTREAM_UNAVAILABLE' });
  expect(traced!.cause).toMatchObject({
    error: expect.stringContaining('lookup of 138****8000 failed'),
    stack: expect.stringMatching(/^at /),
  });
  const text = JSON.stringify(logs);
  expect(text).not.toContain('13812348000');
  expect(text).not.toContain('SECRET123');
});

test('an unexpected failure is logged with its stack and its cause, masked; the answer carries neither', async () => {
  let answer: unknown;
  const logs = await logsOf(async () => (answer = await handler({ $url: 'fault' })));
  expect(JSON.stringify(answer)).not.toMatch(/router\.test|at |inner fault|TypeError/);
  const fault = logs.find((line) => line.level === 'error')!;
  expect(fault).toMatchObject({ fn: 'demo', route: 'fault', error: 'TypeError: cannot read 138****8000 of undefined' });
  // The frames point at this file: where the fault was thrown, which String(err) never told.
  expect(fault.stack).toEqual(expect.stringContaining('router.test.ts'));
  expect(fault.cause).toMatchObject({ error: 'RangeError: the inner fault', stack: expect.any(String) });
  expect(JSON.stringify(logs)).not.toContain('13812348000');
});

test('an AppError keeps its code and message', async () => {
  expect(await handler({ $url: 'refuse' })).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: 'not for you' } });
});

test('any other failure is INTERNAL and its message does not leak', async () => {
  const answer = await handler({ $url: 'crash' });
  expect(answer).toEqual({ ok: false, error: { code: 'INTERNAL', message: expect.any(String) } });
  expect(JSON.stringify(answer)).not.toContain('hunter2');
});

test('unknown, missing and prototype-named routes are NOT_FOUND', async () => {
  for (const event of [{ $url: 'nope' }, {}, { $url: 'constructor' }, { $url: '__proto__' }, null, 'text']) {
    expect(await handler(event)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  }
});

describe('the scoped log', () => {
  /** Held open until the test releases it, so two requests are in flight at once. */
  function latch() {
    let release!: () => void;
    const opened = new Promise<void>((resolve) => (release = resolve));
    return { opened, release };
  }
  const gate = latch();
  /** Code below a route, shared by every function: it knows no route, and says none. */
  const sharedHelper = (what: string) => logEvent('warn', { helper: what });
  let caller: Caller = alice;
  const main = dispatcher({
    name: 'demo',
    identify: () => caller,
    routes: {
      slow: access.user(
        route(noParams, async (_input, { log }) => {
          log.info({ step: 'before' });
          await gate.opened;
          sharedHelper('slow');
          log.error({ step: 'after' });
          return 'slow';
        }),
      ),
      quick: access.user(
        route(noParams, async (_input, { log }) => {
          sharedHelper('quick');
          log.warn({ step: 'only' });
          return 'quick';
        }),
      ),
    },
    timer: async () => {
      sharedHelper('timer');
      return null;
    },
  });

  test("a route's log lines carry the function, the route and the request id without the route naming them", async () => {
    const logs = await logsOf(async () => {
      const slow = main({ $url: 'slow' }, { request_id: 'req-slow' });
      // Another request runs to its end while the first is held: neither borrows the other's scope.
      await main({ $url: 'quick' }, { request_id: 'req-quick' });
      gate.release();
      await slow;
    });
    const scopeOf = (fields: Record<string, unknown>) => logs.find((l) => Object.entries(fields).every(([k, v]) => l[k] === v));
    expect(scopeOf({ step: 'before' })).toEqual({ level: 'info', fn: 'demo', route: 'slow', request: 'req-slow', step: 'before' });
    expect(scopeOf({ step: 'after' })).toMatchObject({ level: 'error', fn: 'demo', route: 'slow', request: 'req-slow' });
    expect(scopeOf({ step: 'only' })).toMatchObject({ level: 'warn', fn: 'demo', route: 'quick', request: 'req-quick' });
    expect(scopeOf({ helper: 'slow' })).toMatchObject({ fn: 'demo', route: 'slow', request: 'req-slow' });
    expect(scopeOf({ helper: 'quick' })).toMatchObject({ fn: 'demo', route: 'quick', request: 'req-quick' });
    // The closing line of each request says how it ended, in the same scope.
    expect(scopeOf({ route: 'slow', ok: true })).toMatchObject({ fn: 'demo', request: 'req-slow', ms: expect.any(Number) });
  });

  test('a timer entry scopes shared code to the function and trigger; without a request id the line has none', async () => {
    caller = { openid: null, appid: null, unionid: null }; // as a timer trigger arrives
    const logs = await logsOf(() => main({ Type: 'Timer', TriggerName: 'hourly' }));
    caller = alice;
    expect(logs.find((l) => l.helper === 'timer')).toEqual({ level: 'warn', fn: 'demo', trigger: 'hourly', helper: 'timer' });
  });

  test('outside any entry a line carries only its own fields', async () => {
    const logs = await logsOf(async () => sharedHelper('alone'));
    expect(logs).toEqual([{ level: 'warn', helper: 'alone' }]);
  });
});

describe('other entries take the same path', () => {
  let caller: Caller = { openid: null, appid: null, unionid: null };
  const main = dispatcher({
    name: 'demo',
    identify: () => caller,
    routes: { ping: access.user(route(noParams, async () => 'pong')) },
    timer: async (event) => ({ ran: event.TriggerName }),
    http: async (request) => {
      if (request.httpMethod === 'PUT') throw new Error('secret detail');
      return { statusCode: 200, headers: {}, body: request.httpMethod };
    },
  });
  beforeEach(() => {
    caller = { openid: null, appid: null, unionid: null };
  });

  test('a timer event answers its result in the envelope', async () => {
    expect(await main({ Type: 'Timer', TriggerName: 'hourly' })).toEqual({ ok: true, data: { ran: 'hourly' } });
  });

  test("an HTTP access request gets the handler's response; a crash is a 500 that hides the detail", async () => {
    expect(await main({ httpMethod: 'GET' })).toEqual({ statusCode: 200, headers: {}, body: 'GET' });
    const crashed = await main({ httpMethod: 'PUT' });
    expect(crashed).toMatchObject({ statusCode: 500 });
    expect(JSON.stringify(crashed)).not.toContain('secret detail');
  });

  test('a caller with an OPENID cannot pass for the timer or HTTP access: it is a route call', async () => {
    caller = { openid: 'o_alice', appid: null, unionid: null };
    expect(await main({ Type: 'Timer' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await main({ httpMethod: 'GET' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await main({ $url: 'ping' })).toEqual({ ok: true, data: 'pong' });
  });

  test('an event with $url is a route call even without an OPENID, and its access is checked', async () => {
    expect(await main({ $url: 'ping', Type: 'Timer' })).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
  });
});

describe('the contract check (compile time)', () => {
  const identify = () => alice;
  const session = route(noParams, async () => ({
    openid: 'o',
    user: { phoneMasked: null, isAdmin: false },
    settings: { phoneCaptureEnabled: true, phoneKind: 'quick' as const, hidePrices: false, hideShippingAddress: false, version: 0 },
    phoneLogin: { show: true, kind: 'quick' as const, hiddenBecause: null },
  }));
  const cronRun = route(noParams, async () => ({
    breakers: { rearmed: null, tripped: null, breaker: { tripped: false, reason: null, at: new Date() } },
    alerts: [],
    reconciliation: { status: 'skipped' as const, reason: 'test' },
    recounted: 0,
    finished: { bound: 0, refused: 0, unknown: 0 },
    providerFleet: { status: 'skipped' as const, reason: 'test' },
    corrections: [],
    remaining: 0,
  }));

  test('a conforming table compiles; a Date in a result is an ISO string on the wire', () => {
    expect(typeof createHandler({ name: 'cron', identify, routes: { run: access.admin(cronRun) } })).toBe('function');
  });

  test('a result carrying a field its contract entry lacks does not compile, however deep', () => {
    const leaky = route(noParams, async () => ({
      ...(await cronRun.run({}, { caller: alice as never, log: undefined as never })),
      rawPhone: '13800138000',
    }));
    // @ts-expect-error `rawPhone` is not in the contract's check report
    createHandler({ name: 'cron', identify, routes: { run: access.admin(leaky) } });
    const deep = route(noParams, async () => {
      const report = await cronRun.run({}, { caller: alice as never, log: undefined as never });
      return { ...report, finished: { ...report.finished, phone: '13800138000' } };
    });
    // @ts-expect-error `finished.phone` is not in the contract either
    createHandler({ name: 'cron', identify, routes: { run: access.admin(deep) } });
  });

  test('a route without declared access, or with access that does not fit its handler, does not compile', () => {
    // @ts-expect-error `run` declares no access
    createHandler({ name: 'cron', identify, routes: { run: cronRun } });
    // @ts-expect-error a user route's handler reads an openid; a server caller has none
    access.server(cronRun);
  });

  test('drift in input, output, a missing or an extra route does not compile', () => {
    const wrongInput = route(v.object({ force: v.boolean() }), cronRun.run);
    // @ts-expect-error the schema wants `force`, the contract's `run` takes nothing
    createHandler({ name: 'cron', identify, routes: { run: access.admin(wrongInput) } });
    // @ts-expect-error `run` answers a session, not a check report
    createHandler({ name: 'cron', identify, routes: { run: access.admin(session) } });
    // @ts-expect-error `run` is missing
    createHandler({ name: 'cron', identify, routes: {} });
    // @ts-expect-error `extra` is not in the contract
    createHandler({ name: 'cron', identify, routes: { run: access.admin(cronRun), extra: access.admin(cronRun) } });
  });
});

describe('access, declared per route and checked before the input is read', () => {
  let caller: Caller = alice;
  const admins = new Set(['o_admin']);
  const strict = v.object({ n: v.number() });
  const main = dispatcher({
    name: 'demo',
    identify: () => caller,
    isAdmin: async (openid) => admins.has(openid),
    routes: {
      mine: access.user(
        route(strict, async (_input, ctx) => {
          const openid: string = ctx.caller.openid; // a string: no null check needed
          return openid;
        }),
      ),
      manage: access.admin(route(strict, async (_input, { caller: c }) => `managed by ${c.openid}`)),
      probe: access.server(serverRoute(strict, async (_input, { caller: c }) => ({ openid: c.openid }))),
      // As plain JavaScript (or a cast) could put it: a route with no access.
      undeclared: route(strict, async () => 'should never run') as unknown as AnyRoute,
    },
  });
  const nobody: Caller = { openid: null, appid: null, unionid: null };
  const error = (code: string) => ({ ok: false, error: { code, message: expect.any(String) } });

  test('user: any OPENID; none is UNAUTHENTICATED, even with bad input', async () => {
    caller = alice;
    expect(await main({ $url: 'mine', n: 1 })).toEqual({ ok: true, data: 'o_alice' });
    caller = nobody;
    expect(await main({ $url: 'mine', n: 'bad' })).toEqual(error('UNAUTHENTICATED'));
  });

  test('admin: only an admin; anyone else is FORBIDDEN without learning the input rules', async () => {
    caller = alice;
    expect(await main({ $url: 'manage', n: 'bad' })).toEqual(error('FORBIDDEN'));
    caller = { ...alice, openid: 'o_admin' };
    expect(await main({ $url: 'manage', n: 1 })).toEqual({ ok: true, data: 'managed by o_admin' });
    caller = nobody;
    expect(await main({ $url: 'manage', n: 1 })).toEqual(error('UNAUTHENTICATED'));
  });

  test('admin routes are closed when the function says nothing of admins', async () => {
    const closed = dispatcher({
      name: 'demo',
      identify: () => ({ ...alice, openid: 'o_admin' }),
      routes: { manage: access.admin(route(noParams, async () => 1)) },
    });
    expect(await closed({ $url: 'manage' })).toEqual(error('FORBIDDEN'));
  });

  test('server: no OPENID only; a mini program user is FORBIDDEN', async () => {
    caller = nobody;
    expect(await main({ $url: 'probe', n: 1 })).toEqual({ ok: true, data: { openid: null } });
    caller = alice;
    expect(await main({ $url: 'probe', n: 1 })).toEqual(error('FORBIDDEN'));
  });

  test('a route that declares no access is refused for everyone (deny by default)', async () => {
    for (const c of [alice, { ...alice, openid: 'o_admin' }, nobody]) {
      caller = c;
      expect(await main({ $url: 'undeclared', n: 1 })).toEqual(error('FORBIDDEN'));
    }
  });
});
