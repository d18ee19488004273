/**
 * CloudBase HTTP access (HTTP 访问服务) for the emulator, and WeChat's push of the
 * service provider's result events through it.
 *
 * HTTP access maps a path to a function and hands it the "integrated request"
 * `{ path, httpMethod, headers, queryStringParameters, requestContext, body,
 * isBase64Encoded }`; what the function returns becomes the response: an "integrated
 * response" `{ statusCode, headers, body, isBase64Encoded }`, a string (text/plain) or
 * anything else (JSON). Confirmed: cloud.tencent.com/document/product/876/41776 and
 * docs.cloudbase.net/service/access-cloud-function. The caller carries no OPENID.
 *
 * The emulator serves it at `<emulator>/http/<path>`; which path goes to which
 * function is CLOUDBASE_EMULATOR_HTTP_ACCESS when set (JSON `{ "/path": "function" }`),
 * else what the project's cloudbaserc.json declares (`httpPaths`, project.ts), as a
 * deploy configures it. WeChat's pushes (provider-push.ts) go to
 * CLOUDBASE_EMULATOR_SP_PUSH_PATH (default `/provider-events`), signed with
 * CLOUDBASE_EMULATOR_SP_PUSH_TOKEN (default: the project's, else DEFAULT_SP_PUSH_TOKEN),
 * encrypted when CLOUDBASE_EMULATOR_SP_PUSH_AES_KEY is set, as JSON or XML per
 * CLOUDBASE_EMULATOR_SP_PUSH_FORMAT. The variables are read at each push, so a test may
 * change them.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from '../http-util';
import { emulatorVariable } from '../variables';
import { signedPush, verificationRequest, type PushConfig, type PushFormat, type PushRequest } from './provider-push';

export const HTTP_ACCESS_PREFIX = '/http';
export const DEFAULT_SP_PUSH_PATH = '/provider-events';
/** The Token pushes are signed with when neither the variable nor the project names one. */
const DEFAULT_SP_PUSH_TOKEN = 'cloudbase-emulator-push-token';

export interface HttpAccessHost {
  invoke(
    name: string,
    event: unknown,
    context: Record<string, string>,
    source: 'wx_server',
  ): Promise<{ ok: boolean; result?: unknown; error?: string; notFound: boolean }>;
  env(): NodeJS.ProcessEnv;
  /** The project's push Token (EmulatorOptions.spPushToken), used when the variable is unset. */
  spPushToken?: string;
  /** The project's declared HTTP access, path → function. */
  declaredRoutes(): Record<string, string>;
  log(line: string): void;
}

interface HttpAccessRequest {
  method: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: Buffer;
}

interface HttpAccessResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

function routes(host: HttpAccessHost): Record<string, string> {
  const text = emulatorVariable('CLOUDBASE_EMULATOR_HTTP_ACCESS', host.env());
  if (!text) return host.declaredRoutes();
  const parsed = JSON.parse(text) as unknown;
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new Error('CLOUDBASE_EMULATOR_HTTP_ACCESS must be a JSON object { "/path": "function" }');
  return parsed as Record<string, string>;
}

const text = (status: number, body: string): HttpAccessResponse => ({
  status,
  headers: { 'content-type': 'text/plain; charset=utf-8' },
  body: Buffer.from(body, 'utf8'),
});

/** One request through HTTP access: the function's answer as an HTTP response. */
async function callHttpAccess(host: HttpAccessHost, path: string, request: HttpAccessRequest): Promise<HttpAccessResponse> {
  const fn = routes(host)[path];
  if (!fn) return text(404, `no HTTP access path ${path}`);
  const contentType = request.headers['content-type'] ?? '';
  const binary = contentType !== '' && !/^(text\/|application\/(json|xml|x-www-form-urlencoded))/.test(contentType);
  const event = {
    path,
    httpMethod: request.method,
    headers: request.headers,
    queryStringParameters: request.query,
    requestContext: { requestId: `emulator-${Date.now()}`, envId: 'emulator' },
    body: binary ? request.body.toString('base64') : request.body.toString('utf8'),
    isBase64Encoded: binary,
  };
  const outcome = await host.invoke(fn, event, {}, 'wx_server');
  if (outcome.notFound) return text(404, `HTTP access path ${path} names function "${fn}", which does not exist`);
  if (!outcome.ok) return text(502, outcome.error ?? 'function failed');
  const result = outcome.result;
  if (result !== null && typeof result === 'object' && 'statusCode' in result) {
    const r = result as { statusCode?: unknown; headers?: Record<string, string>; body?: unknown; isBase64Encoded?: boolean };
    const body =
      typeof r.body === 'string'
        ? Buffer.from(r.body, r.isBase64Encoded ? 'base64' : 'utf8')
        : Buffer.from(r.body === undefined ? '' : JSON.stringify(r.body), 'utf8');
    return { status: Number(r.statusCode) || 200, headers: r.headers ?? {}, body };
  }
  if (typeof result === 'string' || typeof result === 'number') return text(200, String(result));
  return { status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(result ?? null), 'utf8') };
}

/** `ANY /http/<path>` on the emulator's port. */
export async function serveHttpAccess(host: HttpAccessHost, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
  const answer = await callHttpAccess(host, url.pathname.slice(HTTP_ACCESS_PREFIX.length) || '/', {
    method: req.method ?? 'GET',
    query: Object.fromEntries(url.searchParams),
    headers,
    body: req.method === 'GET' || req.method === 'HEAD' ? Buffer.alloc(0) : await readBody(req),
  });
  res.writeHead(answer.status, answer.headers);
  res.end(answer.body);
}

function pushConfig(host: HttpAccessHost, appid: string): PushConfig & { path: string } {
  const env = host.env();
  const format = (emulatorVariable('CLOUDBASE_EMULATOR_SP_PUSH_FORMAT', env) ?? 'json').toLowerCase();
  if (format !== 'json' && format !== 'xml') throw new Error('CLOUDBASE_EMULATOR_SP_PUSH_FORMAT must be json or xml');
  return {
    token: emulatorVariable('CLOUDBASE_EMULATOR_SP_PUSH_TOKEN', env) ?? host.spPushToken ?? DEFAULT_SP_PUSH_TOKEN,
    encodingAesKey: emulatorVariable('CLOUDBASE_EMULATOR_SP_PUSH_AES_KEY', env) ?? null,
    format: format as PushFormat,
    appid,
    path: emulatorVariable('CLOUDBASE_EMULATOR_SP_PUSH_PATH', env) ?? DEFAULT_SP_PUSH_PATH,
  };
}

const asAccessRequest = (push: PushRequest): HttpAccessRequest => ({
  method: push.method,
  query: push.query,
  headers: push.contentType ? { 'content-type': push.contentType } : {},
  body: Buffer.from(push.body, 'utf8'),
});

/** WeChat pushes one result event; the receiver should answer "success" (or an empty body). */
export async function pushEvent(
  host: HttpAccessHost,
  event: Record<string, string | number>,
  appid: string,
  now: number,
): Promise<HttpAccessResponse | null> {
  try {
    const config = pushConfig(host, appid);
    const answer = await callHttpAccess(host, config.path, asAccessRequest(signedPush(event, config, now)));
    const said = answer.body.toString('utf8');
    if (answer.status !== 200 || (said !== 'success' && said !== ''))
      host.log(`result event ${JSON.stringify(event)} not accepted: HTTP ${answer.status} ${said.slice(0, 200)}`);
    return answer;
  } catch (err) {
    // The emulator stopped while the event was on its way.
    host.log(`result event ${JSON.stringify(event)} not delivered: ${(err as Error).message}`);
    return null;
  }
}

/** What saving the URL in 开发设置 does: a signed GET with `echostr`; verified when the answer is exactly `echostr`. */
export async function verifyPushUrl(
  host: HttpAccessHost,
  appid: string,
  now: number,
): Promise<{ verified: boolean; status: number; answer: string }> {
  const config = pushConfig(host, appid);
  const request = verificationRequest(config, now);
  const answer = await callHttpAccess(host, config.path, asAccessRequest(request));
  const said = answer.body.toString('utf8');
  return { verified: answer.status === 200 && said === request.echostr, status: answer.status, answer: said.slice(0, 200) };
}
