/**
 * WeChat's HTTP APIs (`api.weixin.qq.com`, or the emulator's fakes at WECHAT_API_BASE),
 * for what is not a cloud call: access tokens, the usage API, service-provider APIs.
 * Answers carry `errcode` (0 or absent = fine). Errors name the API path, never the
 * query string: it holds the access token or the AppSecret.
 */
import { wechatApiBase } from '../runtime/config';
import { retry } from '../runtime/retry';
import { WECHAT_NETWORK as NETWORK, WECHAT_TIMEOUT as TIMEOUT } from '../../../miniprogram/contract';

export class WechatError extends Error {
  constructor(
    readonly path: string,
    /** WeChat's errcode; -1 is "system busy", TIMEOUT/NETWORK are ours. */
    readonly errcode: number,
    detail: string,
    /** The transport's own error, for the log (errorDetail masks credentials); never in the message. */
    cause?: unknown,
  ) {
    super(`WeChat ${path} failed: ${errcode} ${detail}`, cause === undefined ? undefined : { cause });
    this.name = 'WechatError';
  }
}

/** Our errcodes for no answer in time and no connection: declared with the mini program, which words them. */
export { TIMEOUT, NETWORK };
const DEFAULT_TIMEOUT_MS = 5000;

/** Errors worth one more try of a call that is safe to repeat. */
const isTransient = (err: unknown) =>
  err instanceof WechatError && (err.errcode === -1 || err.errcode === TIMEOUT || err.errcode === NETWORK);

export interface WechatRequest {
  path: string;
  query?: Record<string, string | number | undefined>;
  /** JSON body: sent as POST when present. */
  body?: unknown;
  timeoutMs?: number;
}

export async function callWechat<T extends object>(request: WechatRequest): Promise<T> {
  const url = new URL(wechatApiBase() + request.path);
  for (const [key, value] of Object.entries(request.query ?? {})) if (value !== undefined) url.searchParams.set(key, String(value));
  let response: Response;
  try {
    response = await fetch(url, {
      method: request.body === undefined ? 'GET' : 'POST',
      headers: request.body === undefined ? {} : { 'content-type': 'application/json' },
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
      signal: AbortSignal.timeout(request.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    });
  } catch (err) {
    const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
    throw new WechatError(request.path, timedOut ? TIMEOUT : NETWORK, timedOut ? 'no answer in time' : 'could not connect', err);
  }
  const text = await response.text();
  let answer: { errcode?: number; errmsg?: string };
  try {
    answer = JSON.parse(text) as { errcode?: number; errmsg?: string };
  } catch {
    throw new WechatError(request.path, response.ok ? -1 : NETWORK, `HTTP ${response.status}, not JSON`);
  }
  if (typeof answer.errcode === 'number' && answer.errcode !== 0) throw new WechatError(request.path, answer.errcode, answer.errmsg ?? '');
  if (!response.ok) throw new WechatError(request.path, NETWORK, `HTTP ${response.status}`);
  return answer as T;
}

/** A call that is safe to repeat (a read), with one retry on a transient failure. */
export async function callWechatIdempotent<T extends object>(request: WechatRequest): Promise<T> {
  const { answer } = await retry(() => callWechat<T>(request), { attempts: 2, pauseMs: 300, retryError: isTransient });
  return answer;
}
