/**
 * WeChat's privacy agreement (since 2023-09; PrivacyAuthorize guide, base library 2.32.3):
 * a phone button works only after the user agrees to the mini program's privacy guide.
 * When agreement is needed WeChat calls the `wx.onNeedPrivacyAuthorization` listener
 * with a `resolve`; our popup shows the guide (`wx.openPrivacyContract`) and a button
 * with `open-type="agreePrivacyAuthorization"`; after its tap we call
 * `resolve({ buttonId, event: 'agree' })`, on refusal `resolve({ event: 'disagree' })`
 * (the pending call then fails with "privacy permission is not authorized").
 *
 * One listener for the app (WeChat keeps one); components subscribe to be told.
 */
export const AGREE_BUTTON_ID = 'agree-privacy';

type Resolve = (result: { event: 'agree' | 'disagree' | 'exposureAuthorization'; buttonId?: string }) => void;

let pending: Resolve | null = null;
let installed = false;
const listeners = new Set<() => void>();

/** Registers the app's listener once (a no-op on base libraries without the API). */
export function installPrivacyListener(): void {
  if (installed || typeof wx.onNeedPrivacyAuthorization !== 'function') return;
  installed = true;
  wx.onNeedPrivacyAuthorization((resolve) => {
    // The typings give the listener a result object; at run time its first argument is `resolve` (API doc).
    pending = resolve as unknown as Resolve;
    for (const l of [...listeners]) l();
  });
}

/** Called when WeChat asks for agreement; returns the unsubscribe. */
export function onPrivacyNeeded(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** A popup is waiting for the user's answer. */
export function privacyPending(): boolean {
  return pending !== null;
}

/** Tells WeChat the popup was shown (the guide asks for it before agree/disagree). */
export function reportExposure(): void {
  pending?.({ event: 'exposureAuthorization' });
}

/** After the agree button's `bindagreeprivacyauthorization`: WeChat carries on. */
export function agreePrivacy(): void {
  const resolve = pending;
  pending = null;
  rememberRefusal(false);
  resolve?.({ buttonId: AGREE_BUTTON_ID, event: 'agree' });
}

/** The user refused: the pending call fails, and we offer the free way on. */
export function refusePrivacy(): void {
  const resolve = pending;
  pending = null;
  rememberRefusal(true);
  resolve?.({ event: 'disagree' });
}

/**
 * The user refused the privacy guide (our notice, or WeChat's privacy errno), and has
 * not agreed since. Kept in storage: after a refusal nothing personal is collected —
 * no typed phone number, no shipping address — on any page, across launches.
 */
const PRIVACY_REFUSED_KEY = 'quickphone.privacyRefused';

export function rememberRefusal(refused: boolean): void {
  try {
    if (refused) wx.setStorageSync(PRIVACY_REFUSED_KEY, true);
    else wx.removeStorageSync(PRIVACY_REFUSED_KEY);
  } catch (err) {
    console.warn('could not keep the privacy answer', err);
  }
}

export function privacyRefused(): boolean {
  try {
    return wx.getStorageSync(PRIVACY_REFUSED_KEY) === true;
  } catch {
    return false;
  }
}

/**
 * Whether the user still has to agree, and the guide's name ("《…隐私保护指引》").
 * Without the API (old base library) nothing is known: WeChat's own flow applies.
 */
export function privacySetting(): Promise<{ needAuthorization: boolean; contractName: string }> {
  return new Promise((resolve) => {
    if (typeof wx.getPrivacySetting !== 'function') {
      resolve({ needAuthorization: false, contractName: '' });
      return;
    }
    wx.getPrivacySetting({
      success: (res) => resolve({ needAuthorization: Boolean(res.needAuthorization), contractName: res.privacyContractName ?? '' }),
      fail: () => resolve({ needAuthorization: false, contractName: '' }),
    });
  });
}

/** Opens the privacy guide page WeChat renders from the merchant's declaration. */
export function openPrivacyContract(): void {
  if (typeof wx.openPrivacyContract === 'function') wx.openPrivacyContract({});
}
