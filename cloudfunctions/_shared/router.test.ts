import * as v from 'valibot';
import { AppError } from './errors';
import { createHandler, route, type Caller } from './router';

process.env.QUICKPHONE_LOG = 'off';
const alice: Caller = { openid: 'o_alice', appid: 'wx0000000000000001', unionid: null };

const handler = createHandler({
  name: 'demo',
  identify: () => alice,
  routes: {
    echo: route(v.object({ text: v.pipe(v.string(), v.minLength(1)) }), async (input, { caller }) => ({ text: input.text, by: caller.openid })),
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
