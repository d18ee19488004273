/**
 * WeChat's phone-number service, as a sandbox. Minting a code stands for a user who
 * tapped the button and approved the sheet, which is the moment WeChat bills, so
 * every minted code is one charge: this ledger is the ground truth billing tests
 * compare with.
 *
 * Exchange semantics (docs/wechat.md "Exchanging the code"): a code is single-use, lives
 * 5 minutes, and when the exchange passes `openid` it must be the user the code was
 * issued to; anything else is errcode 40029. Codes minted without an openid are not
 * bound to a user.
 */
import { randomBytes } from 'node:crypto';

export type PhoneKind = 'quick' | 'realtime';

export interface PhoneCode {
  code: string;
  phoneNumber: string;
  countryCode: string;
  kind: PhoneKind;
  openid: string | null;
  appid: string;
  issuedAt: number;
  expiresAt: number;
  /** Exchange attempts, successful or not. */
  exchanges: number;
  used: boolean;
}

export interface MintRequest {
  phoneNumber: string;
  countryCode?: string;
  kind?: PhoneKind;
  openid?: string | null;
  appid?: string;
  ttlMs?: number;
}

export type ExchangeResult =
  | {
      errcode: 0;
      errmsg: 'ok';
      phone_info: { phoneNumber: string; purePhoneNumber: string; countryCode: string; watermark: { timestamp: number; appid: string } };
    }
  | { errcode: number; errmsg: string };

const CODE_TTL_MS = 5 * 60 * 1000;

export class PhoneSandbox {
  private codes = new Map<string, PhoneCode>();

  constructor(
    private readonly defaultAppid: string,
    private readonly clock: () => number = Date.now,
  ) {}

  mint(request: MintRequest): PhoneCode {
    const issuedAt = this.clock();
    const code: PhoneCode = {
      // WeChat's codes are opaque strings of about this length.
      code: randomBytes(24).toString('hex'),
      phoneNumber: request.phoneNumber,
      countryCode: request.countryCode ?? '86',
      kind: request.kind ?? 'quick',
      openid: request.openid ?? null,
      appid: request.appid ?? this.defaultAppid,
      issuedAt,
      expiresAt: issuedAt + (request.ttlMs ?? CODE_TTL_MS),
      exchanges: 0,
      used: false,
    };
    this.codes.set(code.code, code);
    return code;
  }

  /**
   * `phonenumber.getPhoneNumber` as WeChat answers it. `appid` is the calling mini
   * program's: a code from another app is invalid too.
   */
  exchange(request: { code?: unknown; openid?: unknown }, appid: string): ExchangeResult {
    const invalid = { errcode: 40029, errmsg: 'invalid code' };
    if (typeof request.code !== 'string' || request.code === '') return { errcode: 47001, errmsg: 'data format error: code is required' };
    const entry = this.codes.get(request.code);
    if (!entry) return invalid;
    entry.exchanges += 1;
    if (entry.used || this.clock() >= entry.expiresAt || entry.appid !== appid) return invalid;
    // A code minted without an openid stands for a test that does not care whose it is.
    if (typeof request.openid === 'string' && entry.openid !== null && request.openid !== entry.openid) return invalid;
    entry.used = true;
    const pure = entry.phoneNumber;
    return {
      errcode: 0,
      errmsg: 'ok',
      phone_info: {
        // WeChat puts the country prefix on foreign numbers only.
        phoneNumber: entry.countryCode === '86' ? pure : `+${entry.countryCode}${pure}`,
        purePhoneNumber: pure,
        countryCode: entry.countryCode,
        watermark: { timestamp: Math.floor(this.clock() / 1000), appid: entry.appid },
      },
    };
  }

  /** The charge ledger: one charge per minted code, exchanged or not. */
  charges(): {
    total: number;
    byKind: Record<PhoneKind, number>;
    codes: Array<{ code: string; kind: PhoneKind; openid: string | null; at: string; exchanges: number; used: boolean }>;
  } {
    const codes = [...this.codes.values()].sort((a, b) => a.issuedAt - b.issuedAt);
    const byKind: Record<PhoneKind, number> = { quick: 0, realtime: 0 };
    for (const c of codes) byKind[c.kind] += 1;
    return {
      total: codes.length,
      byKind,
      codes: codes.map((c) => ({
        code: c.code,
        kind: c.kind,
        openid: c.openid,
        at: new Date(c.issuedAt).toISOString(),
        exchanges: c.exchanges,
        used: c.used,
      })),
    };
  }

  /** When each charge of one mini program and component happened, oldest first: what quota is deducted for. */
  chargeTimes(appid: string, kind: PhoneKind): number[] {
    const times: number[] = [];
    for (const c of this.codes.values()) if (c.appid === appid && c.kind === kind) times.push(c.issuedAt);
    return times.sort((a, b) => a - b);
  }

  snapshot(): PhoneCode[] {
    return [...this.codes.values()].map((c) => ({ ...c }));
  }

  load(codes: PhoneCode[]): void {
    this.codes = new Map(codes.map((c) => [c.code, { ...c }]));
  }

  clear(): void {
    this.codes.clear();
  }
}
