import * as v from 'valibot';
import { AppError } from './errors';
import { createHandler, dispatcher, noParams, route, type Caller } from './router';

process.env.QUICKPHONE_LOG = 'off';
const alice: Caller = { openid: 'o_alice', appid: 'wx0000000000000001', unionid: null };

const handler = dispatcher({
  name: 'demo',
  identify: () => alice,
  routes: {
    echo: route(v.object({ text: v.pipe(v.string(), v.minLength(1)) }), async (input, { caller }) => ({
      text: input.text,
      by: caller.openid,
    })),
    refuse: route(v.object({}), async () => {
      throw new AppError('FORBIDDEN', 'not for you');
    }),
    crash: route(v.object({}), async () => {
      throw new Error('database password is hunter2');
    }),
  },
});

test('a route answers in the success envelope with parsed input and the caller', async () => {
  expect(await handler({ $url: 'echo', text: 'hi', openid: 'o_spoof' })).toEqual({ ok: true, data: { text: 'hi', by: 'o_alice' } });
});

test('bad input is INVALID_ARGUMENT naming the field', async () => {
  const answer = await handler({ $url: 'echo', text: 42 });
  expect(answer).toEqual({ ok: false, error: { code: 'INVALID_ARGUMENT', message: expect.stringMatching(/^text: /) } });
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

describe('other entries take the same path', () => {
  let caller: Caller = { openid: null, appid: null, unionid: null };
  const main = dispatcher({
    name: 'demo',
    identify: () => caller,
    authorize: async (c) => {
      if (!c.openid) throw new AppError('UNAUTHENTICATED', 'who?');
    },
    routes: { ping: route(noParams, async () => 'pong') },
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

  test('an event with $url is a route call even without an OPENID, and authorize runs', async () => {
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
  }));

  test('a conforming table compiles; a Date in a result is an ISO string on the wire', () => {
    expect(typeof createHandler({ name: 'cron', identify, routes: { run: cronRun } })).toBe('function');
  });

  test('drift in input, output, a missing or an extra route does not compile', () => {
    const wrongInput = route(v.object({ force: v.boolean() }), cronRun.run);
    // @ts-expect-error the schema wants `force`, the contract's `run` takes nothing
    createHandler({ name: 'cron', identify, routes: { run: wrongInput } });
    // @ts-expect-error `run` answers a session, not a check report
    createHandler({ name: 'cron', identify, routes: { run: session } });
    // @ts-expect-error `run` is missing
    createHandler({ name: 'cron', identify, routes: {} });
    // @ts-expect-error `extra` is not in the contract
    createHandler({ name: 'cron', identify, routes: { run: cronRun, extra: cronRun } });
  });
});
