/** `users/<openid>`: the only collection that holds a raw phone number. */
import { db, command as _ } from '../runtime/cloud';
import { isDuplicateKey } from '../runtime/db-errors';
import { now } from '../runtime/clock';
import type { PhoneKind } from '../domain/settings';

export interface VerifiedPhone {
  /** As WeChat gives it: with the country prefix for foreign numbers. */
  phoneNumber: string;
  purePhoneNumber: string;
  countryCode: string;
  kind: PhoneKind;
  verifiedAt: Date;
  /** The charge (phone_charges id) that paid for this number. */
  chargeId: string;
  /**
   * Whether that charge's usage_daily increment went through: kept here too, because
   * this write is the one a bind never skips, so cron can finish a charge record
   * whose own update failed without counting it twice.
   */
  counted?: boolean;
}

/**
 * The phone buttons the server told this user to show (auth.session): what WeChat bills
 * for. `kind`/`at`: the latest offer. `kinds`: when each kind was last offered — a user
 * with two phones (one too old for the real-time button) is offered both (absent on
 * records written before it: then only `kind` was offered).
 */
export interface PhoneOffer {
  kind: PhoneKind;
  at: Date;
  kinds?: Partial<Record<PhoneKind, Date>>;
}

/** Codes WeChat refused for this user on one China-time day (the invalid-code limit). */
export interface CodeFailures {
  day: string;
  count: number;
  /** When this user was first refused for the limit that day (stored once). */
  limitedAt: Date | null;
  /**
   * The records (phone_charges ids) WeChat refused that day: at most about the limit,
   * so bounded. Lets cron finish a refused record whose own update was lost.
   */
  refused?: string[];
  /**
   * Records WeChat answered without looking at the code (busy twice, 45011) whose own
   * update was lost, with the lease that request held: lets cron end them as retriable
   * and uncounted instead of taking them for abandoned (an unknown outcome, counted).
   */
  untouched?: Array<{ id: string; leaseUntil: Date }>;
}

/** A number the user typed in the free fallback. Never verified, never shown as such. */
export interface ManualPhone {
  number: string;
  enteredAt: Date;
}

export interface UserDoc {
  _id: string;
  /** Owner field the security rules compare with `auth.openid`. */
  _openid: string;
  appid: string | null;
  createdAt: Date;
  updatedAt: Date;
  phone: VerifiedPhone | null;
  manualPhone?: ManualPhone | null;
  phoneOffer?: PhoneOffer | null;
  codeFailures?: CodeFailures | null;
}

const users = () => db.collection<UserDoc>('users');

export async function findUser(openid: string): Promise<UserDoc | null> {
  const res = await users().doc(openid).get();
  return (res.data as UserDoc | null | undefined) ?? null;
}

/** Creates a user just read as missing (with `fields`); a concurrent creator's record wins. */
export async function createUser(openid: string, appid: string | null, fields: Partial<UserDoc> = {}): Promise<UserDoc> {
  const at = now();
  const doc: UserDoc = { _id: openid, _openid: openid, appid, createdAt: at, updatedAt: at, phone: null, ...fields };
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

/**
 * Writes fields on the user, creating the record if the user never opened a session
 * (a bind can arrive first when the launch call failed).
 */
export async function updateUser(openid: string, appid: string | null, fields: Partial<UserDoc>): Promise<void> {
  const at = now();
  const res = await users()
    .doc(openid)
    .update({ data: { ...replacing(fields), updatedAt: at } });
  if (res.stats.updated === 1) return;
  try {
    await users().add({ data: { _id: openid, _openid: openid, appid, createdAt: at, phone: null, ...fields, updatedAt: at } });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    await users()
      .doc(openid)
      .update({ data: { ...replacing(fields), updatedAt: now() } });
  }
}

/**
 * The SDK turns nested objects in `update` into dot paths (`phone.phoneNumber`), which
 * MongoDB refuses under a field that is null (every new user's `phone`). `_.set`
 * replaces the whole value instead, which is also what a new number means.
 */
function replacing(fields: Partial<UserDoc>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    out[key] = value !== null && typeof value === 'object' && !(value instanceof Date) ? _.set(value) : value;
  }
  return out;
}

/**
 * The notes on a user that let a replay or cron finish a record whose own update was
 * lost (`refused`, `untouched`) are never overwritten: a new day resets the count and
 * the day but keeps the lists, so a refusal noted at 23:59:40 still settles its record
 * after the next day's first refusal. Each list keeps its last NOTE_KEEP entries —
 * many days at the limit, while cron settles a record within the hour.
 */
const NOTE_KEEP = 50;
const append = (entry: unknown) => _.push({ each: [entry], slice: -NOTE_KEEP });

/**
 * Adds a note to the user's codeFailures, atomically whatever else writes them: today's
 * record updated in place; another day's (or none) turned into today's with one
 * conditional update; no user yet created with it. A concurrent writer that changed
 * the day in between sends the loop round again.
 */
async function addNote(openid: string, appid: string | null, fresh: CodeFailures, lists: Record<string, unknown>): Promise<void> {
  const { day, count } = fresh;
  const today = count ? { ...lists, 'codeFailures.count': _.inc(count) } : lists;
  for (let round = 1; ; round++) {
    const at = now();
    const same = await users()
      .where({ _id: openid, 'codeFailures.day': day })
      .update({ data: { ...today, updatedAt: at } });
    if (same.stats.updated === 1) return;
    const rolled = await users()
      .where({ _id: openid, 'codeFailures.day': _.neq(day) })
      .update({
        data: { 'codeFailures.day': day, 'codeFailures.count': count, 'codeFailures.limitedAt': null, ...lists, updatedAt: at },
      });
    if (rolled.stats.updated === 1) return;
    try {
      await users().add({ data: { _id: openid, _openid: openid, appid, createdAt: at, updatedAt: at, phone: null, codeFailures: fresh } });
      return;
    } catch (err) {
      // Created meanwhile (by session or another note): update it on the next round.
      if (!isDuplicateKey(err) || round >= 3) throw err;
    }
  }
}

/**
 * One more code WeChat refused for this user today, and which record (creates the user
 * if needed). `chargeId` null: the record is not this user's to finish as refused (a
 * stranger refused on a record that went back to its first sender).
 */
export async function noteCodeFailure(openid: string, appid: string | null, day: string, chargeId: string | null): Promise<void> {
  const refused = chargeId ? [chargeId] : [];
  await addNote(openid, appid, { day, count: 1, limitedAt: null, refused }, chargeId ? { 'codeFailures.refused': append(chargeId) } : {});
}

/** A record WeChat did not look at (busy, 45011) whose update was lost, and the lease its request held. */
export async function noteUntouched(openid: string, appid: string | null, day: string, chargeId: string, leaseUntil: Date): Promise<void> {
  const entry = { id: chargeId, leaseUntil };
  const fresh = { day, count: 0, limitedAt: null, refused: [], untouched: [entry] };
  await addNote(openid, appid, fresh, { 'codeFailures.untouched': append(entry) });
}

/** Records, once per day, that this user was refused for the invalid-code limit. */
export async function noteCodeLimit(openid: string, day: string, at: Date): Promise<boolean> {
  const res = await users()
    .where({ _id: openid, 'codeFailures.day': day, 'codeFailures.limitedAt': null })
    .update({ data: { 'codeFailures.limitedAt': at } });
  return res.stats.updated === 1;
}
