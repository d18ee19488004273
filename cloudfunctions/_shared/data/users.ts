/** `users/<openid>`: the only collection that holds a raw phone number. */
import { db } from '../cloud';
import { isDuplicateKey } from './errors';
import { now } from '../clock';
import type { PhoneKind } from '../domain/settings';

export interface VerifiedPhone {
  /** As WeChat gives it: with the country prefix for foreign numbers. */
  phoneNumber: string;
  purePhoneNumber: string;
  countryCode: string;
  kind: PhoneKind;
  verifiedAt: Date;
}

export interface UserDoc {
  _id: string;
  /** Owner field the security rules compare with `auth.openid`. */
  _openid: string;
  appid: string | null;
  createdAt: Date;
  updatedAt: Date;
  phone: VerifiedPhone | null;
}

const users = () => db.collection<UserDoc>('users');

export async function findUser(openid: string): Promise<UserDoc | null> {
  const res = await users().doc(openid).get();
  return (res.data as UserDoc | null | undefined) ?? null;
}

/** Reads the user, creating the record on first sight. Safe under concurrent first calls. */
export async function ensureUser(openid: string, appid: string | null): Promise<UserDoc> {
  const existing = await findUser(openid);
  if (existing) return existing;
  const at = now();
  const doc: UserDoc = { _id: openid, _openid: openid, appid, createdAt: at, updatedAt: at, phone: null };
  try {
    await users().add({ data: doc });
    return doc;
  } catch (err) {
    // Another request created it between our read and insert: theirs is as good as ours.
    if (!isDuplicateKey(err)) throw err;
  }
  const created = await findUser(openid);
  if (!created) throw new Error('user record vanished right after it was created');
  return created;
}
