/**
 * `POST /console/api/play`: the mini program's phone button (components/quick-login)
 * played for one user, step by step, through the real functions and WeChat's sandbox.
 */
import { createHash } from 'node:crypto';
import type { Envelope, OutputOf, PhoneKind } from '../../miniprogram/contract';
import { HIDDEN_BECAUSE_TEXT } from '../../miniprogram/services/hidden-because';
import type { Emulator } from '../../packages/cloudbase-emulator/src/emulator';
import type { ConsoleCall } from '../../packages/cloudbase-emulator/src/console/api';
import { callFunction, HttpError, textField } from '../../packages/cloudbase-emulator/src/console/plugin';
import type { ConsolePlay, PlayStep } from './api';

const MAINLAND_MOBILE = /^1[3-9]\d{9}$/;

/** A stable pretend number per openid, so "the same user" taps with the same phone. */
function numberFor(openid: string): string {
  const digits = BigInt(`0x${createHash('sha256').update(openid).digest('hex').slice(0, 15)}`)
    .toString()
    .padStart(8, '0')
    .slice(-8);
  return `138${digits}`;
}

type Session = OutputOf<'auth', 'session'>;

/** What auth.session told the app about the button; null when the session failed (the app then shows no paid button). */
function phoneLoginOf(session: ConsoleCall): Session['phoneLogin'] | null {
  const envelope = session.result as Envelope<Session> | undefined;
  return envelope?.ok ? envelope.data.phoneLogin : null;
}

/**
 * Plays the mini program's phone button for one user (components/quick-login). A tap
 * opens the app first (auth.session) and honours its answer: a hidden button is not
 * tapped, and a shown one is the component the session names. With quota left the tap
 * mints a code (WeChat charges) and sends it to auth.bindPhone; without, the button
 * fails with errno 1400001 and the client reports it. `attacker-tap` taps whatever the
 * app shows, as a modified client could: WeChat bills that code too, which is what the
 * server's checks are for. A denial is reported as such.
 */
export async function play(emu: Emulator, body: Record<string, unknown>): Promise<ConsolePlay> {
  const openid = textField(body.openid, 'openid')!;
  const action = body.action;
  const claimedKind = body.kind === undefined ? 'quick' : body.kind;
  if (claimedKind !== 'quick' && claimedKind !== 'realtime')
    throw new HttpError(400, 'INVALID_ARGUMENT', 'kind must be "quick" or "realtime"');
  const phoneNumber = textField(body.phoneNumber, 'phoneNumber', false) ?? numberFor(openid);
  if (!MAINLAND_MOBILE.test(phoneNumber))
    throw new HttpError(400, 'INVALID_ARGUMENT', 'phoneNumber must be a mainland mobile number (11 digits starting 13–19)');
  const steps: PlayStep[] = [];
  const report = async (type: 'deny' | 'no-quota', errno: number | undefined, errMsg: string) => {
    const data: Record<string, unknown> = { type, errMsg };
    if (errno !== undefined) data.errno = errno;
    steps.push({ step: `auth.reportPhoneEvent ${type}`, ...(await callFunction(emu, 'auth', 'reportPhoneEvent', data, openid)) });
  };
  if (action === 'tap' || action === 'attacker-tap') {
    const session = await callFunction(emu, 'auth', 'session', {}, openid);
    steps.push({ step: 'auth.session', ...session });
    const login = phoneLoginOf(session);
    let kind: PhoneKind = claimedKind;
    if (action === 'attacker-tap') {
      const shown = login === null ? 'the app would not show' : login.show ? 'the app shows' : `the app hides ("${login.hiddenBecause}")`;
      steps.push({ step: `As an attacker would: a modified client taps the button ${shown}; WeChat bills the code all the same` });
    } else if (!login) {
      steps.push({ step: 'The app shows no paid button while auth.session fails; nothing minted, nothing charged' });
      return { openid, steps };
    } else if (!login.show) {
      const why = login.hiddenBecause ? ` (hiddenBecause "${login.hiddenBecause}": ${HIDDEN_BECAUSE_TEXT[login.hiddenBecause]})` : '';
      steps.push({ step: `The app hides the phone button${why}; nothing minted, nothing charged` });
      return { openid, steps };
    } else {
      kind = login.kind;
    }
    const minted = emu.mintPhoneCode({ phoneNumber, openid, kind, appid: emu.appid });
    if (!minted) {
      steps.push({ step: 'WeChat: button fails, errno 1400001 (no quota left), nothing charged' });
      await report('no-quota', 1400001, 'getPhoneNumber:fail no permission');
    } else {
      steps.push({ step: 'WeChat: user approved, code minted (one charge)', code: `${minted.code.slice(0, 8)}…`, phone: phoneNumber });
      steps.push({ step: 'auth.bindPhone', ...(await callFunction(emu, 'auth', 'bindPhone', { code: minted.code, kind }, openid)) });
    }
  } else if (action === 'deny') {
    steps.push({ step: 'WeChat: user denied the sheet, nothing charged' });
    await report('deny', undefined, 'getPhoneNumber:fail user deny');
  } else if (action === 'no-quota') {
    steps.push({ step: 'WeChat: button fails, errno 1400001, nothing charged' });
    await report('no-quota', 1400001, 'getPhoneNumber:fail no permission');
  } else {
    throw new HttpError(400, 'INVALID_ARGUMENT', 'action must be "tap", "attacker-tap", "deny" or "no-quota"');
  }
  return { openid, steps };
}
