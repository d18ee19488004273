/**
 * `quota_packs`: the trial (created on first need, `_id` "trial-<kind>" so it exists
 * once), packs an admin records, packs a provider assigned, and packs found in WeChat's
 * usage API (`_id` "wx-<pkgId>", unless they match one already recorded).
 */
import { db } from '../runtime/cloud';
import { chinaDayStart } from '../domain/china-time';
import type { Pack, PackSource } from '../domain/quota-ledger';
import type { PhoneKind } from '../domain/settings';
import { isDuplicateKey } from '../runtime/db-errors';
import { writeAudit, type AuditEntry } from './settings-audit';

export interface QuotaPackDoc extends Pack {
  _id: string;
  priceFen: number | null;
  note: string | null;
  createdAt: Date;
  /** An admin's openid, "system" (the trial) or "wechat" (reconciliation). */
  createdBy: string;
  /** The package in WeChat's usage API this pack is: given when recorded, or once reconciliation has seen it. */
  wechatPkgId: string | null;
  /** Hash of the admin's idempotency key (absent on older records, the trial and reconciliation's). */
  idempotencyKeyHash?: string | null;
}

const packs = () => db.collection<QuotaPackDoc>('quota_packs');

/** Documents come back with `id` unset; the ledger wants it. */
const withId = (doc: QuotaPackDoc): QuotaPackDoc => ({
  ...doc,
  id: doc._id,
  startsAt: new Date(doc.startsAt),
  expiresAt: doc.expiresAt ? new Date(doc.expiresAt) : null,
});

const trialId = (kind: PhoneKind) => `trial-${kind}`;

/** A kind's packs (a handful: one read). */
export async function listPacks(kind: PhoneKind): Promise<QuotaPackDoc[]> {
  const { data } = await packs().where({ kind }).limit(1000).get();
  return data.map(withId);
}

/** The trial as it would be stored: from the first charge we know of (or now), never expiring, free. */
export function trialPack(kind: PhoneKind, calls: number, firstDay: string | null, at: Date): QuotaPackDoc {
  const startsAt = firstDay ? chinaDayStart(firstDay) : at;
  return {
    _id: trialId(kind),
    id: trialId(kind),
    kind,
    source: 'trial',
    calls,
    startsAt,
    expiresAt: null,
    priceFen: 0,
    note: null,
    createdAt: at,
    createdBy: 'system',
    wechatPkgId: null,
  };
}

/** Every pack of both kinds (a handful: one read). */
export async function listAllPacks(): Promise<QuotaPackDoc[]> {
  const { data } = await packs().limit(1000).get();
  return data.map(withId);
}

/**
 * Creates the kind's trial if it does not exist yet. It starts with the first charge
 * we know of (or now), and never expires.
 */
export async function ensureTrial(kind: PhoneKind, calls: number, firstDay: string | null, at: Date): Promise<QuotaPackDoc> {
  const doc = trialPack(kind, calls, firstDay, at);
  try {
    const { id: _omit, ...stored } = doc;
    await packs().add({ data: stored });
    return doc;
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    const existing = (await packs().doc(doc._id).get()).data;
    return existing ? withId(existing) : doc;
  }
}

/** A pack to insert (not the contract's `NewPack`, which is what an admin types in quota.addPack). */
interface PackToInsert {
  kind: PhoneKind;
  source: Exclude<PackSource, 'trial'>;
  calls: number;
  startsAt: Date;
  expiresAt: Date | null;
  priceFen: number | null;
  note: string | null;
  createdBy: string;
  at: Date;
  wechatPkgId?: string | null;
  /** A fixed id (WeChat packages); default: generated. */
  id?: string;
  /** The admin's idempotency key, hashed: tells a retry of this record from another record of the same package. */
  idempotencyKeyHash?: string | null;
}

export async function insertPack(pack: PackToInsert): Promise<QuotaPackDoc> {
  const fields = {
    kind: pack.kind,
    source: pack.source,
    calls: pack.calls,
    startsAt: pack.startsAt,
    expiresAt: pack.expiresAt,
    priceFen: pack.priceFen,
    note: pack.note,
    createdAt: pack.at,
    createdBy: pack.createdBy,
    wechatPkgId: pack.wechatPkgId ?? null,
    idempotencyKeyHash: pack.idempotencyKeyHash ?? null,
  };
  const { _id } = await packs().add({ data: pack.id ? { _id: pack.id, ...fields } : fields });
  return withId({ _id, id: _id, ...fields } as QuotaPackDoc);
}

/** Brings a recorded pack in line with WeChat's figures for it. */
export async function linkPack(
  id: string,
  fields: { wechatPkgId: string; calls: number; startsAt: Date; expiresAt: Date | null },
): Promise<void> {
  await packs().doc(id).update({ data: fields });
}

/**
 * Records what a pack cost (fen; null: not known), with an audit entry in the same
 * transaction: the price decides what its calls cost. null when there is no such pack.
 */
export async function setPackPrice(id: string, priceFen: number | null, by: string, at: Date): Promise<QuotaPackDoc | null> {
  return db.runTransaction(async (tx) => {
    const doc = (await tx.collection<QuotaPackDoc>('quota_packs').doc(id).get()).data;
    if (!doc) return null;
    const pack = withId({ ...doc, _id: id });
    if (pack.priceFen === priceFen) return pack;
    await tx.collection('quota_packs').doc(id).update({ data: { priceFen } });
    const entry: AuditEntry = {
      at,
      by,
      field: `quota_packs.${id}.priceYuan`,
      from: pack.priceFen === null ? null : pack.priceFen / 100,
      to: priceFen === null ? null : priceFen / 100,
      note: null,
    };
    await writeAudit(tx, entry);
    return { ...pack, priceFen };
  });
}
