/**
 * Exchanging a phone code with WeChat (`phonenumber.getPhoneNumber`). WeChat's
 * "system busy" (-1) and timeouts get one retry after a short pause; everything else
 * is answered as it is. Passing `openid` makes WeChat check the code was issued to
 * this user, so someone else's code cannot bind a number here.
 */
import { cloud } from '../cloud';
import { phoneExchangeTimeoutMs } from '../config';

export interface PhoneInfo {
  phoneNumber: string;
  purePhoneNumber: string;
  countryCode: string;
}

export type ExchangeOutcome = { ok: true; phone: PhoneInfo; attempts: number } | { ok: false; errcode: number; attempts: number };

/** Our own marker for "no answer in time"; WeChat has no code for it. */
export const TIMEOUT_ERRCODE = -2;

const RETRY_PAUSE_MS = 300;

function isTransient(errcode: number): boolean {
  return errcode === -1 || errcode === TIMEOUT_ERRCODE;
}

async function attempt(code: string, openid: string): Promise<ExchangeOutcome> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject({ errCode: TIMEOUT_ERRCODE }), phoneExchangeTimeoutMs());
  });
  try {
    const res = (await Promise.race([cloud.openapi.phonenumber.getPhoneNumber({ code, openid }), timeout])) as { phoneInfo?: PhoneInfo };
    if (!res.phoneInfo?.phoneNumber) return { ok: false, errcode: -1, attempts: 1 };
    const { phoneNumber, purePhoneNumber, countryCode } = res.phoneInfo;
    return { ok: true, phone: { phoneNumber, purePhoneNumber, countryCode }, attempts: 1 };
  } catch (err) {
    // The SDK throws WeChat's errcode as errCode; anything without one is a transport failure.
    const errcode = (err as { errCode?: unknown })?.errCode;
    return { ok: false, errcode: typeof errcode === 'number' ? errcode : -1, attempts: 1 };
  } finally {
    clearTimeout(timer);
  }
}

export async function exchangePhoneCode(code: string, openid: string): Promise<ExchangeOutcome> {
  const first = await attempt(code, openid);
  if (first.ok || !isTransient(first.errcode)) return first;
  await new Promise((resolve) => setTimeout(resolve, RETRY_PAUSE_MS));
  const second = await attempt(code, openid);
  return { ...second, attempts: 2 };
}
