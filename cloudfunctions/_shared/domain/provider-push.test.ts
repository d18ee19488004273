import { encrypt, signedPush, toXml } from '../../../packages/cloudbase-emulator/src/wechat/provider-push';
import {
  decryptMessage,
  MAX_PUSH_BODY_CHARS,
  parseBodyFields,
  parseXmlFields,
  pushSignature,
  readPush,
  type PushSecrets,
} from './provider-push';

// The worked examples of WeChat's message-push page (Token "AAAAA").
test("signatures match WeChat's documented examples", () => {
  expect(pushSignature('AAAAA', '1714036504', '1514711492')).toBe('f464b24fc39322e44b38aa78f5edd27bd1441696');
  expect(pushSignature('AAAAA', '1714037059', '486452656')).toBe('899cf89e464efb63f54ddac96b0a0a235f53aa78');
});

const KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG'; // 43 characters
const APPID = 'wx5eed1e0c0ffee001';
const NOW = 1_714_037_059_000;
const event = {
  event_type: 5,
  result: 0,
  order_id: 'DD2970445798112968704',
  receive_appid: 'wxa1b2c3d4e5f60718',
  request_id: 'qp0123456789abcdef',
  receive_pkg_id: '77',
};
const secrets = (more: Partial<PushSecrets> = {}): PushSecrets => ({
  token: 'AAAAA',
  encodingAesKey: null,
  appid: APPID,
  maxAgeSeconds: 300,
  ...more,
});
const asInput = (push: ReturnType<typeof signedPush>) => ({ method: push.method, query: push.query, body: push.body });
const fields = {
  event_type: '5',
  result: '0',
  order_id: 'DD2970445798112968704',
  receive_appid: 'wxa1b2c3d4e5f60718',
  request_id: 'qp0123456789abcdef',
  receive_pkg_id: '77',
};

test('XML and JSON bodies read as the same flat fields', () => {
  expect(parseXmlFields(toXml(event))).toEqual(fields);
  expect(parseBodyFields(JSON.stringify(event))).toEqual(fields);
  expect(parseXmlFields('<xml><a>1</a>junk</xml>')).toBeNull();
  expect(parseBodyFields('[1]')).toBeNull();
  expect(parseBodyFields('not json')).toBeNull();
  expect(parseXmlFields('<xml><a>&lt;b&gt;</a></xml>')).toEqual({ a: '<b>' });
});

test('AES: what the emulator seals, the function opens, with the appid it was sealed for', () => {
  const sealed = encrypt('{"x":"中文"}', KEY, APPID);
  expect(decryptMessage(sealed, KEY)).toEqual({ message: '{"x":"中文"}', appid: APPID });
  expect(decryptMessage(sealed, 'B'.repeat(43))).toBeNull();
  expect(decryptMessage('not base64 at all', KEY)).toBeNull();
});

test.each(['json', 'xml'] as const)('a signed %s push reads, plain and encrypted', (format) => {
  expect(readPush(asInput(signedPush(event, { token: 'AAAAA', encodingAesKey: null, format, appid: APPID }, NOW)), secrets(), NOW)).toEqual(
    { kind: 'event', fields, encrypted: false },
  );
  const sealed = signedPush(event, { token: 'AAAAA', encodingAesKey: KEY, format, appid: APPID }, NOW);
  expect(readPush(asInput(sealed), secrets({ encodingAesKey: KEY }), NOW)).toEqual({ kind: 'event', fields, encrypted: true });
});

test('unsigned, forged, stale, mis-sealed or plain-in-safe-mode pushes are refused', () => {
  const plain = signedPush(event, { token: 'AAAAA', encodingAesKey: null, format: 'json', appid: APPID }, NOW);
  const refused = (input: Parameters<typeof readPush>[0], s = secrets(), now = NOW) => readPush(input, s, now).kind;
  expect(refused({ ...asInput(plain), query: {} })).toBe('refused');
  expect(refused({ ...asInput(plain), query: { ...plain.query, signature: '0'.repeat(40) } })).toBe('refused');
  expect(refused(asInput(plain), secrets({ token: 'other' }))).toBe('refused');
  expect(refused(asInput(plain), secrets(), NOW + 301_000)).toBe('refused');
  expect(refused(asInput(plain), secrets({ encodingAesKey: KEY }))).toBe('refused');
  expect(refused({ ...asInput(plain), method: 'PUT' })).toBe('refused');

  const sealed = signedPush(event, { token: 'AAAAA', encodingAesKey: KEY, format: 'json', appid: APPID }, NOW);
  const safe = secrets({ encodingAesKey: KEY });
  // The body changed under the same msg_signature.
  const other = JSON.stringify({ Encrypt: encrypt(JSON.stringify({ ...event, result: 1 }), KEY, APPID) });
  expect(refused({ ...asInput(sealed), body: other }, safe)).toBe('refused');
  expect(refused(asInput(sealed), secrets({ encodingAesKey: KEY, appid: 'wx00000000000000aa' }))).toBe('refused');
  expect(refused(asInput(sealed), secrets())).toBe('refused');
});

test('the URL check answers echostr only when signed', () => {
  const query = {
    signature: 'f464b24fc39322e44b38aa78f5edd27bd1441696',
    echostr: '4375120948345356249',
    timestamp: '1714036504',
    nonce: '1514711492',
  };
  expect(readPush({ method: 'GET', query, body: '' }, secrets(), 1_714_036_504_000)).toEqual({
    kind: 'verify',
    echostr: '4375120948345356249',
  });
  expect(readPush({ method: 'GET', query: { ...query, nonce: '1' }, body: '' }, secrets(), 1_714_036_504_000).kind).toBe('refused');
});

describe('a public URL: cheap checks before the body', () => {
  const plain = signedPush(event, { token: 'AAAAA', encodingAesKey: null, format: 'json', appid: APPID }, NOW);
  // Each opener starts a CDATA section that never closes: a backtracking parser rescans the rest for every one.
  const pathological = `<xml>${'<a><![CDATA['.repeat(30_000)}</xml>`;

  test('an unsigned push is refused for its signature whatever its body, in either mode', () => {
    const unsigned = { ...asInput(plain), query: { ...plain.query, signature: '0'.repeat(40) }, body: pathological };
    expect(readPush(unsigned, secrets(), NOW)).toMatchObject({ status: 403, reason: 'bad signature' });
    expect(
      readPush({ ...unsigned, query: { ...unsigned.query, encrypt_type: 'aes' } }, secrets({ encodingAesKey: KEY }), NOW),
    ).toMatchObject({
      status: 403,
      reason: 'bad signature',
    });
  });

  test('a signed query with an oversized body is refused before the body is parsed', () => {
    const big = `{"event_type":5,"pad":"${'x'.repeat(MAX_PUSH_BODY_CHARS)}"}`;
    expect(readPush({ ...asInput(plain), body: big }, secrets(), NOW)).toMatchObject({ kind: 'refused', status: 413 });
    expect(readPush({ ...asInput(plain), body: Buffer.from(plain.body).toString('base64'), bodyIsBase64: true }, secrets(), NOW)).toEqual({
      kind: 'event',
      fields,
      encrypted: false,
    });
  });

  test('the XML reader refuses unclosed, mismatched or trailing markup', () => {
    expect(parseXmlFields(pathological)).toBeNull();
    expect(parseXmlFields('<xml><a>1</b></xml>')).toBeNull();
    expect(parseXmlFields('<xml><a><![CDATA[x</a></xml>')).toBeNull();
    expect(parseXmlFields('<xml><a>1</a></xml><b>2</b>')).toBeNull();
    expect(parseXmlFields('<xml><a>1')).toBeNull();
    expect(parseXmlFields('<xml> <a><![CDATA[<b>]]></a>\n<c>3</c> </xml>')).toEqual({ a: '<b>', c: '3' });
  });
});
