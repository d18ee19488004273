/**
 * The access token WeChat's HTTP APIs need, from AppID and AppSecret. Uses the
 * stable-token API, whose tokens do not invalidate each other, so several containers
 * (or functions) fetching at once cannot log each other out. Cached per container
 * until five minutes before expiry; a token WeChat rejects is dropped and fetched again.
 */
import { now } from '../clock';
import { callWechatIdempotent, WechatError } from './http';

interface Cached {
  appid: string;
  token: string;
  until: number;
}

let cached: Cached | null = null;
const EARLY_MS = 5 * 60 * 1000;
/** errcodes meaning "this token is no good": invalid, expired. */
const TOKEN_REJECTED = new Set([40001, 40014, 42001]);

export async function accessToken(appid: string, secret: string): Promise<string> {
  const at = now().getTime();
  if (cached && cached.appid === appid && cached.until > at) return cached.token;
  const answer = await callWechatIdempotent<{ access_token?: string; expires_in?: number }>({
    path: '/cgi-bin/stable_token',
    body: { grant_type: 'client_credential', appid, secret, force_refresh: false },
  });
  if (!answer.access_token) throw new WechatError('/cgi-bin/stable_token', -1, 'no access_token in the answer');
  cached = { appid, token: answer.access_token, until: at + (answer.expires_in ?? 7200) * 1000 - EARLY_MS };
  return cached.token;
}

/** Runs `call` with a token; when WeChat rejects the token, fetches a new one and tries once more. */
export async function withAccessToken<T>(appid: string, secret: string, call: (token: string) => Promise<T>): Promise<T> {
  try {
    return await call(await accessToken(appid, secret));
  } catch (err) {
    if (!(err instanceof WechatError && TOKEN_REJECTED.has(err.errcode))) throw err;
    cached = null;
    return call(await accessToken(appid, secret));
  }
}
