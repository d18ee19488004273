/**
 * A paid phone code the server has not confirmed yet. WeChat billed it at the button's
 * success callback, so it must reach `auth.bindPhone` even if the page changes or the
 * app is killed: it is kept in local storage (kind, code, when WeChat gave it) until the
 * server answers for it, resent on the next mount or launch while it lives, and
 * reported — not resent — once its life is over.
 *
 * While one is kept, no paid button and no link to one is offered anywhere.
 */
import type { PhoneKind } from '../contract';
import { bindPhone, failureCode, isRetriable, reportPhoneEvent } from './phone';

const PENDING_CODE_KEY = 'quickphone.pendingPhoneCode';
/** WeChat's phone codes live 5 minutes (getPhoneNumber doc). */
const CODE_LIFE_MS = 5 * 60 * 1000;

export interface PendingCode {
  code: string;
  /** The button WeChat showed (and billed): quick or real-time. */
  kind: PhoneKind;
  /** When the callback gave it (ms since the epoch, this phone's clock). */
  at: number;
}

function isPendingCode(value: unknown): value is PendingCode {
  const p = value as Partial<PendingCode> | null;
  return (
    typeof p === 'object' &&
    p !== null &&
    typeof p.code === 'string' &&
    p.code !== '' &&
    (p.kind === 'quick' || p.kind === 'realtime') &&
    typeof p.at === 'number' &&
    Number.isFinite(p.at)
  );
}

/** The kept code, or null (nothing kept, or storage unreadable). */
export function pendingCode(): PendingCode | null {
  try {
    const value: unknown = wx.getStorageSync(PENDING_CODE_KEY);
    return isPendingCode(value) ? value : null;
  } catch {
    return null;
  }
}

/** Keeps a code the moment WeChat gives it. A storage failure must not stop the bind itself. */
export function keepPendingCode(pending: PendingCode): void {
  try {
    wx.setStorageSync(PENDING_CODE_KEY, pending);
  } catch (err) {
    console.warn('could not keep the phone code in storage', err);
  }
}

/** The server answered for this code (bound, or refused for good): forget it — never a newer one. */
function forgetPendingCode(code: string): void {
  try {
    if (pendingCode()?.code === code) wx.removeStorageSync(PENDING_CODE_KEY);
  } catch {
    // Nothing to do: a code kept by mistake is refused by the server as already used.
  }
}

/** Past its 5 minutes (or from a clock that ran backwards far enough to be unreliable). */
function isExpired(pending: PendingCode, nowMs = Date.now()): boolean {
  return nowMs - pending.at >= CODE_LIFE_MS || pending.at - nowMs > CODE_LIFE_MS;
}

/** What became of a kept code after one round of sending. */
export type Settled =
  | { outcome: 'bound'; phoneMasked: string }
  /** Still worth sending later (no answer, WeChat busy or throttling): still kept. */
  | { outcome: 'kept'; error: string }
  /** The server answered for it for good (invalid, our own limit…): forgotten. */
  | { outcome: 'refused'; error: string }
  /** Past its life: reported, forgotten, never sent. */
  | { outcome: 'expired' };

/** One send per code at a time: a page and the app launch asking together share it. */
const inFlight = new Map<string, Promise<Settled>>();

/**
 * Sends a kept code (with the automatic re-sends), or reports it when its life is over,
 * and keeps or forgets it by the answer. The one place these rules live.
 */
export function settleCode(pending: PendingCode, retryDelaysMs: number[], nowMs = Date.now()): Promise<Settled> {
  const running = inFlight.get(pending.code);
  if (running) return running;
  const settled = settle(pending, retryDelaysMs, nowMs).finally(() => inFlight.delete(pending.code));
  inFlight.set(pending.code, settled);
  return settled;
}

async function settle(pending: PendingCode, retryDelaysMs: number[], nowMs: number): Promise<Settled> {
  if (isExpired(pending, nowMs)) {
    forgetPendingCode(pending.code);
    // The ledger says why WeChat billed a code we never exchanged.
    void reportPhoneEvent('fail', null, `${pending.kind} code expired before the server confirmed it (billed, never exchanged)`);
    return { outcome: 'expired' };
  }
  try {
    const { phoneMasked } = await bindPhone(pending.code, pending.kind, retryDelaysMs);
    forgetPendingCode(pending.code);
    return { outcome: 'bound', phoneMasked };
  } catch (err) {
    if (isRetriable(err)) return { outcome: 'kept', error: failureCode(err) };
    forgetPendingCode(pending.code);
    return { outcome: 'refused', error: failureCode(err) };
  }
}

/** At launch: a code kept by the last run is sent (or reported) before any page could offer the paid button. */
export function settleKeptCode(retryDelaysMs: number[] = [600, 1800]): Promise<Settled | null> {
  const pending = pendingCode();
  return pending ? settleCode(pending, retryDelaysMs) : Promise.resolve(null);
}
