/**
 * Re-checking an assignment whose outcome is unknown against the receiving merchant's
 * usage packages: WeChat lists an assigned pack there with `source` 3 (our reading,
 * domain/reconcile.ts). The push's `receive_pkg_id` names it when we have it; otherwise
 * a provider pack of the assignment's size that started no earlier than the assignment
 * (or its beginTime) and that no other assignment of ours holds. Pure: no SDK.
 */
import { WECHAT_SOURCE_PROVIDER } from './reconcile';

export interface PackageSeen {
  pkgId: string;
  source: number;
  all: number;
  /** Seconds since the epoch. */
  startTime: number;
}

interface AssignmentToFind {
  calls: number | null;
  createdAt: Date;
  beginTime: number | null;
  receivePkgId?: string | null;
}

/** A minute of slack between our clock and WeChat's. */
const SLACK_MS = 60_000;

/** The pkgId of the merchant's pack this assignment made; null when none fits. */
export function findAssignedPackage(
  assignment: AssignmentToFind,
  packages: readonly PackageSeen[],
  heldByOthers: ReadonlySet<string>,
): string | null {
  const fromProvider = packages.filter((p) => p.source === WECHAT_SOURCE_PROVIDER);
  if (assignment.receivePkgId) return fromProvider.some((p) => p.pkgId === assignment.receivePkgId) ? assignment.receivePkgId : null;
  if (assignment.calls === null) return null;
  const notBefore = (assignment.beginTime ?? assignment.createdAt.getTime()) - SLACK_MS;
  const fits = fromProvider
    .filter((p) => !heldByOthers.has(p.pkgId) && p.all === assignment.calls && p.startTime * 1000 >= notBefore)
    .sort((a, b) => a.startTime - b.startTime);
  return fits[0]?.pkgId ?? null;
}
