/**
 * What the console's server answers (`/console/api/...`) and its page reads: declared
 * once, used by server.ts (which must produce them) and by the client and the tests.
 * Types only, with no Node or DOM dependency, so both sides compile it. The admin
 * function's answers are the contract's (miniprogram/contract).
 */
import type { DatesAs, ErrorBody, OutputOf, PhoneKind, Settings } from '../../../../miniprogram/contract';

/** A date as the console sends it: masked EJSON, relaxed. */
export interface EjsonDate {
  $date: string;
}

/** A value as the console sends it (`sendMasked`): dates become `{ $date }`. */
export type Ejson<T> = DatesAs<T, EjsonDate>;

/** An admin route's data, or why it could not be had (no admin, the function failed). */
export type AdminAnswer<T> = T | { error: { code: string; message: string } };

export interface ConsoleFunction {
  name: string;
  cold: number;
  warm: number;
  timerTriggers: string[];
}

export interface CollectionCount {
  name: string;
  count: number;
}

/** `GET /console/api/overview` */
export interface ConsoleOverview {
  envId: string;
  appid: string;
  url: string;
  dataDir: string | null;
  startedAt: string;
  uptimeMs: number;
  functions: ConsoleFunction[];
  collections: CollectionCount[];
  faults: number;
  admins: string[];
  /** Per collection: queries, documents examined and returned, and how many no declared index served. */
  queries: Record<string, { count: number; examined: number; returned: number; unindexed: number }>;
  /** The latest queries no declared index served (database-indexes/), newest last. */
  unindexedQueries: Array<{ collection: string; action: string; fields: string[]; sort: string[] }>;
}

/** `GET /console/api/db` */
export interface ConsoleCollections {
  collections: CollectionCount[];
}

/** A stored document as the console shows it (masked; dates as `{ $date }`). */
export type ConsoleDocument = Record<string, unknown>;

/** `GET /console/api/db/:collection?offset=&limit=` */
export interface ConsolePage {
  collection: string;
  total: number;
  offset: number;
  limit: number;
  /** Every top-level field of any document in the collection (not just this page), `_id` first. */
  fields: string[];
  docs: ConsoleDocument[];
}

/** `POST /console/api/invoke` and each function call of a play. */
export interface ConsoleCall {
  ok: boolean;
  /** The function's answer (an envelope for our functions). */
  result: unknown;
  error?: string;
  durationMs: number;
}

export type PlayStep = { step: string; code?: string; phone?: string } & Partial<ConsoleCall>;

/** `POST /console/api/play` */
export interface ConsolePlay {
  openid: string;
  steps: PlayStep[];
}

export interface ConsoleFault {
  id: string;
  target: string;
  errcode: number | null;
  delayMs: number;
  remaining: number;
}

/** `GET /console/api/faults` */
export interface ConsoleFaults {
  faults: ConsoleFault[];
}

/** `POST /console/api/import` */
export interface ConsoleImport {
  collections: number;
  phoneCodes: number;
}

/** One entry of the live log (`GET /console/api/events`, server-sent). */
export type LogEntry =
  | {
      type: 'invocation';
      seq: number;
      at: string;
      fn: string;
      route: string | null;
      caller: string | null;
      source: string;
      durationMs: number;
      cold: boolean;
      /** The envelope's code: "OK", the error code, FUNCTION_FAILED, or null for an answer that is no envelope. */
      code: string | null;
    }
  | { type: 'log'; seq: number; at: string; fn: string; line: string };

/** `/wxa/charge/usage/get` as the fake WeChat answers it. */
export interface WechatUsageAnswer {
  effectiveUse: number;
  all: number;
  total: number;
  detailList: Array<{
    pkgId: string;
    status: number;
    startTime: number;
    endTime: number;
    all: number;
    used: number;
    spuId: string;
    skuId: string;
    source: number;
  }>;
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

/** `GET /console/api/billing?admin=`: WeChat's side beside ours, and why they differ (sent as `Ejson<ConsoleBilling>`). */
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
