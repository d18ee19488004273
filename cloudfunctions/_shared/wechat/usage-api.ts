/**
 * WeChat's usage API for one component (`GET /wxa/charge/usage/get`, docs/wechat.md "Usage
 * APIs"): every package with its calls and use, read page by page (at most 20 each).
 * The service-provider usage API answers in the same shape under another path.
 */
import { grantSource, withToken, type TokenSource } from './access-token';
import { callWechatIdempotent } from './http';

interface WechatPackage {
  pkgId: string;
  /** 1 active, 2 not yet active, 3 expired. */
  status: number;
  /** Seconds since the epoch; endTime 0 means no end. */
  startTime: number;
  endTime: number;
  all: number;
  used: number;
  spuId: string;
  skuId: string;
  /** 1 is the trial (community-observed). */
  source: number;
}

export interface WechatUsage {
  effectiveUse: number;
  all: number;
  packages: WechatPackage[];
}

export const USAGE_PATH = '/wxa/charge/usage/get';
/** WeChat's `endTime` for the trial, which has no end (2^32 − 1 seconds: 2106 if read as a date). */
const NO_END_TIME = 4_294_967_295;
const PAGE = 20;
/** 2000 packages: far beyond any real account; stops a misbehaving API from looping. */
const MAX_PAGES = 100;

interface UsagePage {
  effectiveUse?: number | string;
  all?: number | string;
  total?: number;
  /** Counts are strings on the wire ("64位数字"); times are numbers of seconds. */
  detailList?: Array<Record<string, unknown>>;
}

/** Every package at `path` for `spuId`, with the token `source` gives. */
export async function fetchUsagePages(path: string, spuId: string, source: TokenSource, timeoutMs?: number): Promise<WechatUsage> {
  const packages: WechatPackage[] = [];
  let effectiveUse = 0;
  let all = 0;
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer = await withToken(source, (token) =>
      callWechatIdempotent<UsagePage>({ path, query: { access_token: token, spuId, offset: page * PAGE, limit: PAGE }, timeoutMs }),
    );
    effectiveUse = Number(answer.effectiveUse ?? 0);
    all = Number(answer.all ?? 0);
    const list = answer.detailList ?? [];
    for (const p of list) {
      packages.push({
        pkgId: String(p.pkgId ?? ''),
        status: Number(p.status ?? 0),
        startTime: Number(p.startTime ?? 0),
        // The trial's "no end" as WeChat sends it is our 0 (no end), not a date in 2106.
        endTime: Number(p.endTime ?? 0) >= NO_END_TIME ? 0 : Number(p.endTime ?? 0),
        all: Number(p.all ?? 0),
        used: Number(p.used ?? 0),
        spuId: String(p.spuId ?? spuId),
        skuId: String(p.skuId ?? ''),
        source: Number(p.source ?? 0),
      });
    }
    if (list.length < PAGE || packages.length >= Number(answer.total ?? 0)) break;
  }
  return { effectiveUse, all, packages };
}

/** The mini program's own usage, with a token from its AppID and AppSecret. */
export function fetchUsage(appid: string, secret: string, spuId: string): Promise<WechatUsage> {
  return fetchUsagePages(USAGE_PATH, spuId, grantSource(appid, secret));
}
