/** WeChat errcodes more than one caller reacts to. Pure: no SDK. */

/** The access token was rejected: invalid, invalid (another form), expired. Fetch a new one. */
export const TOKEN_REJECTED: readonly number[] = [40001, 40014, 42001];

/** The phone button's errnos `reportPhoneEvent` stores: declared with the mini program, which sends them. */
export { PHONE_BUTTON_ERRNOS } from '../../../miniprogram/contract';
