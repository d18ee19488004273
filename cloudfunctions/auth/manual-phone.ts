/**
 * `auth.setManualPhone { phone }`: the free fallback. A user who skips (or cannot use)
 * WeChat's paid button may type a contact number. It is stored apart from the
 * verified phone, marked unverified, and never shown or counted as verified.
 * `{ phone: null }` removes it.
 */
import * as v from 'valibot';
import { route } from '../_shared/runtime/router';
import { now } from '../_shared/runtime/clock';
import { maskPhone } from '../_shared/domain/phone';
import { updateUser } from '../_shared/data/users';
import { MAINLAND_MOBILE } from '../../miniprogram/contract';

const input = v.object({
  phone: v.nullable(
    v.pipe(
      v.string('phone must be a string'),
      v.transform((s) => s.replace(/[\s-]/g, '')),
      v.regex(MAINLAND_MOBILE, 'phone must be an 11-digit mainland mobile number'),
    ),
  ),
});

export const setManualPhone = route(input, async ({ phone }, { caller }) => {
  const openid = caller.openid;
  await updateUser(openid, caller.appid, { manualPhone: phone ? { number: phone, enteredAt: now() } : null });
  return { manualPhoneMasked: phone ? maskPhone(phone) : null, verified: false };
});
