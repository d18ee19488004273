/**
 * Result pushes in every form WeChat's message push takes, end to end: the emulator
 * settles an assign or cancel and pushes it through HTTP access to the provider
 * function as XML or JSON, plain or encrypted (safe mode); the function verifies,
 * decrypts and settles. In safe mode a plain push, even correctly signed, changes
 * nothing (its signature does not cover the body).
 */
import { startEmulator, type TestEmulator } from './support/emulator';
import { QUICKPHONE_SP_PUSH_TOKEN } from '../scripts/lib/emulator-plugin';
import { encrypt, signedPush } from '../packages/cloudbase-emulator/src/wechat/provider-push';
import type { OutputOf } from '../miniprogram/contract';
import { routesOf } from './support/envelope';
import { waitFor } from './support/wait';

interface Doc {
  _id: string;
  status: string;
  receivePkgId: string | null;
  history: Array<{ to: string; via: string }>;
}

const BOSS = 'o_provider_boss';
const PROVIDER_APPID = 'wx5eed1e0c0ffee001';
const MERCHANT = 'wxa1b2c3d4e5f60718';
const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';

function harness(safeMode: boolean, providerAppid = PROVIDER_APPID) {
  const env: Record<string, string> = {
    ADMIN_OPENIDS: BOSS,
    PROVIDER_APPID: providerAppid,
    PROVIDER_APPSECRET: 'provider-secret',
    PROVIDER_PUSH_TOKEN: QUICKPHONE_SP_PUSH_TOKEN,
    // Only polls that are asked for: these tests settle by push alone.
    PROVIDER_POLL_AFTER_SECONDS: '3600',
    // Safe mode also takes the token from the stable-token API (the option; /cgi-bin/token is the default).
    ...(safeMode
      ? { PROVIDER_PUSH_AES_KEY: AES_KEY, CLOUDBASE_EMULATOR_SP_PUSH_AES_KEY: AES_KEY, PROVIDER_TOKEN_PATH: '/cgi-bin/stable_token' }
      : {}),
  };
  const h = {
    t: null as unknown as TestEmulator,
    env,
    ok: routesOf((): TestEmulator => h.t, 'provider', BOSS).data,
    async assignOne(key: string): Promise<OutputOf<'provider', 'assign'>> {
      const { orderId } = (await h.t.http<{ orderId: string }>('POST', '/v1/wechat/sp-orders', { calls: 100_000 })).body;
      const { skus } = await h.ok('skus.list', { orderId });
      return h.ok('assign', {
        orderId,
        skuId: skus.find((s) => s.calls === 1000)!.skuId,
        receiverAppId: MERCHANT,
        idempotencyKey: key,
      });
    },
    record: async (id: string) => (await h.t.docs<Doc>('provider_assignments')).find((d) => d._id === id),
    settled: (id: string, status: string) =>
      waitFor(
        () => h.record(id),
        (r) => r?.status === status,
        `${id} to be ${status}`,
      ),
  };
  beforeAll(async () => {
    h.t = await startEmulator({ env });
  });
  afterAll(() => h.t.stop());
  beforeEach(async () => {
    delete env.CLOUDBASE_EMULATOR_SP_PUSH_FORMAT;
    await h.t.reset();
  });
  return h;
}

describe('plain mode', () => {
  const h = harness(false);

  test('an XML push settles the assignment (and stores receive_pkg_id); an XML cancel push cancels it', async () => {
    h.env.CLOUDBASE_EMULATOR_SP_PUSH_FORMAT = 'xml';
    const answer = await h.assignOne('xml-plain');
    const done = await h.settled(answer.assignmentId, 'done');
    expect(done).toMatchObject({ receivePkgId: expect.stringMatching(/.+/), history: [{ to: 'done', via: 'event 5' }] });
    await h.ok('cancel', { assignmentId: answer.assignmentId });
    const cancelled = await h.settled(answer.assignmentId, 'cancelled');
    expect(cancelled!.history.at(-1)).toMatchObject({ to: 'cancelled', via: 'event 6' });
  });

  test('an unsigned 1 MB push is refused for its signature (the body is never parsed)', async () => {
    const res = await fetch(
      `${h.t.url}/http/provider-events?timestamp=${Math.floor(Date.now() / 1000)}&nonce=1&signature=${'0'.repeat(40)}`,
      {
        method: 'POST',
        headers: { 'content-type': 'text/xml' },
        body: `<xml>${'<a><![CDATA['.repeat(85_000)}</xml>`,
      },
    );
    expect(res.status).toBe(403);
  });

  test('an encrypted push is refused when no EncodingAESKey is configured', async () => {
    const sealed = signedPush(
      { event_type: 5, result: 0, request_id: 'qp0000000000000000000000000000', order_id: 'x', receive_appid: MERCHANT },
      { token: QUICKPHONE_SP_PUSH_TOKEN, encodingAesKey: AES_KEY, format: 'json', appid: PROVIDER_APPID },
      Date.now(),
    );
    const res = await fetch(`${h.t.url}/http/provider-events?${new URLSearchParams(sealed.query)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: sealed.body,
    });
    expect(res.status).toBe(403);
  });
});

describe('safe mode (AES)', () => {
  const h = harness(true);

  test('PROVIDER_TOKEN_PATH=/cgi-bin/stable_token: the token comes from the stable-token API instead', async () => {
    await h.assignOne('stable-token');
    const counts = h.t.emulator.stats.actionCounts();
    expect(counts['wechat:/cgi-bin/stable_token']).toBeGreaterThanOrEqual(1);
    expect(counts['wechat:/cgi-bin/token'] ?? 0).toBe(0);
  });

  test.each(['json', 'xml'])('an encrypted %s push settles the assignment', async (format) => {
    h.env.CLOUDBASE_EMULATOR_SP_PUSH_FORMAT = format;
    const answer = await h.assignOne(`aes-${format}`);
    expect(await h.settled(answer.assignmentId, 'done')).toMatchObject({ history: [{ to: 'done', via: 'event 5' }] });
  });

  test('a plain push, even signed with the Token, and a push sealed for another appid change nothing', async () => {
    // Held back until settled below, so the forged pushes come first.
    await h.t.http('POST', '/v1/faults', { target: 'provider:assign', delayMs: 60_000 });
    const answer = await h.assignOne('aes-forged');
    const { body } = await h.t.http<{ orders: Array<{ orderId: string }> }>('GET', '/v1/wechat/sp-orders');
    const event = {
      event_type: 5,
      result: 10121012,
      order_id: body.orders[0]!.orderId,
      receive_appid: MERCHANT,
      request_id: answer.requestId,
      receive_pkg_id: '1',
    };
    const post = async (push: { query: Record<string, string>; body: string }) =>
      (
        await fetch(`${h.t.url}/http/provider-events?${new URLSearchParams(push.query)}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: push.body,
        })
      ).status;
    expect(
      await post(
        signedPush(event, { token: QUICKPHONE_SP_PUSH_TOKEN, encodingAesKey: null, format: 'json', appid: PROVIDER_APPID }, Date.now()),
      ),
    ).toBe(403);
    expect(
      await post(
        signedPush(
          event,
          { token: QUICKPHONE_SP_PUSH_TOKEN, encodingAesKey: AES_KEY, format: 'json', appid: 'wx00000000000000aa' },
          Date.now(),
        ),
      ),
    ).toBe(403);
    // A captured msg_signature with another ciphertext.
    const real = signedPush(
      event,
      { token: QUICKPHONE_SP_PUSH_TOKEN, encodingAesKey: AES_KEY, format: 'json', appid: PROVIDER_APPID },
      Date.now(),
    );
    expect(
      await post({ query: real.query, body: JSON.stringify({ Encrypt: encrypt(JSON.stringify(event), AES_KEY, PROVIDER_APPID) }) }),
    ).toBe(403);
    expect(await h.record(answer.assignmentId)).toMatchObject({ status: 'pending', history: [] });
    h.t.emulator.providerResults.settleNow();
    expect(await h.settled(answer.assignmentId, 'done')).toMatchObject({ history: [{ to: 'done', via: 'event 5' }] });
  });
});

describe("a service platform AppID other than the emulator's mini program", () => {
  // The emulator seals pushes with PROVIDER_APPID (what the function checks), not its mini program's appid.
  const h = harness(true, 'wx00000000000000aa');

  test('an encrypted push sealed for PROVIDER_APPID settles the assignment', async () => {
    expect(h.t.emulator.appid).not.toBe('wx00000000000000aa');
    const answer = await h.assignOne('own-provider-appid');
    expect(await h.settled(answer.assignmentId, 'done')).toMatchObject({ history: [{ to: 'done', via: 'event 5' }] });
  });
});
