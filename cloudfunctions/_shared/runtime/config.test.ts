import { decodeEnvValue, encodeEnvValue, ENCODED_PREFIX, packCatalogueOverride, wechatCredentials } from './config';

/**
 * The CloudBase CLI's handling of cloudbaserc.json (2.12.10): values pasted as text, then
 * JSON.parse with a reviver that turns JSON-object strings into objects.
 */
function throughTheCli(value: string): unknown {
  const text = JSON.stringify({ envVariables: { X: value } });
  return (
    JSON.parse(text, (_k, v: unknown) => {
      if (typeof v !== 'string') return v;
      try {
        const parsed: unknown = JSON.parse(v);
        return typeof parsed === 'object' ? parsed : v;
      } catch {
        return v;
      }
    }) as { envVariables: { X: unknown } }
  ).envVariables.X;
}

const awkward = [
  '[{"kind":"quick","calls":1000,"validityDays":365,"priceYuan":30}]',
  '{"wx5eed1e0c0ffee002":"s3cr\\"et"}',
  'C:\\path\\with\\backslashes',
  '套餐 一',
  'null',
  '{{env.OTHER}}',
  `${ENCODED_PREFIX}looks encoded`,
];

test('awkward values travel encoded, survive the CLI untouched, and decode to the original', () => {
  for (const value of awkward) {
    const sent = encodeEnvValue(value);
    expect(sent).toMatch(/^base64:[A-Za-z0-9+/=]*$/);
    expect(throughTheCli(sent)).toBe(sent);
    expect(decodeEnvValue(sent)).toBe(value);
  }
});

test('plain values pass through unchanged', () => {
  for (const value of ['o_a,o_b', '5', 'wx5eed1e0c0ffee001', 'https://example.com/token?x=1', '/cgi-bin/stable_token', '']) {
    expect(encodeEnvValue(value)).toBe(value);
    expect(decodeEnvValue(value)).toBe(value);
  }
});

test('the accessors decode (config.ts is the one place)', () => {
  const catalogue = '[{"kind":"quick","calls":1000,"validityDays":365,"priceYuan":30}]';
  process.env.QUOTA_PACK_CATALOGUE = encodeEnvValue(catalogue);
  process.env.WECHAT_APPID = 'wx5eed1e0c0ffee001';
  process.env.WECHAT_APPSECRET = encodeEnvValue('se"cret\\');
  try {
    expect(packCatalogueOverride()).toBe(catalogue);
    expect(wechatCredentials()).toEqual({ ok: true, appid: 'wx5eed1e0c0ffee001', secret: 'se"cret\\' });
  } finally {
    delete process.env.QUOTA_PACK_CATALOGUE;
    delete process.env.WECHAT_APPID;
    delete process.env.WECHAT_APPSECRET;
  }
});
