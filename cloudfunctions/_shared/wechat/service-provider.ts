/**
 * WeChat's service-provider APIs (`/wxa/charge/service-provider/…`, docs/provider.md):
 * the provider's bulk orders, the SKUs an order converts into, and assigning and
 * cancelling packs for merchant mini programs. Plus merchants' own usage API, for which
 * the provider needs a token of that merchant. (The provider's own `usage/get` is not
 * called: no route needs it.)
 *
 * Reads are retried once on a transient failure. `assign` and `cancel_assign` are
 * retried only because WeChat de-duplicates them by requestId: the retry carries the
 * same one, and an answer of "already assigned" / "in progress" / "already cancelled"
 * to it means the first attempt went through.
 *
 * Tokens come from access-token.ts (cached, fetched again once when rejected). Errors
 * are WechatError (path and errcode, never a token or secret); the function maps them
 * to our error codes.
 */
import { providerCredentials, providerMerchantSecrets, providerMerchantTokenUrl, providerTokenPath } from '../config';
import { AppError } from '../errors';
import { ERR_ALREADY_ASSIGNED, ERR_ALREADY_CANCELLED, ERR_IN_PROGRESS } from '../domain/provider-errors';
import { grantSource, STABLE_TOKEN_PATH, withToken, type TokenSource } from './access-token';
import { callWechat, callWechatIdempotent, isTransient, NETWORK, TIMEOUT, WechatError, type WechatRequest } from './http';
import { fetchUsagePages, USAGE_PATH, type WechatUsage } from './usage-api';

const SP = '/wxa/charge/service-provider';
const CALL_TIMEOUT_MS = 4000;
const PAGE = 20;
/** 2000 orders: far beyond any real account; stops a misbehaving API from looping. */
const MAX_PAGES = 100;
const RETRY_DELAY_MS = 300;

// ---------------------------------------------------------------------------- tokens

function providerSource(): TokenSource {
  const credentials = providerCredentials();
  if (!credentials.ok) throw new AppError('UPSTREAM_UNAVAILABLE', `The provider's WeChat credentials are not configured (${credentials.reason}).`);
  return grantSource(credentials.appid, credentials.secret, providerTokenPath(), CALL_TIMEOUT_MS);
}

/** True when the error came from fetching the provider's token (a configuration problem). */
export const isProviderTokenError = (err: unknown) => err instanceof WechatError && err.path === providerTokenPath();

async function providerCall<T extends object>(request: Omit<WechatRequest, 'query'> & { query?: WechatRequest['query'] }, retry: 'read' | 'none'): Promise<T> {
  const source = providerSource();
  return withToken(source, (token) => {
    const full: WechatRequest = { ...request, query: { ...request.query, access_token: token }, timeoutMs: CALL_TIMEOUT_MS };
    return retry === 'read' ? callWechatIdempotent<T>(full) : callWechat<T>(full);
  });
}

// ---------------------------------------------------------------------------- orders

export interface SpOrder {
  orderId: string;
  /** 1 paid. */
  status: number;
  /** Seconds since the epoch. */
  createTime: number;
  orderPriceFen: number;
  product: { spSpuId: string; spSkuId: string; skuName: string; skuCnt: number };
  /** `all`: calls bought; `used`: calls assigned (pending or done). */
  usage: { used: number; all: number };
}

export interface SpAssignment {
  requestId: string;
  receiverAppId: string;
  skuId: string;
  count: number;
  /** 1 pending, 2 done, 3 failed, 4 cancelling, 5 cancelled (docs/provider.md). */
  status: number;
}

type Raw = Record<string, unknown>;
const text = (value: unknown) => (value === undefined || value === null ? '' : String(value));
const num = (value: unknown) => {
  const n = Number(value);
  return Number.isFinite(n) ? n : 0;
};

function toOrder(raw: Raw): SpOrder {
  const product = (raw.orderProductInfo ?? {}) as Raw;
  const usage = (raw.usage ?? {}) as Raw;
  return {
    orderId: text(raw.orderId),
    status: num(raw.status),
    createTime: num(raw.createTime),
    orderPriceFen: num(raw.orderPrice),
    product: { spSpuId: text(product.spSpuId), spSkuId: text(product.spSkuId), skuName: text(product.skuName), skuCnt: num(product.skuCnt) },
    usage: { used: num(usage.used), all: num(usage.all) },
  };
}

/** Every order of the provider, page by page (`order/query_list`, at most 20 a page). */
export async function queryOrders(spuId?: string): Promise<SpOrder[]> {
  const orders: SpOrder[] = [];
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer = await providerCall<{ total?: number; orderList?: Raw[] }>(
      { path: `${SP}/order/query_list`, body: { ...(spuId ? { spuId } : {}), offset: page * PAGE, limit: PAGE } },
      'read',
    );
    const list = answer.orderList ?? [];
    orders.push(...list.map(toOrder));
    if (list.length < PAGE || orders.length >= num(answer.total)) break;
  }
  return orders;
}

/**
 * One order (`order/get`) and, when WeChat includes it, the status of each of its
 * assignments; `assignList` null means this answer has none (see docs/provider.md for
 * the fallback).
 */
export async function getOrder(orderId: string): Promise<{ order: SpOrder; assignList: SpAssignment[] | null }> {
  const answer = await providerCall<{ order?: Raw; assignList?: Raw[] }>({ path: `${SP}/order/get`, query: { orderId } }, 'read');
  const order = answer.order ?? {};
  const rawList = answer.assignList ?? (order.assignList as Raw[] | undefined);
  return {
    order: toOrder(order),
    assignList: Array.isArray(rawList)
      ? rawList.map((a) => ({ requestId: text(a.requestId), receiverAppId: text(a.receiverAppId), skuId: text(a.skuId), count: num(a.count), status: num(a.status) }))
      : null,
  };
}

export interface SpSku {
  spuId: string;
  skuId: string;
  skuName: string;
  /** Validity in seconds. */
  duration: number;
  /** Calls in one pack of this SKU. */
  count: number;
}

/** The SKUs an order can be assigned as (`package/get_convertible_skus`). */
export async function convertibleSkus(orderId: string): Promise<SpSku[]> {
  const answer = await providerCall<{ skuList?: Raw[] }>({ path: `${SP}/package/get_convertible_skus`, query: { orderId } }, 'read');
  return (answer.skuList ?? []).map((s) => {
    const attr = (s.attr ?? {}) as Raw;
    return { spuId: text(s.spuId), skuId: text(s.skuId), skuName: text(s.skuName), duration: num(attr.duration), count: num(attr.count) };
  });
}

// ---------------------------------------------------------------------------- assign / cancel

export interface AssignCall {
  orderId: string;
  skuId: string;
  receiverAppId: string;
  requestId: string;
  beginTime: number | null;
}

/** WeChat accepted the assignment (its result comes later), or it already had it. */
export type AssignAnswer = 'accepted' | 'in-progress' | 'already-done';

/** Sends `package/assign`; a transient failure is retried once with the same requestId. */
export async function assignPackage(call: AssignCall): Promise<AssignAnswer> {
  const body = { orderId: call.orderId, skuId: call.skuId, receiverAppId: call.receiverAppId, requestId: call.requestId, ...(call.beginTime !== null ? { beginTime: call.beginTime } : {}) };
  return sendOnce(`${SP}/package/assign`, body, (errcode) => (errcode === ERR_ALREADY_ASSIGNED ? 'already-done' : errcode === ERR_IN_PROGRESS ? 'in-progress' : null), 'accepted' as const);
}

export type CancelAnswer = 'accepted' | 'already-cancelled';

/** Sends `package/cancel_assign` for an assignment; retried once like assign. */
export async function cancelAssignment(orderId: string, requestId: string): Promise<CancelAnswer> {
  return sendOnce(`${SP}/package/cancel_assign`, { orderId, requestId }, (errcode) => (errcode === ERR_ALREADY_CANCELLED ? 'already-cancelled' : null), 'accepted' as const);
}

async function sendOnce<A extends string>(path: string, body: object, known: (errcode: number) => A | null, ok: A): Promise<A> {
  const attempt = async (): Promise<A> => {
    try {
      await providerCall({ path, body }, 'none');
      return ok;
    } catch (err) {
      const answer = err instanceof WechatError ? known(err.errcode) : null;
      if (answer) return answer;
      throw err;
    }
  };
  try {
    return await attempt();
  } catch (err) {
    if (!isTransient(err)) throw err;
    await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS));
    return attempt();
  }
}

// ---------------------------------------------------------------------------- usage

/**
 * Where a merchant's token comes from: its AppSecret in PROVIDER_MERCHANT_SECRETS, or
 * the provider's own token service at PROVIDER_MERCHANT_TOKEN_URL; null when neither
 * is configured for it.
 */
function merchantSource(appid: string): TokenSource | null {
  const secretsText = providerMerchantSecrets();
  if (secretsText) {
    let secrets: unknown;
    try {
      secrets = JSON.parse(secretsText);
    } catch {
      throw new AppError('UPSTREAM_UNAVAILABLE', 'PROVIDER_MERCHANT_SECRETS is not valid JSON; it must be an object { "<appid>": "<AppSecret>" }.');
    }
    const secret = secrets && typeof secrets === 'object' ? (secrets as Record<string, unknown>)[appid] : undefined;
    if (typeof secret === 'string' && secret) {
      const grant = grantSource(appid, secret, STABLE_TOKEN_PATH, CALL_TIMEOUT_MS);
      return { key: grant.key, fetch: () => grant.fetch().catch(asMerchantTokenError) };
    }
  }
  const url = providerMerchantTokenUrl();
  if (url) return { key: `url|${appid}`, fetch: () => fetchTokenFromUrl(url, appid) };
  return null;
}

/** Failures to get a merchant's token carry this path, so they are not taken for the provider's. */
export const MERCHANT_TOKEN = 'merchant-token';

function asMerchantTokenError(err: unknown): never {
  throw err instanceof WechatError ? new WechatError(MERCHANT_TOKEN, err.errcode, 'could not get the merchant\'s token') : err;
}

async function fetchTokenFromUrl(base: string, appid: string): Promise<{ token: string; expiresIn: number }> {
  const path = MERCHANT_TOKEN;
  const url = new URL(base);
  url.searchParams.set('appid', appid);
  let answer: { access_token?: unknown; expires_in?: unknown };
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(CALL_TIMEOUT_MS) });
    if (!response.ok) throw new WechatError(path, NETWORK, `HTTP ${response.status}`);
    answer = (await response.json()) as typeof answer;
  } catch (err) {
    if (err instanceof WechatError) throw err;
    const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
    throw new WechatError(path, timedOut ? TIMEOUT : NETWORK, timedOut ? 'no answer in time' : 'no token in the answer');
  }
  if (typeof answer.access_token !== 'string' || !answer.access_token) throw new WechatError(path, NETWORK, 'no access_token in the answer');
  return { token: answer.access_token, expiresIn: typeof answer.expires_in === 'number' ? answer.expires_in : 600 };
}

/** A merchant's usage API (`/wxa/charge/usage/get`) for one component; null when no token source is configured for it. */
export async function merchantUsage(appid: string, spuId: string): Promise<WechatUsage | null> {
  const source = merchantSource(appid);
  return source ? fetchUsagePages(USAGE_PATH, spuId, source, CALL_TIMEOUT_MS) : null;
}
