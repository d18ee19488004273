/** `auth`: what every mini program user calls (cloudfunctions/auth). */
import type { BreakerReason, NoInput, PhoneKind } from './common';

/** What the mini program may see of the merchant's settings. */
export interface PublicSettings {
  /** Phone capture is enabled and no breaker has tripped. */
  phoneCaptureEnabled: boolean;
  phoneKind: PhoneKind;
  hidePrices: boolean;
  hideShippingAddress: boolean;
  version: number;
}

export type HiddenBecause = 'already-bound' | 'disabled' | BreakerReason;

/** Whether the paid phone button is shown, and if not, why. */
export interface PhoneLogin {
  show: boolean;
  kind: PhoneKind;
  hiddenBecause: HiddenBecause | null;
}

export interface Session {
  openid: string;
  user: { phoneMasked: string | null; isAdmin: boolean };
  settings: PublicSettings;
  phoneLogin: PhoneLogin;
}

export type PhoneEventType = 'deny' | 'no-quota' | 'fail';

export type ProbeVerdict = 'works' | 'no-permission' | 'not-configured' | 'failed';

/** `npm run doctor`'s server side. */
export interface DoctorAnswer {
  exchange: {
    cloudCall: { errcode: number; verdict: ProbeVerdict };
    https: { errcode: number | null; verdict: ProbeVerdict; reason?: string };
    works: boolean;
  };
  variables: Record<string, boolean>;
  collections: Record<string, boolean>;
}

export interface AuthRoutes {
  /** `phoneButtons`: the paid buttons this phone's base library can show; real-time is offered only when listed. */
  session: { input: { phoneButtons?: PhoneKind[] }; output: Session };
  /** Records the charge, exchanges the code, binds the verified number (docs/charges.md). */
  bindPhone: { input: { code: string; kind?: PhoneKind }; output: { phoneMasked: string } };
  /** A denial, no-quota or failure the phone button reported. */
  reportPhoneEvent: { input: { type: PhoneEventType; errno?: number; errMsg?: string }; output: NoInput };
  /** The fallback: a typed, unverified contact number (free). */
  setManualPhone: { input: { phone: string | null }; output: { manualPhoneMasked: string | null; verified: boolean } };
  /** Diagnostics for `npm run doctor`: server side, with DOCTOR_KEY only. */
  doctor: { input: { key: string; variables?: string[]; collections?: string[] }; output: DoctorAnswer };
  /** Become an admin with an invite code an admin shared (`admin.admins.invite`). */
  acceptAdminInvite: { input: { code: string }; output: { isAdmin: true } };
}
