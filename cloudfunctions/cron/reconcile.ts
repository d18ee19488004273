/**
 * Reconciliation with WeChat's usage API: WeChat's packages into our ledger (linked to
 * packs an admin recorded, added otherwise), and WeChat's used count against the
 * charges we recorded. Without WECHAT_APPID/WECHAT_APPSECRET it is skipped and says so.
 * Each kind is reconciled on its own: a kind WeChat refuses or answers with no package is
 * listed in `unknown` (never read as zero left) and the others still run.
 */
import { wechatCredentials, wechatSpuId } from '../_shared/runtime/config';
import { errorDetail, logEvent } from '../_shared/runtime/log';
import { planPackSync, wechatUsedTotal } from '../_shared/domain/reconcile';
import { usageUnknownReason } from '../_shared/domain/usage-answer';
import type { PhoneKind } from '../_shared/domain/settings';
import { loadQuota } from '../_shared/services/quota';
import { insertPack, linkPack } from '../_shared/data/quota-packs';
import { saveReconciliation, type Reconciliation } from '../_shared/data/quota-reconciliations';
import { fetchUsage } from '../_shared/wechat/usage-api';
import { WechatError } from '../_shared/wechat/http';
import type { ReconcileOutcome as ReconcileOutcomeOnTheWire } from '../../miniprogram/contract';

/** The contract's ReconcileOutcome (miniprogram/contract/cron.ts) with server-side dates. */
export type ReconcileOutcome = ReconcileOutcomeOnTheWire<Reconciliation>;

class UnknownUsage extends Error {}

async function reconcileKind(kind: PhoneKind, appid: string, secret: string, at: Date): Promise<Reconciliation> {
  const usage = await fetchUsage(appid, secret, wechatSpuId(kind));
  const unknown = usageUnknownReason(usage, wechatSpuId(kind));
  if (unknown) throw new UnknownUsage(unknown);
  const before = await loadQuota(kind, at);
  for (const action of planPackSync(
    usage.packages,
    before.state.packs.map((p) => p.pack),
  )) {
    if (action.type === 'link')
      await linkPack(action.localId, {
        wechatPkgId: action.pkgId,
        calls: action.calls,
        startsAt: action.startsAt,
        expiresAt: action.expiresAt,
      });
    else
      await insertPack({
        id: `wx-${action.pkgId}`,
        kind,
        source: action.source,
        calls: action.calls,
        startsAt: action.startsAt,
        expiresAt: action.expiresAt,
        priceFen: null,
        note: '从微信同步',
        createdBy: 'wechat',
        at,
        wechatPkgId: action.pkgId,
      });
  }
  const wechatUsed = wechatUsedTotal(usage.packages);
  const localCharges = before.history.reduce((sum, d) => sum + d.count, 0);
  const result: Reconciliation = {
    kind,
    at,
    wechatUsed,
    localCharges,
    difference: wechatUsed - localCharges,
    wechatRemaining: Math.max(0, usage.all - usage.effectiveUse),
  };
  await saveReconciliation(result);
  return result;
}

export async function reconcile(kinds: readonly PhoneKind[], at: Date): Promise<ReconcileOutcome> {
  const credentials = wechatCredentials();
  if (!credentials.ok) return { status: 'skipped', reason: `reconciliation needs WeChat credentials: ${credentials.reason}` };
  const results: Reconciliation[] = [];
  const unknown: Array<{ kind: PhoneKind; reason: string }> = [];
  for (const kind of kinds) {
    try {
      results.push(await reconcileKind(kind, credentials.appid, credentials.secret, at));
    } catch (err) {
      // WechatError messages name the API path and errcode, never the token or secret.
      const reason =
        err instanceof WechatError || err instanceof UnknownUsage ? err.message : 'could not reach WeChat or store its figures';
      logEvent('error', {
        step: 'reconcile',
        kind,
        ...(err instanceof WechatError ? { error: err.message } : errorDetail(err)),
      });
      unknown.push({ kind, reason });
    }
  }
  if (results.length === 0 && unknown.length > 0)
    return { status: 'failed', reason: unknown.map((u) => `${u.kind}: ${u.reason}`).join('; ') };
  return { status: 'ok', kinds: results, unknown };
}
