/**
 * WeChat access tokens as the fakes issue them: opaque, bound to one appid, valid for
 * 7200 s on the emulator clock. Each grant issues a new token and earlier ones stay
 * valid until they expire (WeChat also keeps the previous token alive for a while).
 * Tokens are credentials, not data: `POST /v1/reset` keeps them, so a warm container's
 * cached token still works, as it would against WeChat.
 */
import { randomBytes } from 'node:crypto';

const TOKEN_TTL_SECONDS = 7200;
const FORGET_AFTER_MS = 86_400_000;

type TokenCheck = { appid: string } | { errcode: number; errmsg: string };

export class AccessTokens {
  private tokens = new Map<string, { appid: string; expiresAt: number }>();

  constructor(private readonly clock: () => number) {}

  issue(appid: string): { access_token: string; expires_in: number } {
    const now = this.clock();
    // Forget tokens a day after they expire; until then they answer 42001, not 40001.
    for (const [token, entry] of this.tokens) if (entry.expiresAt + FORGET_AFTER_MS <= now) this.tokens.delete(token);
    const token = randomBytes(48).toString('base64url');
    this.tokens.set(token, { appid, expiresAt: now + TOKEN_TTL_SECONDS * 1000 });
    return { access_token: token, expires_in: TOKEN_TTL_SECONDS };
  }

  /** WeChat's answers: 41001 missing, 40001 unknown, 42001 expired. */
  check(token: string | null): TokenCheck {
    if (!token) return { errcode: 41001, errmsg: 'access_token missing' };
    const entry = this.tokens.get(token);
    if (!entry) return { errcode: 40001, errmsg: 'invalid credential, access_token is invalid or not latest' };
    if (this.clock() >= entry.expiresAt) return { errcode: 42001, errmsg: 'access_token expired' };
    return { appid: entry.appid };
  }
}
