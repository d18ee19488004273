/**
 * quick-login: shows WeChat's paid phone button only when the session says so
 * (`phoneLogin.show`), in the kind the admin chose; otherwise the free fallback.
 * Every tap on the button is billed by WeChat, so it is never shown to a user who
 * already has a phone or when capture is switched off.
 */
import { loadSession, refreshSession, type Session } from '../../services/session';

Component({
  data: {
    state: 'loading' as 'loading' | 'ready' | 'error',
    show: false,
    kind: 'quick' as Session['phoneLogin']['kind'],
    hiddenBecause: null as Session['phoneLogin']['hiddenBecause'],
    phoneMasked: null as string | null,
    errorMessage: '',
  },
  lifetimes: {
    attached() {
      this.apply(loadSession());
    },
  },
  methods: {
    apply(session: Promise<Session>) {
      session.then(
        (s) =>
          this.setData({
            state: 'ready',
            show: s.phoneLogin.show,
            kind: s.phoneLogin.kind,
            hiddenBecause: s.phoneLogin.hiddenBecause,
            phoneMasked: s.user.phoneMasked,
          }),
        () => this.setData({ state: 'error', errorMessage: '网络不太稳定，请重试' }),
      );
    },
    onRetry() {
      this.setData({ state: 'loading' });
      this.apply(refreshSession());
    },
    /** Continue with the WeChat identity only: free, no phone. */
    onContinue() {
      this.triggerEvent('done', { phoneMasked: this.data.phoneMasked, verified: Boolean(this.data.phoneMasked) });
    },
  },
});
