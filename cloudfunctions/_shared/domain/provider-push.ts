/**
 * Reading WeChat's pushes to the provider's push URL (set in the service platform's
 * 开发设置; it works like mini program message push, whose page documents it:
 * developers.weixin.qq.com/miniprogram/dev/framework/server-ability/message-push.html).
 *
 * - `signature` = sha1 of [Token, timestamp, nonce] sorted and joined: the URL check
 *   (GET with `echostr`) and every plain-mode push carry it. It does not cover the body.
 * - safe mode (`encrypt_type=aes`): the body carries `Encrypt`, and `msg_signature` =
 *   sha1 of [Token, timestamp, nonce, Encrypt] sorted and joined, so the body is
 *   covered. Encrypt is AES-256-CBC with key = base64(EncodingAESKey + "="), iv = the
 *   key's first 16 bytes, PKCS#7 padding to 32 bytes; the plaintext is 16 random bytes,
 *   the message length (4 bytes, big-endian), the message, and the appid it is for.
 * - bodies are XML (`<xml><field>…</field></xml>`, strings in CDATA) or JSON.
 *
 * Pure: no SDK, no clock; the caller passes the time.
 */
import { createDecipheriv, createHash, timingSafeEqual } from 'node:crypto';

export interface PushSecrets {
  token: string;
  /** The 43-character EncodingAESKey; null when not configured (plain mode only). */
  encodingAesKey: string | null;
  /** The appid the decrypted message must end with (the provider's AppID); null: not checked. */
  appid: string | null;
  /** How old (or how far ahead) a push's timestamp may be, in seconds. */
  maxAgeSeconds: number;
}

export interface PushInput {
  method: string;
  query: Record<string, string | undefined>;
  body: string;
  /** HTTP access hands binary-looking bodies over in base64; decoded only after the signature holds. */
  bodyIsBase64?: boolean;
}

/**
 * The largest body read, in characters as HTTP access delivers it. A result event is a
 * few hundred bytes (about 1.4 times that sealed in safe mode); anything near this is
 * not WeChat's.
 */
export const MAX_PUSH_BODY_CHARS = 16 * 1024;

type PushReading =
  | { kind: 'verify'; echostr: string }
  | { kind: 'event'; fields: Record<string, string>; encrypted: boolean }
  | { kind: 'refused'; status: 400 | 403 | 405 | 413; reason: string };

const sha1 = (parts: string[]) =>
  createHash('sha1')
    .update([...parts].sort().join(''))
    .digest('hex');

function same(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

export const pushSignature = (token: string, timestamp: string, nonce: string, encrypted?: string) =>
  sha1(encrypted === undefined ? [token, timestamp, nonce] : [token, timestamp, nonce, encrypted]);

/**
 * The fields of a flat `<xml>` document: `<a><![CDATA[x]]></a>` and `<b>5</b>`; null when it is not one.
 * A scanner, not a regular expression: each step moves forward, so the work is linear in
 * the body (a backtracking pattern took seconds on a few hundred kilobytes of `<a><![CDATA[`).
 */
export function parseXmlFields(xml: string): Record<string, string> | null {
  const text = xml.trim();
  if (!text.startsWith('<xml>') || !text.endsWith('</xml>')) return null;
  const end = text.length - '</xml>'.length;
  const name = /[A-Za-z_][A-Za-z0-9_]*/y;
  const fields: Record<string, string> = {};
  let at = '<xml>'.length;
  for (;;) {
    while (at < end && /\s/.test(text[at]!)) at++;
    if (at === end) return fields;
    if (text[at] !== '<') return null;
    name.lastIndex = at + 1;
    const tag = name.exec(text)?.[0];
    if (!tag || text[at + 1 + tag.length] !== '>') return null;
    at += tag.length + 2;
    let value: string;
    if (text.startsWith('<![CDATA[', at)) {
      const close = text.indexOf(']]>', at);
      if (close < 0 || close >= end) return null;
      value = text.slice(at + '<![CDATA['.length, close);
      at = close + 3;
    } else {
      const close = text.indexOf('<', at);
      if (close < 0 || close > end) return null;
      value = decodeEntities(text.slice(at, close));
      at = close;
    }
    const closing = `</${tag}>`;
    if (!text.startsWith(closing, at) || at + closing.length > end) return null;
    at += closing.length;
    fields[tag] = value;
  }
}

const decodeEntities = (text: string) =>
  text.replace(/&(lt|gt|amp|quot|apos);/g, (_, e: string) => ({ lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" })[e]!);

/** XML or JSON body as flat string fields (numbers as their text); null when it is neither. */
export function parseBodyFields(body: string): Record<string, string> | null {
  const text = body.trim();
  if (text.startsWith('<')) return parseXmlFields(text);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return null;
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
    if (typeof v === 'string') fields[k] = v;
    else if (typeof v === 'number' && Number.isFinite(v)) fields[k] = String(v);
  }
  return fields;
}

/** The message inside `Encrypt`, and the appid it was sealed for; null when it does not decrypt. */
export function decryptMessage(encrypted: string, encodingAesKey: string): { message: string; appid: string } | null {
  try {
    const key = Buffer.from(`${encodingAesKey}=`, 'base64');
    if (key.length !== 32) return null;
    const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
    decipher.setAutoPadding(false);
    const padded = Buffer.concat([decipher.update(Buffer.from(encrypted, 'base64')), decipher.final()]);
    const pad = padded[padded.length - 1]!;
    if (pad < 1 || pad > 32 || pad > padded.length) return null;
    const plain = padded.subarray(0, padded.length - pad);
    if (plain.length < 20) return null;
    const length = plain.readUInt32BE(16);
    if (20 + length > plain.length) return null;
    return { message: plain.subarray(20, 20 + length).toString('utf8'), appid: plain.subarray(20 + length).toString('utf8') };
  } catch {
    return null;
  }
}

/**
 * What a push says, or why it is refused. A refused push changes nothing; so does
 * anything but a signed, fresh, well-formed one.
 *
 * Order matters on a public URL: everything that costs nothing to check (method,
 * timestamp, `signature`, which every push carries, safe mode included) is checked
 * before the body is looked at; then the body's size; only then is it decoded and parsed
 * (linearly). An unsigned request never costs more than one sha1 of the query.
 */
export function readPush(input: PushInput, secrets: PushSecrets, nowMs: number): PushReading {
  const q = input.query;
  if (input.method !== 'GET' && input.method !== 'POST') return { kind: 'refused', status: 405, reason: `method ${input.method}` };
  const timestamp = q.timestamp ?? '';
  const nonce = q.nonce ?? '';
  if (!/^\d{1,12}$/.test(timestamp) || !nonce || nonce.length > 64)
    return { kind: 'refused', status: 403, reason: 'missing or malformed timestamp/nonce' };
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > secrets.maxAgeSeconds)
    return { kind: 'refused', status: 403, reason: 'timestamp outside the allowed window' };
  if (typeof q.signature !== 'string' || !same(q.signature, pushSignature(secrets.token, timestamp, nonce)))
    return { kind: 'refused', status: 403, reason: 'bad signature' };

  if (input.method === 'GET') {
    if (!q.echostr) return { kind: 'refused', status: 400, reason: 'no echostr' };
    return { kind: 'verify', echostr: q.echostr };
  }
  // The plain signature does not cover the body, so a signed query may carry any body: bound it.
  if (input.body.length > MAX_PUSH_BODY_CHARS)
    return { kind: 'refused', status: 413, reason: `body over ${MAX_PUSH_BODY_CHARS} characters` };
  const body = input.bodyIsBase64 ? Buffer.from(input.body, 'base64').toString('utf8') : input.body;

  const outer = parseBodyFields(body);
  if (q.encrypt_type === 'aes' || (outer && outer.Encrypt !== undefined)) {
    if (!secrets.encodingAesKey) return { kind: 'refused', status: 403, reason: 'an encrypted push, but no EncodingAESKey is configured' };
    if (!outer || !outer.Encrypt) return { kind: 'refused', status: 400, reason: 'no Encrypt in the body' };
    if (typeof q.msg_signature !== 'string' || !same(q.msg_signature, pushSignature(secrets.token, timestamp, nonce, outer.Encrypt))) {
      return { kind: 'refused', status: 403, reason: 'bad msg_signature' };
    }
    const opened = decryptMessage(outer.Encrypt, secrets.encodingAesKey);
    if (!opened) return { kind: 'refused', status: 403, reason: 'does not decrypt' };
    if (secrets.appid && opened.appid !== secrets.appid) return { kind: 'refused', status: 403, reason: 'sealed for another appid' };
    const fields = parseBodyFields(opened.message);
    if (!fields) return { kind: 'refused', status: 400, reason: 'decrypted body is neither XML nor JSON' };
    return { kind: 'event', fields, encrypted: true };
  }
  // Safe mode configured: WeChat sends only ciphertext, so a plain push is not WeChat's.
  if (secrets.encodingAesKey) return { kind: 'refused', status: 403, reason: 'plain push while safe mode (EncodingAESKey) is configured' };
  if (!outer) return { kind: 'refused', status: 400, reason: 'body is neither XML nor JSON' };
  return { kind: 'event', fields: outer, encrypted: false };
}
