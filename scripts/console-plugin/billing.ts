/**
 * `GET /console/api/billing?admin=`: WeChat's side (every code it minted for this mini
 * program is one charge, and its usage API) beside ours (the `phone_charges` ledger,
 * `usage_daily`, and the admin function's `usage.summary`, `quota.status` and
 * `settings.get` called as an admin), the difference per kind and why. It reuses what
 * exists and only lines it up; the console masks the answer.
 */
import { chargeId } from '../../cloudfunctions/_shared/domain/charge';
import { fenToYuan, PRICE_FEN } from '../../cloudfunctions/_shared/domain/pricing';
import type { OutputOf, PhoneKind, RouteName } from '../../miniprogram/contract';
import type { Emulator } from '../../packages/cloudbase-emulator/src/emulator';
import { usageAnswer } from '../../packages/cloudbase-emulator/src/wechat/usage-ledger';
import type { AdminAnswer, ConsoleBilling } from './api';

const KINDS: PhoneKind[] = ['quick', 'realtime'];

/** Who may be asked: ADMIN_OPENIDS, then the `admins` collection (read untracked: the console's reads are not the product's). */
function adminCandidates(emu: Emulator): string[] {
  const fromEnv = (emu.envVar('ADMIN_OPENIDS') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const fromDb = emu.store.hasCollection('admins')
    ? emu.store.find('admins', {}, { sort: [['_id', 1]], untracked: true }).map((d) => String(d._id))
    : [];
  return [...new Set([...fromEnv, ...fromDb])];
}

type Envelope = { ok?: boolean; data?: unknown; error?: { code?: string; message?: string } };

/** An admin route's data (as the contract types it), or its error as `{ error }` (the view shows either). */
async function adminRoute<U extends RouteName<'admin'>>(
  emu: Emulator,
  admin: string | null,
  route: U,
  data: Record<string, unknown> = {},
): Promise<AdminAnswer<OutputOf<'admin', U>>> {
  if (!admin) return { error: { code: 'NO_ADMIN', message: 'no admin OPENID: set ADMIN_OPENIDS or add one in the billing view' } };
  const outcome = await emu.invoke('admin', { ...data, $url: route }, { OPENID: admin });
  if (outcome.notFound) return { error: { code: 'FUNCTION_NOT_FOUND', message: 'no admin function' } };
  if (!outcome.ok) return { error: { code: 'FUNCTION_FAILED', message: outcome.error ?? 'function failed' } };
  const envelope = outcome.result as Envelope;
  if (envelope?.ok) return envelope.data as OutputOf<'admin', U>;
  return { error: { code: envelope?.error?.code ?? 'UNKNOWN', message: envelope?.error?.message ?? 'not an envelope' } };
}

const yuan = (calls: Record<PhoneKind, number>) => fenToYuan(calls.quick * PRICE_FEN.quick + calls.realtime * PRICE_FEN.realtime);
const zero = (): Record<PhoneKind, number> => ({ quick: 0, realtime: 0 });
const perKind = <T>(f: (kind: PhoneKind) => T): Record<PhoneKind, T> => ({ quick: f('quick'), realtime: f('realtime') });

/** A phone_charges record, read defensively: records written by older code lack the newer fields. */
interface ChargeDoc {
  _id: string;
  kind?: PhoneKind;
  exchange?: string;
  failure?: string | null;
  /** Whether WeChat billed it as far as the function can tell (null: the exchange has not settled). */
  billable?: boolean | null;
  maybeUsed?: boolean;
  counted?: boolean | null;
  /** Why it is not counted: "invalid-code", "count-failed". */
  notCounted?: string | null;
  phoneMasked?: string | null;
  chargedAt?: Date;
  openid?: string;
}

/** Whether a record is in usage_daily: true, false, or null (not known). */
function countedOf(c: ChargeDoc): boolean | null {
  return c.counted === true || c.counted === false ? c.counted : null;
}

/** Whether a record is a charge on our books; a record from before `billable` existed counts as one once exchanged. */
function billableOf(c: ChargeDoc): boolean | null {
  if (c.billable === true || c.billable === false) return c.billable;
  return c.exchange === 'ok' ? true : null;
}

function reasonOf(c: ChargeDoc): string | null {
  return typeof c.notCounted === 'string' ? c.notCounted : null;
}

export async function billing(emu: Emulator, requestedAdmin: string | null): Promise<ConsoleBilling> {
  const admins = adminCandidates(emu);
  const admin = requestedAdmin || admins[0] || null;
  const docs = <T>(name: string) =>
    emu.store.hasCollection(name) ? (emu.store.find(name, {}, { sort: [['_id', 1]], untracked: true }) as unknown as T[]) : [];
  const charges = docs<ChargeDoc>('phone_charges');
  const chargesById = new Map(charges.map((c) => [c._id, c]));
  const matched = new Set<string>();

  // WeChat's side: every minted code of this mini program is one charge.
  const wechatByKind = zero();
  const wechatExchanged = zero();
  const codes = emu.sandbox
    .snapshot()
    .filter((c) => c.appid === emu.appid)
    .sort((a, b) => a.issuedAt - b.issuedAt)
    .map((c) => {
      wechatByKind[c.kind] += 1;
      if (c.used) wechatExchanged[c.kind] += 1;
      const ours = chargesById.get(chargeId(emu.appid, c.code));
      if (ours) matched.add(ours._id);
      return {
        at: new Date(c.issuedAt).toISOString(),
        kind: c.kind,
        openid: c.openid,
        code: `${c.code.slice(0, 8)}…`,
        exchanged: c.used,
        exchangeAttempts: c.exchanges,
        ours: ours
          ? {
              id: `${ours._id.slice(0, 8)}…`,
              exchange: ours.exchange ?? null,
              failure: ours.failure ?? null,
              billable: billableOf(ours),
              maybeUsed: ours.maybeUsed === true,
              counted: countedOf(ours),
              reason: reasonOf(ours),
              phoneMasked: ours.phoneMasked ?? null,
            }
          : null,
      };
    });

  // Our side: the charge ledger and its daily counters.
  const oursByKind = zero();
  const countedByKind = zero();
  const counted = { true: 0, false: 0, unknown: 0 };
  const billable = { true: 0, false: 0, unknown: 0 };
  const byExchange: Record<string, number> = {};
  /** Per kind: refused by WeChat, exchange not settled, billable but not yet counted. */
  const gaps = { quick: { refused: 0, unsettled: 0, uncounted: 0 }, realtime: { refused: 0, unsettled: 0, uncounted: 0 } };
  for (const c of charges) {
    const kind: PhoneKind = c.kind === 'realtime' ? 'realtime' : 'quick';
    oursByKind[kind] += 1;
    const k = countedOf(c);
    const b = billableOf(c);
    counted[k === true ? 'true' : k === false ? 'false' : 'unknown'] += 1;
    billable[b === true ? 'true' : b === false ? 'false' : 'unknown'] += 1;
    if (k === true) countedByKind[kind] += 1;
    else if (b === false) gaps[kind].refused += 1;
    else if (b === null) gaps[kind].unsettled += 1;
    else gaps[kind].uncounted += 1;
    const ex = c.exchange ?? 'unknown';
    byExchange[ex] = (byExchange[ex] ?? 0) + 1;
  }
  const dailyByKind = zero();
  const usageDaily = docs<{ _id: string; day?: string; kind?: PhoneKind; count?: number }>('usage_daily');
  for (const d of usageDaily)
    if ((d.kind === 'quick' || d.kind === 'realtime') && typeof d.count === 'number') dailyByKind[d.kind] += d.count;
  const orphans = charges
    .filter((c) => !matched.has(c._id))
    .map((c) => ({
      id: `${c._id.slice(0, 8)}…`,
      kind: c.kind,
      at: c.chargedAt,
      exchange: c.exchange ?? null,
      billable: billableOf(c),
      counted: countedOf(c),
      reason: reasonOf(c),
    }));

  // One after another: one warm admin container serves the view, as one admin's page would.
  const summary = await adminRoute(emu, admin, 'usage.summary');
  const settings = await adminRoute(emu, admin, 'settings.get');
  const quotaQuick = await adminRoute(emu, admin, 'quota.status', { kind: 'quick' });
  const quotaRealtime = await adminRoute(emu, admin, 'quota.status', { kind: 'realtime' });

  const quota = { quick: quotaQuick, realtime: quotaRealtime };
  /** This month's correction cron booked (admin quota.status): shown beside usage_daily, never added to it. */
  const correctionOf = (kind: PhoneKind) => {
    const q = quota[kind];
    return 'error' in q ? null : (q.reconciliation?.correction ?? null);
  };
  const explanations: string[] = [];
  for (const kind of KINDS) {
    const mintedNoRecord = codes.filter((c) => c.kind === kind && !c.ours).length;
    const recordNoCode = orphans.filter((o) => (o.kind ?? 'quick') === kind).length;
    const { refused, unsettled, uncounted } = gaps[kind];
    const dailyVsCounted = dailyByKind[kind] - countedByKind[kind];
    if (mintedNoRecord)
      explanations.push(
        `${kind}: ${mintedNoRecord} code(s) WeChat charged never reached auth.bindPhone (the user left, or the request was lost before the charge was recorded) — billed, not in phone_charges.`,
      );
    if (recordNoCode)
      explanations.push(
        `${kind}: ${recordNoCode} charge record(s) match no code in WeChat's ledger (data imported or edited, or WeChat's side was reset).`,
      );
    if (refused)
      explanations.push(
        `${kind}: ${refused} code(s) WeChat refused at the exchange (invalid, expired, used or another user's): kept for audit with counted: false and not on our books, though WeChat's ledger still holds the tap.`,
      );
    if (unsettled)
      explanations.push(
        `${kind}: ${unsettled} record(s) whose exchange has not settled (WeChat busy, or still in flight): not counted until the same code is sent again or the cron settles them.`,
      );
    if (uncounted)
      explanations.push(
        `${kind}: ${uncounted} billable record(s) not yet in usage_daily (the increment failed); the cron's recount adds them, so the summary is low until then.`,
      );
    if (dailyVsCounted)
      explanations.push(
        `${kind}: usage_daily holds ${dailyVsCounted > 0 ? `${dailyVsCounted} more` : `${-dailyVsCounted} fewer`} than the records marked counted (records removed or edited by hand).`,
      );
  }
  for (const kind of KINDS) {
    const c = correctionOf(kind);
    if (c?.count)
      explanations.push(
        `${kind}: cron's reconciliation booked a correction of ${c.count > 0 ? '+' : ''}${c.count} for ${c.month} (WeChat used ${c.wechatUsed}, counted ${c.localCounted}; ${c.unknownRecords} record(s) whose outcome is unknown stand behind it) — so counted + corrections = WeChat's figure; kept beside usage_daily and the cost, not added to them.`,
      );
  }
  if (!explanations.length) explanations.push('WeChat’s ledger, phone_charges and usage_daily agree.');

  return {
    appid: emu.appid,
    admin,
    admins,
    wechat: {
      byKind: wechatByKind,
      total: wechatByKind.quick + wechatByKind.realtime,
      exchanged: wechatExchanged,
      listValueYuan: yuan(wechatByKind),
      codes,
      usage: perKind((k) => usageAnswer(emu.usage(emu.appid, k))),
    },
    ours: {
      byKind: oursByKind,
      total: charges.length,
      counted,
      countedByKind,
      billable,
      byExchange,
      usageDaily: { byKind: dailyByKind, days: usageDaily.length },
      listValueYuan: yuan(oursByKind),
      orphans,
      summary,
      quota,
      breaker: 'error' in settings ? null : settings.breaker,
      settingsError: 'error' in settings ? settings.error : null,
    },
    difference: {
      byKind: perKind((k) => ({
        wechat: wechatByKind[k],
        ours: oursByKind[k],
        counted: countedByKind[k],
        usageDaily: dailyByKind[k],
        wechatMinusOurs: wechatByKind[k] - oursByKind[k],
        wechatMinusDaily: wechatByKind[k] - dailyByKind[k],
        correction: correctionOf(k)?.count ?? null,
      })),
      /** WeChat's charges at list price minus what usage_daily counts at list price. */
      yuan: fenToYuan(
        (wechatByKind.quick - dailyByKind.quick) * PRICE_FEN.quick + (wechatByKind.realtime - dailyByKind.realtime) * PRICE_FEN.realtime,
      ),
      explanations,
    },
  };
}
