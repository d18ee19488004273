/**
 * `provider.assignments.recheck { assignmentId }`: asks again where an assignment
 * stands. One still pending or cancelling is polled (the same requestId sent again). One
 * whose outcome is `unknown` is looked up in the receiving merchant's usage packages
 * (domain/provider-recheck.ts): found → done, with its pack; not found → it stays
 * unknown, with what was checked in its error (a cancel can still settle it).
 */
import { AppError } from '../_shared/runtime/errors';
import { now } from '../_shared/runtime/clock';
import { providerPollMaxAttempts, wechatSpuId } from '../_shared/runtime/config';
import { route } from '../_shared/runtime/router';
import { findAssignedPackage, type PackageSeen } from '../_shared/domain/provider-recheck';
import { findAssignment, listAssignments, moveAssignment, noteError, type AssignmentDoc } from '../_shared/data/provider-assignments';
import { merchantUsage } from '../_shared/wechat/service-provider';
import { assignmentView } from './assignment-view';
import { oneAssignment } from './cancel';
import { askWechat } from './wechat-errors';
import { pollAssignments } from './settle';

/** Every provider package the merchant has, of the assignment's component when we know it; null when no token source is set. */
async function merchantPackages(doc: AssignmentDoc): Promise<PackageSeen[] | null> {
  const spuIds = doc.componentSpuId ? [doc.componentSpuId] : [wechatSpuId('quick'), wechatSpuId('realtime')];
  const packages: PackageSeen[] = [];
  for (const spuId of spuIds) {
    const usage = await askWechat('merchant-usage', () => merchantUsage(doc.receiverAppId, spuId));
    if (!usage) return null;
    packages.push(...usage.packages);
  }
  return packages;
}

async function recheckUnknown(doc: AssignmentDoc, at: Date): Promise<void> {
  const packages = await merchantPackages(doc);
  if (packages === null) {
    throw new AppError(
      'UPSTREAM_UNAVAILABLE',
      `No token source for ${doc.receiverAppId}: set PROVIDER_MERCHANT_SECRETS, PROVIDER_MERCHANT_TOKEN_URL or a third-party platform authorizer (docs/provider.md) to re-check against its usage.`,
    );
  }
  const others = await listAssignments({ receiverAppId: doc.receiverAppId }, 500);
  const held = new Set(others.filter((o) => o._id !== doc._id && o.receivePkgId).map((o) => o.receivePkgId!));
  const pkgId = findAssignedPackage(doc, packages, held);
  if (pkgId) {
    await moveAssignment(doc._id, 'unknown', 'done', {
      at,
      via: `recheck: the merchant's usage lists pack ${pkgId}`,
      error: null,
      submitted: true,
      receivePkgId: pkgId,
    });
    return;
  }
  await noteError(doc._id, at, {
    code: 'CONFLICT',
    message: `Re-checked ${at.toISOString()}: no pack of this assignment in ${doc.receiverAppId}'s usage (${packages.length} packages). It may not have been assigned; cancel it to find out, or check the service platform.`,
    errcode: doc.error?.errcode ?? null,
  });
}

export const recheckRoute = route(oneAssignment, async ({ assignmentId: id }) => {
  const at = now();
  const doc = await findAssignment(id);
  if (!doc) throw new AppError('NOT_FOUND', 'No such assignment.');
  if (doc.status === 'pending' || doc.status === 'cancelling') await pollAssignments([doc], at, providerPollMaxAttempts());
  else if (doc.status === 'unknown') await recheckUnknown(doc, at);
  return assignmentView((await findAssignment(id)) ?? doc);
});
