/**
 * Why the paid phone button is hidden (auth.session's `phoneLogin.hiddenBecause`), in
 * the user's words. Pure data with no wx import: the emulator's console shows the same
 * words when it plays a user.
 */
import type { HiddenBecause } from '../contract';

export const HIDDEN_BECAUSE_TEXT: Record<HiddenBecause, string> = {
  'already-bound': '已绑定手机号',
  disabled: '商家暂未开启手机号快捷登录，可以用微信身份继续',
  'quota-exhausted': '手机号快捷登录暂时不可用，可以用微信身份继续',
  'budget-reached': '手机号快捷登录暂时不可用，可以用微信身份继续',
  'daily-cap-reached': '今天的手机号快捷登录名额已用完，可以用微信身份继续',
};
