/**
 * Matching WeChat's packages (usage API) with the packs in our ledger. WeChat is the
 * authority on which packs exist: its trial sets our trial's size and start; a package
 * an admin already recorded by hand is linked to that record (same calls, starting
 * within a day); any other package is added. Pure: no SDK.
 */
import { DAY_MS } from './china-time';
import type { Pack, PackSource } from './quota-ledger';

export interface WechatPackageFacts {
  pkgId: string;
  /** Seconds since the epoch; endTime 0 = no end. */
  startTime: number;
  endTime: number;
  all: number;
  used: number;
  source: number;
}

export interface LocalPack extends Pack {
  wechatPkgId: string | null;
}

type PackAction =
  | { type: 'link'; localId: string; pkgId: string; calls: number; startsAt: Date; expiresAt: Date | null }
  | { type: 'add'; pkgId: string; source: Exclude<PackSource, 'trial'>; calls: number; startsAt: Date; expiresAt: Date | null };

/** WeChat's `source` numbers: 1 is the trial (community-observed); 3 a provider's assignment (our assumption, as the emulator answers). */
export const WECHAT_SOURCE_TRIAL = 1;
export const WECHAT_SOURCE_PROVIDER = 3;

const startOf = (p: WechatPackageFacts) => new Date(p.startTime * 1000);
const endOf = (p: WechatPackageFacts) => (p.endTime > 0 ? new Date(p.endTime * 1000) : null);
const sameTime = (a: Date | null, b: Date | null) => (a === null ? b === null : b !== null && a.getTime() === b.getTime());

/** What to change in our ledger so it holds WeChat's packages; nothing when it already does. */
export function planPackSync(wechat: readonly WechatPackageFacts[], local: readonly LocalPack[]): PackAction[] {
  const actions: PackAction[] = [];
  const free = local.filter((p) => p.wechatPkgId === null && p.source !== 'trial');
  for (const pkg of wechat) {
    const figures = { pkgId: pkg.pkgId, calls: pkg.all, startsAt: startOf(pkg), expiresAt: endOf(pkg) };
    const linked =
      local.find((p) => p.wechatPkgId === pkg.pkgId) ??
      (pkg.source === WECHAT_SOURCE_TRIAL ? local.find((p) => p.source === 'trial') : undefined);
    if (linked) {
      const changed =
        linked.wechatPkgId !== pkg.pkgId ||
        linked.calls !== pkg.all ||
        !sameTime(linked.startsAt, figures.startsAt) ||
        !sameTime(linked.expiresAt, figures.expiresAt);
      if (changed) actions.push({ type: 'link', localId: linked.id, ...figures });
      continue;
    }
    // The closest hand-recorded pack of the same size starting within a day.
    const candidates = free
      .filter((p) => p.calls === pkg.all && Math.abs(p.startsAt.getTime() - figures.startsAt.getTime()) <= DAY_MS)
      .sort(
        (a, b) => Math.abs(a.startsAt.getTime() - figures.startsAt.getTime()) - Math.abs(b.startsAt.getTime() - figures.startsAt.getTime()),
      );
    const match = candidates[0];
    if (match) {
      free.splice(free.indexOf(match), 1);
      actions.push({ type: 'link', localId: match.id, ...figures });
    } else {
      actions.push({ type: 'add', source: pkg.source === WECHAT_SOURCE_PROVIDER ? 'provider' : 'self', ...figures });
    }
  }
  return actions;
}

/** WeChat's used count over every package (expired ones too), to compare with all our charges. */
export const wechatUsedTotal = (packages: readonly WechatPackageFacts[]) => packages.reduce((sum, p) => sum + p.used, 0);
