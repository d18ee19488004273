/**
 * What the console's server answers (`/console/api/...`) and its page reads: declared
 * once, used by server.ts (which must produce them) and by the client and the tests.
 * Types only, with no Node or DOM dependency, so both sides compile it. A plug-in's
 * routes declare their own answers beside it (quickphone: scripts/console-plugin/api.ts).
 */

/** A date as the console sends it: masked EJSON, relaxed. */
export interface EjsonDate {
  $date: string;
}

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

/** `POST /console/api/invoke`, and a plug-in's calls (plugin.ts callFunction). */
export interface ConsoleCall {
  ok: boolean;
  /** The function's answer, as it returned it. */
  result: unknown;
  error?: string;
  durationMs: number;
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

/** `GET /console/api/messages`: as `GET /v1/wechat/subscribe-messages` answers (wechat/subscribe-messages.ts), masked. */
export interface ConsoleMessages {
  messages: Array<{ touser: string; templateId: string; page: string | null; data: Record<string, { value: string }>; at: string }>;
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
