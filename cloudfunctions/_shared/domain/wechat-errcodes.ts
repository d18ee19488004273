/** WeChat errcodes more than one caller reacts to. Pure: no SDK. */

/** The access token was rejected: invalid, invalid (another form), expired. Fetch a new one. */
export const TOKEN_REJECTED: readonly number[] = [40001, 40014, 42001];

/**
 * The errnos the phone button reports that we act on or count (docs/wechat.md): 1400001
 * no quota (documented), 104 privacy not agreed and 112 phone not declared in the
 * privacy guide (community). `reportPhoneEvent` stores no other: a free-form number is
 * how a phone number got stored as an "errno".
 */
export const PHONE_BUTTON_ERRNOS: readonly number[] = [1400001, 104, 112];
