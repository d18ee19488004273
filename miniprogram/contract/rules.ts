/**
 * Rules the mini program and the cloud functions both apply, declared once. They live
 * here because WeChat DevTools compiles nothing outside `miniprogram/`; the functions
 * import them (esbuild reaches this folder). Plain values only: no `wx`, no Node.
 */

/** China time is UTC+8 all year (no daylight saving): the days and months WeChat's console counts usage in. */
export const CHINA_OFFSET_MS = 8 * 60 * 60 * 1000;

/** Mainland mobile numbers: 11 digits starting 1[3-9]. Other regions use the paid button. */
export const MAINLAND_MOBILE = /^1[3-9]\d{9}$/;

/** WeChat's appid form: "wx" + 16 lowercase hex digits. */
export const APPID_PATTERN = /^wx[0-9a-f]{16}$/;

/** Phone button errno 1400001: the mini program's quota is used up (documented). */
export const ERRNO_NO_QUOTA = 1400001;
/** Phone button errno 104: the user has not agreed to the privacy guide (community). */
export const ERRNO_PRIVACY_NOT_AGREED = 104;
/** Phone button errno 112: phone numbers are not declared in the privacy guide; WeChat disables the button (community). */
export const ERRNO_PRIVACY_UNDECLARED = 112;
/**
 * The phone button's errnos the server stores (docs/wechat.md); any other number rides in
 * errMsg's text, since a free-form number is how a phone number got stored as an "errno".
 */
export const PHONE_BUTTON_ERRNOS: readonly number[] = [ERRNO_NO_QUOTA, ERRNO_PRIVACY_NOT_AGREED, ERRNO_PRIVACY_UNDECLARED];

/**
 * The errcodes the functions record when WeChat gave none (e.g. an assignment's
 * `wechatErrcode`): no answer in time, or no connection. WeChat's own are ≥ -1.
 */
export const WECHAT_TIMEOUT = -2;
export const WECHAT_NETWORK = -3;
