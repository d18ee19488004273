/**
 * `provider_merchants/<appid>`: the provider's fleet — every merchant mini program it
 * assigned to or an admin added — with each component's last usage reading
 * (domain/provider-fleet.ts). `authorizerRefreshToken` (a third-party platform's, for
 * the merchant's usage API) is a secret: it is never answered, logged or put in an error.
 */
import { db, command as _ } from '../runtime/cloud';
import { isDuplicateKey } from '../runtime/db-errors';
import { EMPTY_READING, FLEET_KINDS, type KindReading } from '../domain/provider-fleet';
import type { PhoneKind } from '../domain/settings';

export interface MerchantDoc {
  _id: string;
  /** The admin who added it by appid; null when it joined by being assigned to. */
  addedBy: string | null;
  addedAt: Date;
  readings: Record<PhoneKind, KindReading>;
  authorizerRefreshToken?: string | null;
}

const merchants = () => db.collection<MerchantDoc>('provider_merchants');

const reviveReading = (r: KindReading | undefined): KindReading =>
  r
    ? { ...r, checkedAt: r.checkedAt ? new Date(r.checkedAt) : null, samples: (r.samples ?? []).map((s) => ({ ...s, at: new Date(s.at) })) }
    : { ...EMPTY_READING };

const revive = (doc: MerchantDoc): MerchantDoc => ({
  ...doc,
  addedAt: new Date(doc.addedAt),
  readings: { quick: reviveReading(doc.readings?.quick), realtime: reviveReading(doc.readings?.realtime) },
});

/** The whole fleet (a provider serves dozens to hundreds of merchants; 1000 is the cap). */
export async function listMerchants(): Promise<MerchantDoc[]> {
  const { data } = await merchants().orderBy('_id', 'asc').limit(1000).get();
  return data.map(revive);
}

export async function findMerchant(appid: string): Promise<MerchantDoc | null> {
  const { data } = await merchants().doc(appid).get();
  return data ? revive(data) : null;
}

/** Adds a merchant to the fleet if it is not there; true when it was added now. */
export async function ensureMerchant(appid: string, at: Date, addedBy: string | null): Promise<boolean> {
  const readings = Object.fromEntries(FLEET_KINDS.map((k) => [k, { ...EMPTY_READING }])) as Record<PhoneKind, KindReading>;
  try {
    await merchants().add({ data: { _id: appid, addedBy, addedAt: at, readings, authorizerRefreshToken: null } });
    return true;
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}

/** Stores a reading of one component (the whole reading: figures, error, samples). */
export async function saveReading(appid: string, kind: PhoneKind, reading: KindReading): Promise<void> {
  await merchants()
    .doc(appid)
    .update({ data: { [`readings.${kind}`]: _.set(reading) } });
}

/** Stores the third-party platform's refresh token for the merchant (WeChat may hand out a new one with each authorizer token). */
export async function saveAuthorizerRefreshToken(appid: string, token: string): Promise<void> {
  await merchants()
    .doc(appid)
    .update({ data: { authorizerRefreshToken: token } });
}
