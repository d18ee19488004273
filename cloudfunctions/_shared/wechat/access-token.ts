/**
 * Access tokens for WeChat's HTTP APIs, cached per container until five minutes before
 * they expire; a token WeChat rejects is dropped and fetched once more. A token source
 * says where a token comes from: a grant from AppID + AppSecret (the stable-token API
 * by default, whose tokens do not invalidate each other, so containers fetching at once
 * cannot log each other out), or anything else that yields one (a provider's token
 * service for its merchants).
 */
import { now } from '../runtime/clock';
import { TOKEN_REJECTED } from '../domain/wechat-errcodes';
import { callWechatIdempotent, WechatError, type WechatRequest } from './http';

export interface TokenSource {
  /** Cache key: where the token comes from and for which appid. */
  key: string;
  fetch(): Promise<{ token: string; expiresIn: number }>;
}

export const STABLE_TOKEN_PATH = '/cgi-bin/stable_token';
const EARLY_MS = 5 * 60 * 1000;
const cache = new Map<string, { token: string; until: number }>();

/** Fetches under way: concurrent callers of one source (a fleet read 4 at a time) share one grant. */
const inFlight = new Map<string, Promise<string>>();

async function tokenOf(source: TokenSource): Promise<string> {
  const at = now().getTime();
  const hit = cache.get(source.key);
  if (hit && hit.until > at) return hit.token;
  const pending = inFlight.get(source.key);
  if (pending) return pending;
  const fetching = source
    .fetch()
    .then(({ token, expiresIn }) => {
      cache.set(source.key, { token, until: at + expiresIn * 1000 - EARLY_MS });
      return token;
    })
    .finally(() => inFlight.delete(source.key));
  inFlight.set(source.key, fetching);
  return fetching;
}

/** Runs `call` with a token; when WeChat rejects the token, fetches a new one and tries once more. */
export async function withToken<T>(source: TokenSource, call: (token: string) => Promise<T>): Promise<T> {
  try {
    return await call(await tokenOf(source));
  } catch (err) {
    if (!(err instanceof WechatError && TOKEN_REJECTED.includes(err.errcode))) throw err;
    cache.delete(source.key);
    return call(await tokenOf(source));
  }
}

/** A grant at `path`: the stable-token API takes a JSON body, the classic `/cgi-bin/token` a query. */
export function grantSource(appid: string, secret: string, path = STABLE_TOKEN_PATH, timeoutMs?: number): TokenSource {
  return {
    key: `${path}|${appid}`,
    async fetch() {
      const request: WechatRequest = path.includes('stable_token')
        ? { path, body: { grant_type: 'client_credential', appid, secret, force_refresh: false }, timeoutMs }
        : { path, query: { grant_type: 'client_credential', appid, secret }, timeoutMs };
      const answer = await callWechatIdempotent<{ access_token?: string; expires_in?: number }>(request);
      if (!answer.access_token) throw new WechatError(path, -1, 'no access_token in the answer');
      return { token: answer.access_token, expiresIn: answer.expires_in ?? 7200 };
    },
  };
}
