/**
 * What quickphone's console routes answer (`/console/api/billing`, `/console/api/play`)
 * and its views read: declared once, used by ./billing.ts and ./play.ts (which must
 * produce them), by ./client and by the tests. Types only, with no Node or DOM
 * dependency, so both sides compile it. The admin function's answers are the contract's
 * (miniprogram/contract); the console's own answers are the package's
 * (packages/cloudbase-emulator/src/console/api.ts).
 */
import type { DatesAs, ErrorBody, OutputOf, PhoneKind, Settings } from '../../miniprogram/contract';
import type { ConsoleCall, EjsonDate, WechatUsageAnswer } from '../../packages/cloudbase-emulator/src/console/api';

/** A value as the console sends it (masked, relaxed EJSON): dates become `{ $date }`. */
export type Ejson<T> = DatesAs<T, EjsonDate>;

/** An admin route's data, or why it could not be had (no admin, the function failed). */
export type AdminAnswer<T> = T | { error: { code: string; message: string } };

export type PlayStep = { step: string; code?: string; phone?: string } & Partial<ConsoleCall>;

/** `POST /console/api/play` */
export interface ConsolePlay {
  openid: string;
  steps: PlayStep[];
}

/** How a charge record stands on our books; null where it has not settled. */
export interface ChargeStanding {
  id: string;
  exchange: string | null;
  billable: boolean | null;
  counted: boolean | null;
  /** Why it is not counted ("invalid-code", "count-failed"). */
  reason: string | null;
}

export interface BillingCode {
  at: string;
  kind: PhoneKind;
  openid: string | null;
  code: string;
  exchanged: boolean;
  exchangeAttempts: number;
  ours: (ChargeStanding & { failure: string | null; maybeUsed: boolean; phoneMasked: string | null }) | null;
}

type ByKind<T> = Record<PhoneKind, T>;
type Tally = { true: number; false: number; unknown: number };

/**
 * `GET /console/api/billing?admin=`: WeChat's side beside ours, and why they differ (sent
 * as `Ejson<ConsoleBilling>`); `admins` are ADMIN_OPENIDS and the `admins` collection.
 */
export interface ConsoleBilling {
  appid: string;
  admin: string | null;
  admins: string[];
  wechat: {
    byKind: ByKind<number>;
    total: number;
    exchanged: ByKind<number>;
    listValueYuan: string;
    codes: BillingCode[];
    usage: ByKind<WechatUsageAnswer>;
  };
  ours: {
    byKind: ByKind<number>;
    total: number;
    counted: Tally;
    countedByKind: ByKind<number>;
    billable: Tally;
    byExchange: Record<string, number>;
    usageDaily: { byKind: ByKind<number>; days: number };
    listValueYuan: string;
    /** Charge records that match no code WeChat minted. */
    orphans: Array<ChargeStanding & { kind: PhoneKind | undefined; at: Date | undefined }>;
    summary: AdminAnswer<OutputOf<'admin', 'usage.summary'>>;
    quota: ByKind<AdminAnswer<OutputOf<'admin', 'quota.status'>>>;
    breaker: Settings['breaker'] | null;
    settingsError: ErrorBody | { code: string; message: string } | null;
  };
  difference: {
    byKind: ByKind<{
      wechat: number;
      ours: number;
      counted: number;
      usageDaily: number;
      wechatMinusOurs: number;
      wechatMinusDaily: number;
      /** This month's correction cron booked (quota.status), beside usage_daily; null when none or unreadable. */
      correction: number | null;
    }>;
    /** WeChat's charges at list price minus what usage_daily counts at list price. */
    yuan: string;
    explanations: string[];
  };
}
