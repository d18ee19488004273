/**
 * WeChat's pushes to the provider, through CloudBase HTTP access: the URL set in the
 * service platform's 开发设置 points at an HTTP access path of this function (deploy:
 * docs/provider.md). HTTP access hands the function its "integrated request"
 * `{ path, httpMethod, headers, queryStringParameters, body, isBase64Encoded }` and
 * sends back what it returns as `{ statusCode, headers, body }`.
 *
 * - GET with `echostr` (saving the URL): answered with `echostr` when signed.
 * - POST: a result event (assign 5, cancel 6), signed with PROVIDER_PUSH_TOKEN, XML or
 *   JSON, encrypted in safe mode (PROVIDER_PUSH_AES_KEY). A verified event settles the
 *   assignment (settle.ts); anything unsigned, forged, stale or undecryptable changes
 *   nothing and gets 403. WeChat expects "success".
 */
import { now } from '../_shared/runtime/clock';
import { providerPushAesKey, providerPushAppid, providerPushMaxAgeSeconds, providerPushToken } from '../_shared/runtime/config';
import { logEvent } from '../_shared/runtime/log';
import { readPush } from '../_shared/domain/provider-push';
import { parseResultEvent } from '../_shared/domain/provider-events';
import type { HttpAccessRequest, HttpAccessResponse } from '../_shared/runtime/router';
import { settleFromEvent } from './settle';

const reply = (statusCode: number, body: string): HttpAccessResponse => ({
  statusCode,
  headers: { 'content-type': 'text/plain; charset=utf-8' },
  body,
});

export async function handlePush(request: HttpAccessRequest): Promise<HttpAccessResponse> {
  const token = providerPushToken();
  if (!token) {
    logEvent('warn', { push: 'refused', reason: 'PROVIDER_PUSH_TOKEN not set' });
    return reply(503, 'push not configured');
  }
  const reading = readPush(
    {
      method: request.httpMethod.toUpperCase(),
      query: request.queryStringParameters ?? {},
      body: request.body ?? '',
      bodyIsBase64: request.isBase64Encoded === true,
    },
    { token, encodingAesKey: providerPushAesKey() || null, appid: providerPushAppid(), maxAgeSeconds: providerPushMaxAgeSeconds() },
    now().getTime(),
  );
  if (reading.kind === 'refused') {
    logEvent('warn', { push: 'refused', reason: reading.reason });
    return reply(reading.status, 'forbidden');
  }
  if (reading.kind === 'verify') return reply(200, reading.echostr);

  const parsed = parseResultEvent(reading.fields);
  if (!parsed.ok) {
    // Signed by WeChat but not a result we act on: acknowledged, so it is not sent again.
    logEvent('info', { push: 'ignored', reason: parsed.reason });
    return reply(200, 'success');
  }
  const outcome = await settleFromEvent(parsed.event, now());
  logEvent('info', {
    push: parsed.event.type,
    requestId: parsed.event.requestId,
    result: parsed.event.result,
    encrypted: reading.encrypted,
    ...outcome,
  });
  return reply(200, 'success');
}
