/**
 * `admin.quota.status { kind? }` and `admin.quota.addPack { … }`: what quota is left
 * for a component, pack by pack, when it runs out at the recent rate, what to buy, and
 * how our count compares with WeChat's (see docs/quota.md). Money is what WeChat
 * charges: each call at its pack's unit price (the trial free), nothing for a
 * fee-exempt account (which also gets no pack advice and no run-out day).
 */
import * as v from 'valibot';
import { route } from '../_shared/runtime/router';
import { now } from '../_shared/runtime/clock';
import { packCatalogueOverride } from '../_shared/runtime/config';
import { createHash } from 'node:crypto';
import { AppError } from '../_shared/runtime/errors';
import { idempotencyKey, positiveCount, startDate, yuanAmount } from '../_shared/domain/amount-schemas';
import { chinaMonth, DAY_MS } from '../_shared/domain/china-time';
import { costFigures, costOfDays, unitPrice } from '../_shared/domain/cost';
import { forecast, monthlyCost } from '../_shared/domain/forecast';
import { catalogue } from '../_shared/domain/pack-catalogue';
import { fenOf, fenToYuan, perCallYuan, PRICE_FEN, roundFen, timesFen, yuanToFen } from '../_shared/domain/pricing';
import { statusAt, type PackUsage } from '../_shared/domain/quota-ledger';
import { recommend } from '../_shared/domain/recommendation';
import { scrubDigits } from '../_shared/domain/phone';
import { recentAlerts } from '../_shared/data/quota-alerts';
import { loadQuota } from '../_shared/services/quota';
import { insertPack, listPacks, setPackPrice, type QuotaPackDoc } from '../_shared/data/quota-packs';
import { isDuplicateKey } from '../_shared/runtime/db-errors';
import { loadReconciliation } from '../_shared/data/quota-reconciliations';
import { loadSettings } from '../_shared/data/settings';
import { loadCorrection } from '../_shared/data/usage-corrections';
import { explainCorrection } from '../_shared/domain/usage-correction';

const kind = v.optional(v.picklist(['quick', 'realtime'], 'must be "quick" or "realtime"'), 'quick');
const ALERT_DAYS = 30;

function packView({ pack, used, status }: PackUsage<QuotaPackDoc>, exempt = false) {
  const unit = unitPrice(pack);
  return {
    id: pack.id,
    source: pack.source,
    calls: pack.calls,
    used,
    startsAt: pack.startsAt,
    expiresAt: pack.expiresAt,
    status,
    priceYuan: pack.priceFen === null ? null : fenToYuan(pack.priceFen),
    /** What one of its calls costs: its price ÷ its calls (the trial 0; no price recorded: the list price, `priceEstimated`). */
    perCallYuan: perCallYuan(exempt ? fenOf(0) : unit.perCall),
    priceEstimated: !exempt && unit.estimate,
    /** What the calls drawn from it cost, rounded once. */
    usedCostYuan: fenToYuan(exempt ? 0 : roundFen(timesFen(unit.perCall, used))),
    note: pack.note,
  };
}

export const quotaStatus = route(v.object({ kind }), async ({ kind }) => {
  const at = now();
  const [quota, reconciliation, correction, alerts, settings] = await Promise.all([
    loadQuota(kind, at),
    loadReconciliation(kind),
    loadCorrection(chinaMonth(at), kind),
    recentAlerts(kind, new Date(at.getTime() - ALERT_DAYS * DAY_MS)),
    loadSettings(),
  ]);
  const exempt = settings.feeExempt;
  const outlook = forecast(quota.state, quota.history, at);
  const recommendation = exempt ? null : recommend(catalogue(packCatalogueOverride()), kind, quota.state, outlook.monthlyAverage, at);
  // Calls beyond current packs are priced as the advice would buy them; with nothing to advise, at the list price.
  const beyond = recommendation ? fenOf(yuanToFen(recommendation.priceYuan), recommendation.calls) : fenOf(PRICE_FEN[kind]);
  return {
    kind,
    feeExempt: exempt,
    remaining: quota.state.remaining,
    packs: quota.state.packs.map((p) => packView(p, exempt)),
    forecast: {
      ...outlook,
      // Exempt: WeChat does not stop the button for want of a pack.
      exhaustsOn: exempt ? null : outlook.exhaustsOn,
      monthlyCostYuan: exempt ? '0.00' : fenToYuan(roundFen(monthlyCost(quota.state, outlook.monthlyAverage, at, beyond))),
    },
    recommendation,
    /** All of this kind's calls so far: what they cost and what they would have cost at the list price. */
    cost: costFigures(costOfDays(quota.state, kind, () => true, exempt)),
    reconciliation: reconciliation && {
      at: reconciliation.at,
      wechatUsed: reconciliation.wechatUsed,
      localCharges: reconciliation.localCharges,
      difference: reconciliation.difference,
      wechatRemaining: reconciliation.wechatRemaining,
      /**
       * This China month's correction (docs/quota.md): shown beside the counted figures,
       * never folded into calls, cost or the quota ledger. Null before cron booked one.
       */
      correction: correction && {
        month: correction.month,
        count: correction.count,
        wechatUsed: correction.wechatUsed,
        localCounted: correction.localCounted,
        unknownRecords: correction.unknownRecords,
        at: correction.at,
        explanation: explainCorrection(correction),
      },
    },
    alerts: alerts.map((a) => ({
      id: a._id,
      at: a.at,
      kind: a.kind,
      type: a.type,
      message: a.message,
      remaining: a.remaining,
      daysLeft: a.daysLeft,
    })),
    /** Charges no recorded pack covers: a sign a purchased pack is missing from the ledger. */
    uncovered: quota.state.uncovered,
  };
});

const addPackInput = v.object({
  calls: positiveCount,
  validityDays: v.pipe(
    v.number('must be a number'),
    v.integer('must be a whole number'),
    v.minValue(1, 'must be positive'),
    v.maxValue(3650, 'can be at most 3650 days'),
  ),
  kind,
  startsAt: v.optional(startDate),
  priceYuan: v.optional(v.nullable(yuanAmount)),
  source: v.optional(v.picklist(['self', 'provider'], 'must be "self" or "provider"'), 'self'),
  note: v.optional(v.nullable(v.pipe(v.string('must be text'), v.trim(), v.maxLength(200, 'can be at most 200 characters')))),
  /**
   * Required, as for provider `assign`: the same key records the pack once, however often
   * it is sent (without one, a retried form recorded one WeChat pack twice).
   */
  idempotencyKey,
  /** WeChat's id of the package (usage API `pkgId`): the record is linked to it, and a second record of it is refused. */
  pkgId: v.optional(
    v.pipe(v.string('must be a string'), v.trim(), v.regex(/^[0-9A-Za-z_-]{1,64}$/, "must be WeChat's package id (pkgId)")),
  ),
});

/** The pack id for an idempotency key: the same key always names the same pack. */
const packIdFor = (key: string) => `pack-${createHash('sha256').update(`pack:${key}`, 'utf8').digest('hex').slice(0, 24)}`;

export const addPack = route(addPackInput, async (input, { caller, log }) => {
  const by = caller.openid;
  const at = now();
  const start = input.startsAt ?? at;
  // Linked to WeChat's package: the id cron gives that package (`wx-<pkgId>`), so the
  // database itself refuses a second record of it, whoever sends it with whatever key.
  const id = input.pkgId ? `wx-${input.pkgId}` : packIdFor(input.idempotencyKey);
  const keyHash = packIdFor(input.idempotencyKey);
  const fields = {
    kind: input.kind,
    source: input.source,
    calls: input.calls,
    startsAt: start,
    expiresAt: new Date(start.getTime() + input.validityDays * DAY_MS),
    priceFen: input.priceYuan == null ? null : yuanToFen(input.priceYuan),
    // Free text: no phone number gets stored through it.
    note: input.note ? scrubDigits(input.note) : null,
    createdBy: by,
    at,
    id,
    wechatPkgId: input.pkgId ?? null,
    idempotencyKeyHash: keyHash,
  };
  const pack = await insertPack(fields).catch(async (err: unknown) => {
    if (!isDuplicateKey(err)) throw err;
    // Sent before (a retry, a double tap): answer with the pack the key recorded.
    const existing = (await listPacks(input.kind)).find((p) => p._id === id);
    if (input.pkgId && existing && existing.idempotencyKeyHash !== keyHash)
      throw new AppError(
        'CONFLICT',
        `WeChat package ${input.pkgId} is already recorded (pack ${id}); set its price with quota.setPrice instead.`,
      );
    const same =
      existing &&
      existing.calls === fields.calls &&
      existing.source === fields.source &&
      existing.priceFen === fields.priceFen &&
      (existing.note ?? null) === fields.note &&
      (existing.expiresAt?.getTime() ?? 0) - existing.startsAt.getTime() === input.validityDays * DAY_MS &&
      (!input.startsAt || existing.startsAt.getTime() === input.startsAt.getTime());
    if (!same) throw new AppError('CONFLICT', 'This idempotencyKey was already used for another pack; use a new key for a new pack.');
    return existing;
  });
  log.info({ by, kind: pack.kind, calls: pack.calls });
  return packView({ pack, used: 0, status: statusAt(pack, 0, at) });
});

/**
 * `quota.setPrice { id, priceYuan }`: what a pack cost, e.g. what a service provider
 * charged for a pack it assigned (0 until recorded) or the price of a pack found by
 * reconciliation. Its calls are priced by it from then on; audited. The trial is free.
 */
const setPriceInput = v.object({
  id: v.pipe(v.string('must be a pack id'), v.trim(), v.minLength(1, 'must be a pack id'), v.maxLength(100, 'is not a pack id')),
  priceYuan: v.nullable(yuanAmount),
});

export const setPrice = route(setPriceInput, async ({ id, priceYuan }, { caller, log }) => {
  const by = caller.openid;
  if (id.startsWith('trial-')) throw new AppError('INVALID_ARGUMENT', 'id: the trial is free; its price cannot be set', { field: 'id' });
  const at = now();
  const pack = await setPackPrice(id, priceYuan === null ? null : yuanToFen(priceYuan), by, at);
  if (!pack) throw new AppError('NOT_FOUND', `id: no pack "${id}"`, { field: 'id' });
  log.info({ by, pack: id });
  const quota = await loadQuota(pack.kind, at);
  const row = quota.state.packs.find((p) => p.pack.id === id);
  return packView(row ?? { pack, used: 0, status: statusAt(pack, 0, at) });
});
