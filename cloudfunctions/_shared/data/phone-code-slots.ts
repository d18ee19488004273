/**
 * `phone_code_slots/<openid>:<day>`: the invalid-code limit, made atomic. Before a new
 * code goes to WeChat its sender takes a slot with one conditional increment (`taken`
 * below the limit); a code WeChat did not refuse gives its slot back, a refused one
 * keeps it. So `taken` is the user's refusals today plus codes in flight, and 40
 * concurrent junk codes get at most the limit's worth of exchanges — a check of the
 * refusals alone lets every one of them through while none has been refused yet.
 */
import { db, command as _ } from '../runtime/cloud';
import { isDuplicateKey } from '../runtime/db-errors';

const slots = () => db.collection('phone_code_slots');

export interface CodeSlot {
  id: string;
}

/**
 * Takes a slot for a new code, or null when the user's slots for the day are all
 * taken. `firstToday`: the user has no refusal today, so the day's document most
 * likely does not exist yet — one insert instead of a missed update and an insert.
 */
export async function takeCodeSlot(openid: string, day: string, limit: number, firstToday: boolean): Promise<CodeSlot | null> {
  const id = `${openid}:${day}`;
  const create = async () => {
    try {
      await slots().add({ data: { _id: id, openid, day, taken: 1 } });
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
      .update({ data: { taken: _.inc(1) } });
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
