/**
 * TC3-HMAC-SHA256, the signature of Tencent Cloud API 3.0 requests
 * (https://www.tencentcloud.com/document/api/213/33224): the stand-in recomputes it
 * with the key it was told about, so a client that did not sign with that key is
 * refused as the cloud would refuse it (AuthFailure.SignatureFailure).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();

export interface Tc3Check {
  ok: boolean;
  secretId?: string;
  /** Why it was refused, in the cloud's words. */
  code?: string;
  message?: string;
}

export function checkTc3(method: string, url: string, headers: IncomingHttpHeaders, body: Buffer, keys: Record<string, string>): Tc3Check {
  const auth = String(headers.authorization ?? '');
  const m =
    /^TC3-HMAC-SHA256 Credential=([^/]+)\/(\d{4}-\d{2}-\d{2})\/([a-z0-9-]+)\/tc3_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/.exec(
      auth,
    );
  if (!m) return { ok: false, code: 'AuthFailure.SignatureFailure', message: 'The request is not TC3-HMAC-SHA256 signed.' };
  const [, secretId, date, service, signedHeaders, signature] = m as unknown as string[];
  const secretKey = keys[secretId!];
  if (secretKey === undefined) return { ok: false, code: 'AuthFailure.SecretIdNotFound', message: 'The SecretId is not found.' };
  const timestamp = Number(headers['x-tc-timestamp']);
  if (new Date(timestamp * 1000).toISOString().slice(0, 10) !== date)
    return { ok: false, code: 'AuthFailure.SignatureFailure', message: 'The credential date does not match X-TC-Timestamp.' };
  const [path, query = ''] = url.split('?');
  const canonicalHeaders = signedHeaders!
    .split(';')
    .map(
      (name) =>
        `${name}:${String(headers[name] ?? '')
          .trim()
          .toLowerCase()}\n`,
    )
    .join('');
  const canonicalRequest = [method, path, query, canonicalHeaders, signedHeaders, sha256(body)].join('\n');
  const scope = `${date}/${service}/tc3_request`;
  const toSign = ['TC3-HMAC-SHA256', String(timestamp), scope, sha256(canonicalRequest)].join('\n');
  const signing = hmac(hmac(hmac(`TC3${secretKey}`, date!), service!), 'tc3_request');
  const expected = createHmac('sha256', signing).update(toSign).digest();
  if (!timingSafeEqual(expected, Buffer.from(signature!, 'hex')))
    return { ok: false, code: 'AuthFailure.SignatureFailure', message: 'The provided credentials could not be validated.' };
  return { ok: true, secretId };
}
