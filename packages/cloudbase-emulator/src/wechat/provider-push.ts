/**
 * How WeChat delivers the service provider's result events: like mini program message
 * push (developers.weixin.qq.com/miniprogram/dev/framework/server-ability/message-push.html,
 * which the service-market's 服务商消息推送 page points to). The provider sets a URL, a
 * Token, optionally an EncodingAESKey (safe mode) and a data format (XML or JSON) in its
 * platform's 开发设置. Then:
 * - verification: `GET url?signature&timestamp&nonce&echostr`, answered with `echostr`;
 * - each event: `POST url?signature&timestamp&nonce` with the event as the body, where
 *   signature = sha1 of the sorted [Token, timestamp, nonce] joined;
 * - safe mode adds `encrypt_type=aes&msg_signature=…`, the body carries only `Encrypt`
 *   (AES-256-CBC, key = base64(EncodingAESKey + "="), iv = the key's first 16 bytes,
 *   PKCS#7 to 32 bytes; plaintext = 16 random bytes, the message length as 4 bytes
 *   big-endian, the message, the appid) and msg_signature = sha1 of the sorted
 *   [Token, timestamp, nonce, Encrypt] joined.
 * Which appid ends the plaintext for a provider (its service-platform AppID) and whether
 * the JSON envelope carries ToUserName are assumptions.
 */
import { createCipheriv, createHash, randomBytes } from 'node:crypto';

export type PushFormat = 'json' | 'xml';

export interface PushConfig {
  token: string;
  /** 43 characters; null: plain mode. */
  encodingAesKey: string | null;
  format: PushFormat;
  /** The provider's AppID: the end of each plaintext in safe mode. */
  appid: string;
}

export interface PushRequest {
  method: 'GET' | 'POST';
  query: Record<string, string>;
  contentType: string;
  body: string;
}

const sha1Signature = (...parts: string[]) =>
  createHash('sha1')
    .update([...parts].sort().join(''))
    .digest('hex');

/** The event as an XML body: numbers bare, strings in CDATA. */
export function toXml(fields: Record<string, string | number>): string {
  const inner = Object.entries(fields)
    .map(([k, v]) => (typeof v === 'number' ? `<${k}>${v}</${k}>` : `<${k}><![CDATA[${v}]]></${k}>`))
    .join('');
  return `<xml>${inner}</xml>`;
}

export function encrypt(message: string, encodingAesKey: string, appid: string): string {
  const key = Buffer.from(`${encodingAesKey}=`, 'base64');
  const msg = Buffer.from(message, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(msg.length, 0);
  const plain = Buffer.concat([randomBytes(16), length, msg, Buffer.from(appid, 'utf8')]);
  const pad = 32 - (plain.length % 32);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])), cipher.final()]).toString('base64');
}

const nonce = () => String(randomBytes(4).readUInt32BE(0));

/** The request WeChat sends for one event. `now` is WeChat's clock (ms). */
export function signedPush(event: Record<string, string | number>, config: PushConfig, now: number): PushRequest {
  const timestamp = String(Math.floor(now / 1000));
  const n = nonce();
  const query: Record<string, string> = { signature: sha1Signature(config.token, timestamp, n), timestamp, nonce: n };
  const contentType = config.format === 'xml' ? 'text/xml' : 'application/json';
  const plain = config.format === 'xml' ? toXml(event) : JSON.stringify(event);
  if (!config.encodingAesKey) return { method: 'POST', query, contentType, body: plain };
  const sealed = encrypt(plain, config.encodingAesKey, config.appid);
  query.encrypt_type = 'aes';
  query.msg_signature = sha1Signature(config.token, timestamp, n, sealed);
  const envelope = { ToUserName: config.appid, Encrypt: sealed };
  return { method: 'POST', query, contentType, body: config.format === 'xml' ? toXml(envelope) : JSON.stringify(envelope) };
}

/** The GET WeChat sends when the URL is saved in 开发设置; the receiver must answer `echostr`. */
export function verificationRequest(config: PushConfig, now: number): PushRequest & { echostr: string } {
  const timestamp = String(Math.floor(now / 1000));
  const n = nonce();
  const echostr = String(randomBytes(8).readBigUInt64BE(0));
  return {
    method: 'GET',
    query: { signature: sha1Signature(config.token, timestamp, n), timestamp, nonce: n, echostr },
    contentType: '',
    body: '',
    echostr,
  };
}
