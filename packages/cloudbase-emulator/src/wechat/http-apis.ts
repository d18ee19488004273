/**
 * The WeChat HTTP APIs the cloud functions call over the network (not through
 * `cloud.openapi`), as the emulator fakes them under `/wechat`: access tokens, the
 * usage queries, and the phone-number exchange over HTTPS (the fallback when a cloud
 * call is refused), served from the same phone sandbox as the cloud call: same codes,
 * same errcodes, same single use. The service-provider APIs are in provider-apis.ts. Answers follow
 * WeChat's habit: HTTP 200 with `{ errcode, errmsg }` on failure. Keys are
 * "METHOD /path" with the path after `/wechat`.
 */
import type { AccessTokens } from './access-tokens';
import type { ExchangeResult, PhoneKind } from './phone-sandbox';
import { kindOfSpu, usageAnswer, wireUsageAnswer, type Usage } from './usage-ledger';

/** WeChat's appid form. */
export const APPID_PATTERN = /^wx[0-9a-f]{16}$/;

interface WechatHttpDeps {
  tokens: AccessTokens;
  /** The appsecret a grant must present; undefined accepts any non-empty one. */
  appSecret(): string | undefined;
  usage(appid: string, kind: PhoneKind): Usage;
  recentAverage(appid: string, kind: PhoneKind): number;
  /** The phone sandbox's exchange for the token's appid (what `phonenumber.getPhoneNumber` answers too). */
  exchangePhoneCode(request: { code?: unknown; openid?: unknown }, appid: string): ExchangeResult;
}

interface WechatRequest {
  query: URLSearchParams;
  /** The JSON body of a POST ({} for GET). */
  body: Record<string, unknown>;
}

export type WechatAnswer = Record<string, unknown>;
export type WechatHandler = (request: WechatRequest) => WechatAnswer;

export const INVALID_ARGS = { errcode: 40097, errmsg: 'invalid args' };
export const USAGE_PAGE_MAX = 20;

function grant(deps: WechatHttpDeps, { grant_type, appid, secret }: Record<string, unknown>): WechatAnswer {
  if (grant_type !== 'client_credential') return { errcode: 40002, errmsg: 'invalid grant_type' };
  if (typeof appid !== 'string' || !APPID_PATTERN.test(appid)) return { errcode: 40013, errmsg: 'invalid appid' };
  const expected = deps.appSecret();
  if (typeof secret !== 'string' || secret === '' || (expected !== undefined && secret !== expected))
    return { errcode: 40125, errmsg: 'invalid appsecret' };
  return deps.tokens.issue(appid);
}

/** A non-negative integer query parameter; `fallback` when absent, null when malformed. */
export function integerParam(query: URLSearchParams, name: string, fallback: number): number | null {
  const text = query.get(name);
  if (text === null || text === '') return fallback;
  return /^\d{1,9}$/.test(text) ? Number(text) : null;
}

/** Runs `then` for the token's appid and the spuId's component, or answers WeChat's error. */
function authorizedUsage(
  deps: WechatHttpDeps,
  query: URLSearchParams,
  then: (appid: string, kind: PhoneKind) => WechatAnswer,
): WechatAnswer {
  const caller = deps.tokens.check(query.get('access_token'));
  if ('errcode' in caller) return caller;
  const kind = kindOfSpu(query.get('spuId') ?? '');
  return kind ? then(caller.appid, kind) : INVALID_ARGS;
}

export function wechatHttpApis(deps: WechatHttpDeps): Record<string, WechatHandler> {
  return {
    'GET /cgi-bin/token': ({ query }) => grant(deps, Object.fromEntries(query)),
    // The stable-token variant: same checks, JSON body; force_refresh changes nothing
    // here because every grant issues a fresh token.
    'POST /cgi-bin/stable_token': ({ body }) => grant(deps, body),
    'GET /wxa/charge/usage/get': ({ query }) =>
      authorizedUsage(deps, query, (appid, kind) => {
        const offset = integerParam(query, 'offset', 0);
        const limit = integerParam(query, 'limit', USAGE_PAGE_MAX);
        if (offset === null || limit === null || limit < 1 || limit > USAGE_PAGE_MAX) return INVALID_ARGS;
        return { ...wireUsageAnswer(usageAnswer(deps.usage(appid, kind), { offset, limit })) };
      }),
    // WeChat's HTTPS twin of the cloud call: access_token in the query, { code, openid? } in the body.
    'POST /wxa/business/getuserphonenumber': ({ query, body }) => {
      const caller = deps.tokens.check(query.get('access_token'));
      if ('errcode' in caller) return caller;
      return { ...deps.exchangePhoneCode({ code: body.code, openid: body.openid }, caller.appid) };
    },
    'GET /wxa/charge/usage/get_recent_average': ({ query }) =>
      authorizedUsage(deps, query, (appid, kind) => ({ errcode: 0, errmsg: 'ok', averageData: deps.recentAverage(appid, kind) })),
  };
}
