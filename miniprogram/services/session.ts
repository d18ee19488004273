/**
 * The session: one `auth.session` call at launch gives the user, the public settings
 * and whether to show the paid phone button. Callers share the one request in flight;
 * `refreshSession()` asks again (after binding a phone, or when settings change).
 */
import { callRoute } from './cloud';

export type PhoneKind = 'quick' | 'realtime';

export interface PublicSettings {
  phoneCaptureEnabled: boolean;
  phoneKind: PhoneKind;
  hidePrices: boolean;
  hideShippingAddress: boolean;
  version: number;
}

export interface Session {
  openid: string;
  user: { phoneMasked: string | null; isAdmin: boolean };
  settings: PublicSettings;
  phoneLogin: {
    show: boolean;
    kind: PhoneKind;
    hiddenBecause: null | 'already-bound' | 'disabled' | 'quota-exhausted' | 'budget-reached' | 'daily-cap-reached';
  };
}

let current: Promise<Session> | null = null;

export function loadSession(): Promise<Session> {
  if (!current) {
    current = callRoute<Session>('auth', 'session');
    // A failed launch call must not be cached: the next caller tries again.
    current.catch(() => {
      current = null;
    });
  }
  return current;
}

export function refreshSession(): Promise<Session> {
  current = null;
  return loadSession();
}
