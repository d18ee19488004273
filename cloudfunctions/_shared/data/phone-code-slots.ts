/**
 * `phone_code_slots/<openid>:<day>`: the invalid-code limit, made atomic. Before a new
 * code goes to WeChat its sender takes a slot with one conditional increment (`taken`
 * below the limit); a code WeChat did not refuse gives its slot back, a refused one
 * keeps it. So `taken` is the user's refusals today plus codes in flight, and 40
 * concurrent junk codes get at most the limit's worth of exchanges — a check of the
 * refusals alone lets every one of them through while none has been refused yet.
 *
 * A slot that is never given back (the release failed on every try, or the function
 * died in between) would count against the user until midnight, so each take stamps
 * `takenAt`: once the last take is older than any request can live, nothing is in
 * flight, and `taken` above the user's refusals is repaired down to them.
 */
import { db, command as _ } from '../runtime/cloud';
import { isDuplicateKey } from '../runtime/db-errors';

interface SlotDoc {
  _id: string;
  openid: string;
  day: string;
  taken: number;
  /** The last take (absent on documents made before the repair existed). */
  takenAt?: Date;
}

const slots = () => db.collection<SlotDoc>('phone_code_slots');

export interface CodeSlot {
  id: string;
}

/**
 * Takes a slot for a new code, or null when the user's slots for the day are all
 * taken. `firstToday`: the user has no refusal today, so the day's document most
 * likely does not exist yet — one insert instead of a missed update and an insert.
 */
export async function takeCodeSlot(openid: string, day: string, limit: number, firstToday: boolean, at: Date): Promise<CodeSlot | null> {
  const id = `${openid}:${day}`;
  const create = async () => {
    try {
      await slots().add({ data: { _id: id, openid, day, taken: 1, takenAt: at } });
      return true;
    } catch (err) {
      // It exists: full, or made by a concurrent request (the conditional increment decides).
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  };
  if (firstToday && (await create())) return { id };
  for (let round = 1; round <= 2; round++) {
    const res = await slots()
      .where({ _id: id, taken: _.lt(limit) })
      .update({ data: { taken: _.inc(1), takenAt: at } });
    if (res.stats.updated === 1) return { id };
    if (!(await create())) continue;
    return { id };
  }
  return null;
}

/** Gives a slot back: its code was a replay, or WeChat did not refuse it. */
export async function releaseCodeSlot(slot: CodeSlot): Promise<void> {
  await slots()
    .where({ _id: slot.id, taken: _.gt(0) })
    .update({ data: { taken: _.inc(-1) } });
}

/**
 * Gives back the slots no request holds any more: when the day's last take is no later
 * than `quietSince` (every request that took one has ended), `taken` becomes the user's
 * `refusals` today. A compare-and-set on what was read, so a take meanwhile wins. True
 * when it freed a slot.
 */
export async function repairCodeSlots(openid: string, day: string, refusals: number, quietSince: Date): Promise<boolean> {
  const id = `${openid}:${day}`;
  const { data } = await slots().where({ _id: id }).get();
  const slot = data[0];
  if (!slot || slot.taken <= refusals) return false;
  if (slot.takenAt && new Date(slot.takenAt).getTime() > quietSince.getTime()) return false;
  const res = await slots()
    .where({ _id: id, taken: slot.taken, takenAt: slot.takenAt ? new Date(slot.takenAt) : _.exists(false) })
    .update({ data: { taken: refusals } });
  return res.stats.updated === 1;
}
