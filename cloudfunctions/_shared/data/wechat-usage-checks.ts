/**
 * `wechat_usage_checks/<kind>`: WeChat's own count of what is left of a kind, asked at
 * most once a minute across every container. A no-quota report is a claim anyone can
 * make; WeChat's usage API settles it, but each question costs an API call (and an
 * access token), so the first report in a minute claims the right to ask (a conditional
 * write only one caller wins), and the others use its answer.
 */
import { db, command as _ } from '../runtime/cloud';
import type { PhoneKind } from '../domain/settings';
import type { WechatCount } from '../domain/no-quota';
import { isDuplicateKey } from '../runtime/db-errors';

interface UsageCheck {
  _id: PhoneKind;
  askedAt: Date;
  /** all − effectiveUse as WeChat answered; null while asking, or when the question failed. */
  remaining: number | null;
  failed: boolean;
}

const CACHE_MS = 60_000;
const checks = () => db.collection<UsageCheck>('wechat_usage_checks');

async function claim(kind: PhoneKind, seen: UsageCheck | undefined, at: Date): Promise<boolean> {
  const fresh = { askedAt: at, remaining: null, failed: false };
  if (!seen) {
    try {
      await checks().add({ data: { _id: kind, ...fresh } });
      return true;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }
  const res = await checks()
    .where({ _id: kind, askedAt: _.eq(seen.askedAt) })
    .update({ data: fresh });
  return res.stats.updated === 1;
}

/** WeChat's remaining count of `kind`, from this minute's answer or by asking (`ask`) if nobody has. */
export async function wechatRemaining(kind: PhoneKind, at: Date, ask: () => Promise<number>): Promise<WechatCount> {
  const { data } = await checks().where({ _id: kind }).get();
  const seen = data[0];
  if (seen && at.getTime() - new Date(seen.askedAt).getTime() < CACHE_MS) {
    if (seen.remaining !== null) return { state: 'answered', remaining: seen.remaining };
    return seen.failed ? { state: 'unavailable', why: 'the usage API failed within the last minute' } : { state: 'asking' };
  }
  if (!(await claim(kind, seen, at))) return { state: 'asking' };
  let remaining: number;
  try {
    remaining = await ask();
  } catch (err) {
    await checks()
      .doc(kind)
      .update({ data: { failed: true } });
    return { state: 'unavailable', why: err instanceof Error ? err.message : String(err) };
  }
  await checks().doc(kind).update({ data: { remaining } });
  return { state: 'answered', remaining };
}
