/**
 * Exchanging a phone code with WeChat (`phonenumber.getPhoneNumber`). WeChat's
 * "system busy" (-1) gets one retry after a short pause when there is time left for
 * it; everything else is answered as it is. A timeout gets no retry: WeChat gives a
 * code's number once, so a second attempt after WeChat used the code can only hear
 * "invalid code" — one long wait inside the function's time is worth more. Passing `openid` makes WeChat check the code was issued to
 * this user, so someone else's code cannot bind a number here.
 *
 * Each attempt goes by cloud call first. A function deployed by the CloudBase CLI has
 * no cloud-call permission (WeChat registers config.json's `permissions.openapi` only
 * on a DevTools upload), and then the cloud call answers -604101 without looking at
 * the code; with WECHAT_APPID/WECHAT_APPSECRET set, the same attempt then exchanges the
 * same code over HTTPS (`POST /wxa/business/getuserphonenumber`, the shared cached
 * stable token), so callers see one outcome either way. Once refused, a container
 * goes straight to HTTPS (the permission does not appear in a running container).
 */
import { cloud } from '../runtime/cloud';
import { phoneExchangeTimeoutMs, wechatCredentials } from '../runtime/config';
import { logEvent } from '../runtime/log';
import { retry } from '../runtime/retry';
import { grantSource, withToken } from './access-token';
import { callWechat, NETWORK, TIMEOUT } from './http';
import { cloudCallFailure, httpsCallFailure, NO_PERMISSION_ERRCODE } from './failure';

interface PhoneInfo {
  phoneNumber: string;
  purePhoneNumber: string;
  countryCode: string;
}

/**
 * `maybeUsed`: some attempt got no answer (a timeout or a broken connection), so WeChat
 * may have exchanged — used up — the code without our hearing it.
 */
export type ExchangeOutcome =
  | { ok: true; phone: PhoneInfo; attempts: number; maybeUsed: boolean }
  | { ok: false; errcode: number; attempts: number; maybeUsed: boolean };

/** Our own marker for "no answer in time"; WeChat has no code for it. */
const TIMEOUT_ERRCODE = -2;

export { NO_PERMISSION_ERRCODE } from './failure';
const HTTPS_PHONE_PATH = '/wxa/business/getuserphonenumber';

/** Set when this container's cloud call was refused with -604101. */
let cloudCallDenied = false;

const RETRY_PAUSE_MS = 300;
/**
 * The exchange's share of auth's 10 s timeout (cloudbaserc.json): what is left covers
 * the record before it and the writes after it (number, counter, record, with retries).
 * A busy answer is retried only if the retry's full wait still fits.
 */
const EXCHANGE_DEADLINE_MS = 7_000;

/** WeChat answered "busy" without looking at the code: a retry can still succeed. */
function isBusy(outcome: ExchangeOutcome): boolean {
  return !outcome.ok && outcome.errcode === -1 && !outcome.maybeUsed;
}

async function attempt(code: string, openid: string): Promise<ExchangeOutcome> {
  if (!cloudCallDenied) {
    const outcome = await cloudAttempt(code, openid);
    if (outcome.ok || outcome.errcode !== NO_PERMISSION_ERRCODE) return outcome;
    cloudCallDenied = true;
  }
  const credentials = wechatCredentials();
  if (!credentials.ok) {
    // Nothing else to try: the code is untouched, so a later try (after a DevTools upload
    // of auth, or with the credentials set) may still bind it.
    logEvent('error', { exchange: 'cloud call refused (-604101)', fallback: `none: ${credentials.reason}` });
    return { ok: false, errcode: NO_PERMISSION_ERRCODE, attempts: 1, maybeUsed: false };
  }
  return httpsAttempt(code, openid, credentials.appid, credentials.secret);
}

/** The cloud call as it answers, -604101 included. */
export async function cloudAttempt(code: string, openid: string | undefined): Promise<ExchangeOutcome> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject({ errCode: TIMEOUT_ERRCODE }), phoneExchangeTimeoutMs());
  });
  try {
    const res = (await Promise.race([cloud.openapi.phonenumber.getPhoneNumber(openid ? { code, openid } : { code }), timeout])) as {
      phoneInfo?: PhoneInfo;
    };
    if (!res.phoneInfo?.phoneNumber) return { ok: false, errcode: -1, attempts: 1, maybeUsed: false };
    const { phoneNumber, purePhoneNumber, countryCode } = res.phoneInfo;
    return { ok: true, phone: { phoneNumber, purePhoneNumber, countryCode }, attempts: 1, maybeUsed: false };
  } catch (err) {
    // Unanswered, WeChat may have used the code; refused by the platform (-604101) or answered, it did not.
    const failure = cloudCallFailure(err);
    return { ok: false, errcode: failure.errcode, attempts: 1, maybeUsed: failure.kind === 'unanswered' };
  } finally {
    clearTimeout(timer);
  }
}

/** The same exchange over HTTPS with the mini program's stable token. */
export async function httpsAttempt(code: string, openid: string | undefined, appid: string, secret: string): Promise<ExchangeOutcome> {
  const timeoutMs = phoneExchangeTimeoutMs();
  try {
    const answer = await withToken(grantSource(appid, secret, undefined, timeoutMs), (token) =>
      callWechat<{ phone_info?: PhoneInfo }>({
        path: HTTPS_PHONE_PATH,
        query: { access_token: token },
        body: openid ? { code, openid } : { code },
        timeoutMs,
      }),
    );
    if (!answer.phone_info?.phoneNumber) return { ok: false, errcode: -1, attempts: 1, maybeUsed: false };
    const { phoneNumber, purePhoneNumber, countryCode } = answer.phone_info;
    return { ok: true, phone: { phoneNumber, purePhoneNumber, countryCode }, attempts: 1, maybeUsed: false };
  } catch (err) {
    const failure = httpsCallFailure(err, HTTPS_PHONE_PATH);
    // No answer from the exchange itself: WeChat may have used the code.
    if (failure.kind === 'unanswered') return { ok: false, errcode: TIMEOUT_ERRCODE, attempts: 1, maybeUsed: true };
    // The token could not be had: the code was never sent, so it is certainly unused (and a lost token call is "busy").
    if (failure.kind === 'not-sent') {
      logEvent('error', { exchange: 'https', tokenFailed: failure.errcode });
      const busy = failure.errcode === TIMEOUT || failure.errcode === NETWORK;
      return { ok: false, errcode: busy ? -1 : failure.errcode, attempts: 1, maybeUsed: false };
    }
    return { ok: false, errcode: failure.errcode, attempts: 1, maybeUsed: false };
  }
}

export async function exchangePhoneCode(code: string, openid: string): Promise<ExchangeOutcome> {
  const started = Date.now();
  const retryFits = () => Date.now() - started + RETRY_PAUSE_MS + phoneExchangeTimeoutMs() <= EXCHANGE_DEADLINE_MS;
  const { answer, attempts, earlier } = await retry(() => attempt(code, openid), {
    attempts: 2,
    pauseMs: RETRY_PAUSE_MS,
    retryAnswer: (outcome) => isBusy(outcome) && retryFits(),
  });
  // Any attempt that went unanswered may have used the code.
  return { ...answer, attempts, maybeUsed: answer.maybeUsed || earlier.some((o) => o.maybeUsed) };
}
