/**
 * The provider's fleet (docs/provider.md "The fleet"): every merchant it assigned to or
 * an admin added, with each component's quota as WeChat's usage API reports it to that
 * merchant, days left at the recent rate, when it was read and any error.
 *
 * `fleet.list { limit?, cursor?, refresh? }` answers a page sorted by days left (fewest
 * first; unknown last). Readings older than PROVIDER_FLEET_MAX_AGE_MINUTES on that page
 * are read again first (all of the page with `refresh: true`): one usage call per
 * merchant and component, FLEET_CONCURRENCY at a time. Cron refreshes the whole fleet
 * the same way (fleet-cron.ts). `fleet.add { appid, authorizerRefreshToken? }` adds a
 * merchant by appid, with the refresh token of its authorization of your third-party
 * platform when its usage is read through authorizer tokens.
 */
import * as v from 'valibot';
import { pageLimit } from '../_shared/domain/amount-schemas';
import { now } from '../_shared/runtime/clock';
import { providerFleetMaxAgeMs, wechatSpuId } from '../_shared/runtime/config';
import { AppError } from '../_shared/runtime/errors';
import { route } from '../_shared/runtime/router';
import { addSample, daysLeft, fleetOrder, FLEET_KINDS, type KindReading } from '../_shared/domain/provider-fleet';
import { wechatUsedTotal } from '../_shared/domain/reconcile';
import { usageUnknownReason } from '../_shared/domain/usage-answer';
import type { PhoneKind } from '../_shared/domain/settings';
import { listAssignments } from '../_shared/data/provider-assignments';
import {
  ensureMerchant,
  findMerchant,
  listMerchants,
  saveAuthorizerRefreshToken,
  saveReading,
  type MerchantDoc,
} from '../_shared/data/provider-merchants';
import { merchantUsage } from '../_shared/wechat/service-provider';
import { appid } from './inputs';
import { toAppError } from './wechat-errors';

/** Usage calls in flight at once: WeChat's per-token rate stays low and a page still reads in a few seconds. */
const FLEET_CONCURRENCY = 4;

/** Runs `work` over `items`, at most `limit` at a time. */
async function eachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** One usage call for one merchant and component; the reading to store (the previous figures stay when it failed). */
async function readKind(appid: string, kind: PhoneKind, previous: KindReading, at: Date): Promise<KindReading> {
  const spuId = wechatSpuId(kind);
  const failed = (error: string): KindReading => ({ ...previous, checkedAt: at, error });
  const result = await merchantUsage(appid, spuId);
  if (!result.ok) return failed(toAppError(result.failure, 'merchant-usage').message);
  const usage = result.value;
  if (!usage)
    return failed(
      'No token source for this merchant: set PROVIDER_MERCHANT_SECRETS, PROVIDER_MERCHANT_TOKEN_URL or a third-party platform authorizer (docs/provider.md).',
    );
  const unknown = usageUnknownReason(usage, spuId);
  if (unknown) return failed(unknown);
  return {
    all: usage.all,
    used: usage.effectiveUse,
    remaining: Math.max(0, usage.all - usage.effectiveUse),
    checkedAt: at,
    error: null,
    // The rate follows every call ever used (expired packages too), which only grows.
    samples: addSample(previous.samples, { at, used: wechatUsedTotal(usage.packages) }),
  };
}

const isStale = (reading: KindReading, at: Date, maxAgeMs: number) =>
  !reading.checkedAt || at.getTime() - reading.checkedAt.getTime() >= maxAgeMs;

/** Reads again every component of `merchants` older than `maxAgeMs` (0: all); answers the merchants as stored now. */
export async function refreshMerchants(merchants: readonly MerchantDoc[], at: Date, maxAgeMs: number): Promise<MerchantDoc[]> {
  const jobs = merchants.flatMap((m) => FLEET_KINDS.filter((k) => isStale(m.readings[k], at, maxAgeMs)).map((kind) => ({ m, kind })));
  const fresh = new Map(merchants.map((m) => [m._id, { ...m, readings: { ...m.readings } }]));
  await eachLimited(jobs, FLEET_CONCURRENCY, async ({ m, kind }) => {
    const reading = await readKind(m._id, kind, m.readings[kind], at);
    await saveReading(m._id, kind, reading);
    fresh.get(m._id)!.readings[kind] = reading;
  });
  return merchants.map((m) => fresh.get(m._id)!);
}

/** Every merchant of the fleet, with those assigned to before the fleet existed added. */
export async function loadFleet(at: Date): Promise<MerchantDoc[]> {
  const merchants = await listMerchants();
  const known = new Set(merchants.map((m) => m._id));
  const missing = [...new Set((await listAssignments({}, 500)).map((a) => a.receiverAppId))].filter((id) => !known.has(id));
  for (const id of missing) await ensureMerchant(id, at, null);
  return missing.length > 0 ? listMerchants() : merchants;
}

function kindView(reading: KindReading) {
  return {
    all: reading.all,
    used: reading.used,
    remaining: reading.remaining,
    daysLeft: daysLeft(reading),
    checkedAt: reading.checkedAt,
    error: reading.error,
  };
}

function merchantView(m: MerchantDoc) {
  const kinds = { quick: kindView(m.readings.quick), realtime: kindView(m.readings.realtime) };
  const known = FLEET_KINDS.map((k) => kinds[k].daysLeft).filter((d): d is number => d !== null);
  return {
    appid: m._id,
    source: m.addedBy ? ('added' as const) : ('assigned' as const),
    daysLeft: known.length > 0 ? Math.min(...known) : null,
    kinds,
  };
}

const listInput = v.object({
  limit: pageLimit(100, 50),
  cursor: v.optional(v.pipe(v.string('cursor must be a string'), v.regex(/^\d{1,6}$/, 'cursor must be one that fleet.list answered'))),
  refresh: v.optional(v.boolean('refresh must be true or false'), false),
});

export const fleetListRoute = route(listInput, async ({ limit, cursor, refresh }) => {
  const at = now();
  const fleet = (await loadFleet(at)).map((m) => ({ m, row: merchantView(m) })).sort((a, b) => fleetOrder(a.row, b.row));
  const offset = cursor ? Number(cursor) : 0;
  const page = fleet.slice(offset, offset + limit).map((x) => x.m);
  const fresh = await refreshMerchants(page, at, refresh ? 0 : providerFleetMaxAgeMs());
  return {
    merchants: fresh.map(merchantView).sort(fleetOrder),
    total: fleet.length,
    nextCursor: offset + limit < fleet.length ? String(offset + limit) : null,
  };
});

const addInput = v.object({
  appid: appid('appid'),
  /** The merchant's authorizer_refresh_token from its authorization of your third-party platform; stored, never answered. */
  authorizerRefreshToken: v.optional(
    v.pipe(
      v.string('authorizerRefreshToken must be a string'),
      v.trim(),
      v.regex(/^[\x21-\x7e]{1,512}$/, 'authorizerRefreshToken is malformed'),
    ),
  ),
});

export const fleetAddRoute = route(addInput, async ({ appid: id, authorizerRefreshToken }, { caller }) => {
  const at = now();
  await ensureMerchant(id, at, caller.openid);
  if (authorizerRefreshToken) await saveAuthorizerRefreshToken(id, authorizerRefreshToken);
  const merchant = await findMerchant(id);
  if (!merchant) throw new AppError('INTERNAL', 'The merchant was not stored; try again.');
  const [fresh] = await refreshMerchants([merchant], at, 0);
  return merchantView(fresh!);
});
