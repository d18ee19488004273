/**
 * WeChat's quota ledger for the phone-number components: per mini program (appid) and
 * per component kind, a list of packages — the free trial, packs bought in the
 * console, packs a service provider assigned — and the charges deducted from them.
 *
 * Deduction follows WeChat's rule (docs/wechat.md "Billing"): each charge, in time order,
 * goes to the trial first, then to the package that expires first; a package counts
 * only while it runs (startTime <= charge < endTime, endTime 0 = no end) and until it
 * is used up. Usage is computed from the charges every time rather than stored, so
 * the sandbox's minted codes stay the one source of truth.
 *
 * Times here are milliseconds; the usage API's answer (`usageAnswer`) is in seconds.
 */
import type { PhoneKind } from './phone-sandbox';

/** spuIds of the two components, both community-observed (docs/provider.md "Facts and their sources"). */
const QUICK_SPU_ID = '10000077';
const REALTIME_SPU_ID = '10000086';
export const SPU_IDS: Record<PhoneKind, string> = { quick: QUICK_SPU_ID, realtime: REALTIME_SPU_ID };

export function kindOfSpu(spuId: string): PhoneKind | null {
  if (spuId === QUICK_SPU_ID) return 'quick';
  if (spuId === REALTIME_SPU_ID) return 'realtime';
  return null;
}

/** `source` as the usage API reports it. */
export const SOURCE_TRIAL = 1;
export const SOURCE_CONSOLE = 2;
export const SOURCE_PROVIDER = 3;
type PackSource = typeof SOURCE_TRIAL | typeof SOURCE_CONSOLE | typeof SOURCE_PROVIDER;

/** 1 running, 2 not started yet, 3 expired. A used-up package that still runs is 1. */
type PackStatus = 1 | 2 | 3;

const TRIAL_SKU_ID = 'trial';
export const DEFAULT_TRIAL_CALLS = 1000;

export interface Pack {
  pkgId: string;
  appid: string;
  kind: PhoneKind;
  source: PackSource;
  skuId: string;
  all: number;
  startTime: number;
  /** 0: no end. */
  endTime: number;
}

interface PackUsage extends Pack {
  status: PackStatus;
  used: number;
}

export interface Usage {
  /** Sum of `all` over running packages. */
  all: number;
  /** Sum of `used` over running packages. */
  effectiveUse: number;
  remaining: number;
  /** Every package, ordered by startTime then pkgId (the usage API's order). */
  packages: PackUsage[];
}

const byPkgId = (a: Pack, b: Pack) => a.pkgId.localeCompare(b.pkgId, 'en', { numeric: true });
const listingOrder = (a: Pack, b: Pack) => a.startTime - b.startTime || byPkgId(a, b);
// The trial first, then earliest expiry (no end = last).
const deductionOrder = (a: Pack, b: Pack) =>
  Number(b.source === SOURCE_TRIAL) - Number(a.source === SOURCE_TRIAL) ||
  (a.endTime || Infinity) - (b.endTime || Infinity) ||
  listingOrder(a, b);

function statusAt(pack: Pack, now: number): PackStatus {
  if (now < pack.startTime) return 2;
  if (pack.endTime !== 0 && now >= pack.endTime) return 3;
  return 1;
}

const runsAt = (pack: Pack, at: number) => statusAt(pack, at) === 1;

/**
 * Applies `chargeTimes` to `packs` (all of one appid and kind) and reports usage as
 * seen at `now`. A charge no package could take is not counted anywhere (WeChat
 * refuses it; the emulator's mint route does too).
 */
export function computeUsage(packs: Pack[], chargeTimes: number[], now: number): Usage {
  const usage = packs.map((p): PackUsage => ({ ...p, status: statusAt(p, now), used: 0 }));
  const candidates = [...usage].sort(deductionOrder);
  for (const at of [...chargeTimes].sort((a, b) => a - b)) {
    const pack = candidates.find((p) => p.used < p.all && runsAt(p, at));
    if (pack) pack.used += 1;
  }
  const running = usage.filter((p) => p.status === 1);
  const all = running.reduce((sum, p) => sum + p.all, 0);
  const effectiveUse = running.reduce((sum, p) => sum + p.used, 0);
  return { all, effectiveUse, remaining: all - effectiveUse, packages: usage.sort(listingOrder) };
}

const AVERAGE_WINDOW_MS = 90 * 86_400_000;

/**
 * `get_recent_average`'s figure: charges in the 90 days up to `now`, per month (a third),
 * rounded. WeChat's is fuzzed; this one is exact so tests can predict it.
 */
export function recentMonthlyAverage(chargeTimes: number[], now: number): number {
  const recent = chargeTimes.filter((at) => at > now - AVERAGE_WINDOW_MS && at <= now).length;
  return Math.round(recent / 3);
}

/** Packages as the usage API lists them. */
interface WirePackage {
  pkgId: string;
  status: PackStatus;
  startTime: number;
  endTime: number;
  all: number;
  used: number;
  spuId: string;
  skuId: string;
  source: PackSource;
}

export interface UsageAnswer {
  errcode: 0;
  errmsg: 'ok';
  effectiveUse: number;
  all: number;
  total: number;
  detailList: WirePackage[];
}

const seconds = (ms: number) => Math.floor(ms / 1000);

/** `/wxa/charge/usage/get`'s answer: totals over every package, `detailList` the page [offset, offset + limit). */
export function usageAnswer(usage: Usage, page: { offset: number; limit: number } = { offset: 0, limit: Infinity }): UsageAnswer {
  return {
    errcode: 0,
    errmsg: 'ok',
    effectiveUse: usage.effectiveUse,
    all: usage.all,
    total: usage.packages.length,
    detailList: usage.packages.slice(page.offset, page.offset + page.limit).map((p) => ({
      pkgId: p.pkgId,
      status: p.status,
      startTime: seconds(p.startTime),
      endTime: seconds(p.endTime),
      all: p.all,
      used: p.used,
      spuId: SPU_IDS[p.kind],
      skuId: p.skuId,
      source: p.source,
    })),
  };
}

/**
 * The usage API's answer as WeChat sends it (charge_get_usage_detail, confirmed):
 * `effectiveUse`, `all` and each package's `all` / `used` are strings ("64位数字");
 * times are numbers of seconds. The trial is sent as WeChat shows it: `pkgId` "" and, for
 * a trial without an end, `endTime` 4294967295 (2^32 − 1, observed; a reader must not
 * take it for a date in 2106). `usageAnswer` above is the same in numbers, for the
 * emulator's own API and console.
 */
const TRIAL_NO_END = 4_294_967_295;

export interface WireUsageAnswer {
  errcode: 0;
  errmsg: 'ok';
  effectiveUse: string;
  all: string;
  total: number;
  detailList: Array<Omit<WirePackage, 'all' | 'used'> & { all: string; used: string }>;
}

export function wireUsageAnswer(answer: UsageAnswer): WireUsageAnswer {
  return {
    ...answer,
    effectiveUse: String(answer.effectiveUse),
    all: String(answer.all),
    detailList: answer.detailList.map((p) => ({
      ...p,
      pkgId: p.source === SOURCE_TRIAL ? '' : p.pkgId,
      endTime: p.source === SOURCE_TRIAL && p.endTime === 0 ? TRIAL_NO_END : p.endTime,
      all: String(p.all),
      used: String(p.used),
    })),
  };
}

export interface NewPack {
  appid: string;
  kind: PhoneKind;
  source: PackSource;
  calls: number;
  startTime: number;
  /** 0: no end. */
  endTime: number;
  skuId: string;
}

/** The packages of every appid and kind. Each ledger gets its trial when first touched. */
export class UsageLedger {
  private packs: Pack[] = [];
  private lastId = 0;

  constructor(private readonly trialCalls: number = DEFAULT_TRIAL_CALLS) {}

  /** Creates the trial of `appid`/`kind`, starting at `at`, unless it exists. Returns whether it created it. */
  ensureTrial(appid: string, kind: PhoneKind, at: number): boolean {
    if (this.packs.some((p) => p.appid === appid && p.kind === kind && p.source === SOURCE_TRIAL)) return false;
    this.push({ appid, kind, source: SOURCE_TRIAL, calls: this.trialCalls, startTime: at, endTime: 0, skuId: TRIAL_SKU_ID });
    return true;
  }

  /** Adds a package (source 2 for a console purchase, 3 for a provider's assignment); the ledger's trial starts now if it had none. */
  addPack(pack: NewPack, now: number): Pack {
    this.ensureTrial(pack.appid, pack.kind, now);
    return this.push(pack);
  }

  /** Takes a package away (a provider's cancelled assignment). Returns whether it existed. */
  removePack(pkgId: string): boolean {
    const before = this.packs.length;
    this.packs = this.packs.filter((p) => p.pkgId !== pkgId);
    return this.packs.length < before;
  }

  packsOf(appid: string, kind: PhoneKind): Pack[] {
    return this.packs.filter((p) => p.appid === appid && p.kind === kind);
  }

  snapshot(): Pack[] {
    return this.packs.map((p) => ({ ...p }));
  }

  /** The last pkgId given out; saved so a removed package's id is never given again after a restart. */
  get lastPkgId(): number {
    return this.lastId;
  }

  load(packs: Pack[], lastPkgId = 0): void {
    this.packs = packs.map((p) => ({ ...p }));
    this.lastId = Math.max(lastPkgId, ...this.packs.map((p) => Number(p.pkgId)).filter(Number.isInteger));
  }

  clear(): void {
    this.packs = [];
    this.lastId = 0;
  }

  private push(pack: NewPack): Pack {
    this.lastId += 1;
    const created: Pack = {
      pkgId: String(this.lastId),
      appid: pack.appid,
      kind: pack.kind,
      source: pack.source,
      skuId: pack.skuId,
      all: pack.calls,
      startTime: pack.startTime,
      endTime: pack.endTime,
    };
    this.packs.push(created);
    return created;
  }
}
