/**
 * Home: where the app opens after login. Says who is signed in (a verified phone,
 * masked, or the WeChat identity), leads to ordering, and shows the admin entry to
 * admins. The session is asked again whenever the page shows.
 */
import { loadSession, onSessionChange, refreshSession, type Session } from '../../services/session';

let unsubscribe: (() => void) | null = null;

Page({
  data: {
    ready: false,
    phoneMasked: null as string | null,
    canBindPhone: false,
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
  },
  onUnload() {
    unsubscribe?.();
    unsubscribe = null;
  },
  apply(s: Session) {
    this.setData({ ready: true, phoneMasked: s.user.phoneMasked, canBindPhone: !s.user.phoneMasked && s.phoneLogin.show });
  },
});
