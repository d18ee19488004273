/**
 * Home: where the app opens (WeChat's review rejects an app whose first page only asks
 * for login). Usable without a phone: says who is signed in (a verified phone, masked,
 * or the WeChat identity), leads to ordering, offers 登录 › to bind a phone, and shows
 * the admin entry to admins. The session is asked again whenever the page shows.
 * While a billed phone code waits to be resent, no link to a paid button is offered:
 * the login page would resend that code, not ask for another.
 */
import { loadSession, onSessionChange, refreshSession, type Session } from '../../services/session';
import { pendingCode } from '../../services/pending-code';

let unsubscribe: (() => void) | null = null;

Page({
  data: {
    ready: false,
    phoneMasked: null as string | null,
    canBindPhone: false,
    /** A billed code kept for resending (services/pending-code.ts). */
    codeWaiting: false,
  },
  onLoad() {
    unsubscribe = onSessionChange((s) => this.apply(s));
    loadSession().then(
      (s) => this.apply(s),
      () => this.setData({ ready: true }),
    );
  },
  onShow() {
    if (this.data.ready) refreshSession().catch(() => undefined);
    this.setData({ codeWaiting: pendingCode() !== null });
  },
  onUnload() {
    unsubscribe?.();
    unsubscribe = null;
  },
  apply(s: Session) {
    this.setData({
      ready: true,
      phoneMasked: s.user.phoneMasked,
      canBindPhone: !s.user.phoneMasked && s.phoneLogin.show,
      codeWaiting: pendingCode() !== null,
    });
  },
});
