/**
 * WeChat's service-provider APIs (`/wxa/charge/service-provider/…`, docs/provider.md),
 * as the service-market pages document them: the provider's bulk orders (per bulk
 * spuId), the SKUs an order converts into, and assigning and cancelling packs for
 * merchant mini programs. Plus merchants' own usage API, for which the provider needs a
 * token of that merchant.
 *
 * Reads are retried once on a transient failure. `assign` and `cancel_assign` answer
 * WeChat's errcode (0 accepted) for the caller to map (domain/provider-errors.ts); a
 * transient failure is retried once with the same requestId, which WeChat
 * de-duplicates, and the answer says whether it was such a resend.
 *
 * The token is an ordinary access_token of the service platform's AppID/AppSecret
 * (服务平台 → 帐号设置 → 开发设置), from `/cgi-bin/token` by default
 * (PROVIDER_TOKEN_PATH may name the stable-token API instead), cached per container.
 * Every export answers a `ProviderResult`: the value, or a typed `ProviderFailure`
 * (never a token or secret in it) for the route to map to its AppError
 * (provider/wechat-errors.ts). Anything else thrown is a bug, not WeChat's answer.
 */
import {
  providerCallTimeoutMs,
  providerComponent,
  providerCredentials,
  providerMerchantSecrets,
  providerMerchantTokenUrl,
  providerTokenPath,
} from '../runtime/config';
import { isTransientErrcode } from '../domain/provider-errors';
import { grantSource, STABLE_TOKEN_PATH, withToken, type TokenSource } from './access-token';
import { callWechat, callWechatIdempotent, NETWORK, TIMEOUT, WechatError, type WechatRequest } from './http';
import { fetchUsagePages, USAGE_PATH, type WechatUsage } from './usage-api';
import { AUTHORIZER_TOKEN_PATH, authorizerSource, COMPONENT_TOKEN_PATH } from './component-token';
import { loadVerifyTicket } from '../data/provider-component';
import { findMerchant, saveAuthorizerRefreshToken } from '../data/provider-merchants';
import { retry } from '../runtime/retry';

const SP = '/wxa/charge/service-provider';
const PAGE = 20;
/** 2000 orders a product: far beyond any real account; stops a misbehaving API from looping. */
const MAX_PAGES = 100;
const RETRY_DELAY_MS = 300;

// ---------------------------------------------------------------------------- results

/** Why a call failed. `not-configured`: nothing was sent. */
export type ProviderFailure =
  | { kind: 'not-configured'; detail: string }
  | { kind: 'provider-token'; errcode: number; detail: string }
  | { kind: 'merchant-token'; errcode: number; detail: string }
  | { kind: 'wechat'; path: string; errcode: number; detail: string };

export type ProviderResult<T> = { ok: true; value: T } | { ok: false; failure: ProviderFailure };

/** The client's configuration is missing or malformed. */
class NotConfigured extends Error {}

/** Failures to get a merchant's token carry this path, so they are not taken for the provider's. */
const MERCHANT_TOKEN = 'merchant-token';

function failureOf(err: unknown): ProviderFailure | null {
  if (err instanceof NotConfigured) return { kind: 'not-configured', detail: err.message };
  if (!(err instanceof WechatError)) return null;
  // WechatError messages carry the API path and errcode, never a token or secret.
  if (err.path === MERCHANT_TOKEN || err.path === COMPONENT_TOKEN_PATH || err.path === AUTHORIZER_TOKEN_PATH)
    return { kind: 'merchant-token', errcode: err.errcode, detail: err.message };
  if (err.path === providerTokenPath()) return { kind: 'provider-token', errcode: err.errcode, detail: err.message };
  return { kind: 'wechat', path: err.path, errcode: err.errcode, detail: err.message };
}

async function settled<T>(call: () => Promise<T>): Promise<ProviderResult<T>> {
  try {
    return { ok: true, value: await call() };
  } catch (err) {
    const failure = failureOf(err);
    if (!failure) throw err;
    return { ok: false, failure };
  }
}

// ---------------------------------------------------------------------------- tokens

function providerSource(): TokenSource {
  const credentials = providerCredentials();
  if (!credentials.ok) throw new NotConfigured(`The provider's WeChat credentials are not configured (${credentials.reason}).`);
  return grantSource(credentials.appid, credentials.secret, providerTokenPath(), providerCallTimeoutMs());
}

/** True when the error came from fetching the provider's token (a configuration problem). */
const isProviderTokenError = (err: unknown) => err instanceof WechatError && err.path === providerTokenPath();

async function providerCall<T extends object>(
  request: Omit<WechatRequest, 'query'> & { query?: WechatRequest['query'] },
  retry: 'read' | 'none',
): Promise<T> {
  const source = providerSource();
  return withToken(source, (token) => {
    const full: WechatRequest = { ...request, query: { ...request.query, access_token: token }, timeoutMs: providerCallTimeoutMs() };
    return retry === 'read' ? callWechatIdempotent<T>(full) : callWechat<T>(full);
  });
}

// ---------------------------------------------------------------------------- orders

export interface SpOrder {
  orderId: string;
  /** WeChat's number; the enum is not public (a paid order's documented example: 2). Null when absent. */
  status: number | null;
  /** Milliseconds since the epoch (documented); null when absent or not a plausible time. */
  createTime: number | null;
  orderPriceFen: number | null;
  product: { spSpuId: string; spSkuId: string; skuName: string; skuCnt: number | null };
  /** `all`: calls bought; `used`: calls assigned. Strings on the wire. */
  usage: { used: number | null; all: number | null };
}

type Raw = Record<string, unknown>;
const text = (value: unknown) => (value === undefined || value === null ? '' : String(value));
/** A number from a number or a numeric string; null otherwise (never NaN, never a guess). */
const num = (value: unknown): number | null => {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value);
  return null;
};
/** The largest time a Date holds (ms). */
export const MAX_TIME_MS = 8_640_000_000_000_000;
const time = (value: unknown): number | null => {
  const n = num(value);
  return n !== null && Number.isInteger(n) && n > 0 && n <= MAX_TIME_MS ? n : null;
};

function toOrder(raw: Raw): SpOrder {
  const product = (raw.orderProductInfo ?? {}) as Raw;
  const usage = (raw.usage ?? {}) as Raw;
  return {
    orderId: text(raw.orderId),
    status: num(raw.status),
    createTime: time(raw.createTime),
    orderPriceFen: num(raw.orderPrice),
    product: {
      spSpuId: text(product.spSpuId),
      spSkuId: text(product.spSkuId),
      skuName: text(product.skuName),
      skuCnt: num(product.skuCnt),
    },
    usage: { used: num(usage.used), all: num(usage.all) },
  };
}

/** Every order of one bulk product, page by page (`order/query_list`: `spuId` required, at most 20 a page). */
export function queryOrders(spuId: string): Promise<ProviderResult<SpOrder[]>> {
  return settled(() => allOrders(spuId));
}

async function allOrders(spuId: string): Promise<SpOrder[]> {
  const orders: SpOrder[] = [];
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer = await providerCall<{ total?: number; orderList?: Raw[] }>(
      { path: `${SP}/order/query_list`, body: { spuId, offset: page * PAGE, limit: PAGE } },
      'read',
    );
    const list = Array.isArray(answer.orderList) ? answer.orderList : [];
    orders.push(...list.filter((o) => o && typeof o === 'object').map(toOrder));
    if (list.length < PAGE || orders.length >= (num(answer.total) ?? 0)) break;
  }
  return orders;
}

/** One order (`order/get`: `{ order }` only, no list of assignments). */
export function getOrder(orderId: string): Promise<ProviderResult<SpOrder>> {
  return settled(async () => {
    const answer = await providerCall<{ order?: Raw }>({ path: `${SP}/order/get`, query: { orderId } }, 'read');
    return toOrder(answer.order && typeof answer.order === 'object' ? answer.order : {});
  });
}

interface SpSku {
  spuId: string;
  skuId: string;
  skuName: string;
  /** Validity in seconds; null when absent. */
  duration: number | null;
  /** Calls in one pack of this SKU (`attr.proportion.quota.quota`); null when absent. */
  count: number | null;
}

/**
 * The SKUs an order can be assigned as (`package/get_convertible_skus`). The page
 * documents `spSpuId` + `spSkuId` (the product bought); the overview's API table also has
 * `orderId`. Both are sent when known.
 */
export function convertibleSkus(query: { orderId: string; spSpuId?: string; spSkuId?: string }): Promise<ProviderResult<SpSku[]>> {
  const q: Record<string, string> = { orderId: query.orderId };
  if (query.spSpuId && query.spSkuId) Object.assign(q, { spSpuId: query.spSpuId, spSkuId: query.spSkuId });
  return settled(async () => {
    const answer = await providerCall<{ skuList?: Raw[] }>({ path: `${SP}/package/get_convertible_skus`, query: q }, 'read');
    return (Array.isArray(answer.skuList) ? answer.skuList : []).map((s) => {
      const attr = (s.attr ?? {}) as Raw;
      const quota = ((((attr.proportion ?? {}) as Raw).quota ?? {}) as Raw).quota;
      return { spuId: text(s.spuId), skuId: text(s.skuId), skuName: text(s.skuName), duration: num(attr.duration), count: num(quota) };
    });
  });
}

// ---------------------------------------------------------------------------- assign / cancel

interface AssignCall {
  orderId: string;
  skuId: string;
  receiverAppId: string;
  requestId: string;
  beginTime: number | null;
}

/** WeChat's errcode (0: accepted) and whether it answers a resend of the same requestId. */
interface SendAnswer {
  errcode: number;
  resent: boolean;
}

/** Sends `package/assign`; a transient failure is retried once with the same requestId. */
export function assignPackage(call: AssignCall): Promise<ProviderResult<SendAnswer>> {
  const body = {
    orderId: call.orderId,
    skuId: call.skuId,
    receiverAppId: call.receiverAppId,
    requestId: call.requestId,
    ...(call.beginTime !== null ? { beginTime: call.beginTime } : {}),
  };
  return sendOnce(`${SP}/package/assign`, body);
}

/** Sends `package/cancel_assign` for an assignment; retried once like assign. */
export function cancelAssignment(orderId: string, requestId: string): Promise<ProviderResult<SendAnswer>> {
  return sendOnce(`${SP}/package/cancel_assign`, { orderId, requestId });
}

/** WeChat's errcode, as an answer; a failure only when nothing was sent (no token: a configuration problem). */
function sendOnce(path: string, body: object): Promise<ProviderResult<SendAnswer>> {
  const attempt = async (): Promise<number> => {
    try {
      await providerCall({ path, body }, 'none');
      return 0;
    } catch (err) {
      if (err instanceof WechatError && !isProviderTokenError(err)) return err.errcode;
      throw err;
    }
  };
  return settled(async () => {
    const { answer, attempts } = await retry(attempt, { attempts: 2, pauseMs: RETRY_DELAY_MS, retryAnswer: isTransientErrcode });
    return { errcode: answer, resent: attempts > 1 };
  });
}

// ---------------------------------------------------------------------------- usage

/**
 * Where a merchant's token comes from, first that applies: its AppSecret in
 * PROVIDER_MERCHANT_SECRETS; the third-party platform's authorizer token (PROVIDER_
 * COMPONENT_APPID/APPSECRET and the merchant's stored refresh token, component-token.ts);
 * the provider's own token service at PROVIDER_MERCHANT_TOKEN_URL; null when none is
 * configured for it.
 */
async function merchantSource(appid: string): Promise<TokenSource | null> {
  const secretsText = providerMerchantSecrets();
  if (secretsText) {
    let secrets: unknown;
    try {
      secrets = JSON.parse(secretsText);
    } catch {
      throw new NotConfigured('PROVIDER_MERCHANT_SECRETS is not valid JSON; it must be an object { "<appid>": "<AppSecret>" }.');
    }
    const secret = secrets && typeof secrets === 'object' ? (secrets as Record<string, unknown>)[appid] : undefined;
    if (typeof secret === 'string' && secret) {
      const grant = grantSource(appid, secret, STABLE_TOKEN_PATH, providerCallTimeoutMs());
      return { key: grant.key, fetch: () => grant.fetch().catch(asMerchantTokenError) };
    }
  }
  const component = providerComponent();
  const refreshToken = component ? (await findMerchant(appid))?.authorizerRefreshToken : null;
  if (component && refreshToken) {
    return authorizerSource({
      component: { ...component, ticket: loadVerifyTicket, timeoutMs: providerCallTimeoutMs() },
      authorizerAppid: appid,
      refreshToken,
      saveRefreshToken: (token) => saveAuthorizerRefreshToken(appid, token),
    });
  }
  const url = providerMerchantTokenUrl();
  if (url) return { key: `url|${appid}`, fetch: () => fetchTokenFromUrl(url, appid) };
  return null;
}

function asMerchantTokenError(err: unknown): never {
  throw err instanceof WechatError ? new WechatError(MERCHANT_TOKEN, err.errcode, "could not get the merchant's token") : err;
}

async function fetchTokenFromUrl(base: string, appid: string): Promise<{ token: string; expiresIn: number }> {
  const path = MERCHANT_TOKEN;
  const url = new URL(base);
  url.searchParams.set('appid', appid);
  let answer: { access_token?: unknown; expires_in?: unknown };
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(providerCallTimeoutMs()) });
    if (!response.ok) throw new WechatError(path, NETWORK, `HTTP ${response.status}`);
    answer = (await response.json()) as typeof answer;
  } catch (err) {
    if (err instanceof WechatError) throw err;
    const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
    throw new WechatError(path, timedOut ? TIMEOUT : NETWORK, timedOut ? 'no answer in time' : 'no token in the answer');
  }
  if (typeof answer.access_token !== 'string' || !answer.access_token)
    throw new WechatError(path, NETWORK, 'no access_token in the answer');
  return { token: answer.access_token, expiresIn: typeof answer.expires_in === 'number' ? answer.expires_in : 600 };
}

/** A merchant's usage API (`/wxa/charge/usage/get`) for one component; null when no token source is configured for it. */
export function merchantUsage(appid: string, spuId: string): Promise<ProviderResult<WechatUsage | null>> {
  return settled(async () => {
    const source = await merchantSource(appid);
    return source ? fetchUsagePages(USAGE_PATH, spuId, source, providerCallTimeoutMs()) : null;
  });
}
