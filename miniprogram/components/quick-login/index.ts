/**
 * quick-login: WeChat's paid phone button, shown only when the session allows it
 * (`phoneLogin.show`), in the kind the admin chose; otherwise the free fallback.
 *
 * Every successful tap is billed by WeChat, so the button disables itself the moment
 * the callback fires, the code goes to `auth.bindPhone` at once, and on a network
 * failure the same code is sent again (never a second tap). Events:
 *   done → { phoneMasked: string | null, verified: boolean }
 */
import { CloudError } from '../../services/cloud';
import { loadSession, refreshSession, type Session } from '../../services/session';
import { bindPhone, normalizeManualPhone, readButtonDetail, reportPhoneEvent, saveManualPhone, type PhoneButtonDetail } from '../../services/phone';

const MESSAGES = {
  sessionFailed: '网络不太稳定，请重试',
  codeInvalid: '验证已失效，请重新点击按钮，或用微信身份继续',
  rateLimited: '验证太频繁了，请稍后再试，或用微信身份继续',
  noQuota: '手机号快捷登录暂不可用，请用微信身份继续',
  privacy: '请先阅读并同意隐私保护指引，再使用手机号快捷登录',
  denied: '未授权手机号，可以用微信身份继续',
  failed: '手机号验证失败，可以用微信身份继续',
  network: '网络不太稳定，手机号尚未保存，请点“重新提交”',
  manualInvalid: '请输入 11 位手机号',
  manualFailed: '联系电话保存失败，请重试',
} as const;

Component({
  properties: {
    /** Waits between automatic re-sends of the same code after a network failure. */
    retryDelays: { type: Array, value: [600, 1800] },
  },
  data: {
    state: 'loading' as 'loading' | 'ready' | 'error',
    show: false,
    kind: 'quick' as Session['phoneLogin']['kind'],
    hiddenBecause: null as Session['phoneLogin']['hiddenBecause'],
    phoneMasked: null as string | null,
    busy: false,
    /** A code WeChat gave us (and billed) that the server has not confirmed yet. */
    pendingCode: '',
    fallback: false,
    message: '',
    manualInput: '',
    manualPhoneMasked: null as string | null,
  },
  lifetimes: {
    attached() {
      this.applySession(loadSession());
    },
  },
  methods: {
    applySession(session: Promise<Session>) {
      session.then(
        (s) =>
          this.setData({
            state: 'ready',
            show: s.phoneLogin.show,
            kind: s.phoneLogin.kind,
            hiddenBecause: s.phoneLogin.hiddenBecause,
            // Only a verified phone counts; a typed one never shows here.
            phoneMasked: s.user.phoneMasked,
          }),
        () => this.setData({ state: 'error', message: MESSAGES.sessionFailed }),
      );
    },

    onRetrySession() {
      this.setData({ state: 'loading', message: '' });
      this.applySession(refreshSession());
    },

    /** The button's callback (quick and real-time alike). */
    onPhoneButton(e: { detail: PhoneButtonDetail }) {
      // First thing: a second tap would be a second charge.
      this.setData({ busy: true, message: '' });
      const outcome = readButtonDetail(e.detail ?? {});
      switch (outcome.kind) {
        case 'code':
          this.setData({ pendingCode: outcome.code });
          this.submit(outcome.code);
          return;
        case 'no-quota':
          void reportPhoneEvent('no-quota', 1400001, e.detail.errMsg);
          this.setData({ busy: false, show: false, fallback: true, message: MESSAGES.noQuota });
          return;
        case 'privacy':
          void reportPhoneEvent('fail', outcome.errno, e.detail.errMsg);
          // Not billed; once the user accepts the privacy guide, the button works.
          this.setData({ busy: false, message: MESSAGES.privacy });
          return;
        case 'deny':
          void reportPhoneEvent('deny', e.detail.errno, e.detail.errMsg);
          this.setData({ busy: false, fallback: true, message: MESSAGES.denied });
          return;
        default:
          void reportPhoneEvent('fail', outcome.errno, outcome.errMsg);
          this.setData({ busy: false, fallback: true, message: MESSAGES.failed });
      }
    },

    /** Sends the pending code again (the user's "重新提交"). */
    onResend() {
      if (!this.data.pendingCode) return;
      this.setData({ busy: true, message: '' });
      this.submit(this.data.pendingCode);
    },

    submit(code: string) {
      bindPhone(code, this.data.kind, this.data.retryDelays as number[]).then(
        ({ phoneMasked }) => {
          this.setData({ busy: false, pendingCode: '', phoneMasked, show: false, message: '' });
          this.triggerEvent('done', { phoneMasked, verified: true });
        },
        (err: unknown) => {
          const code = err instanceof CloudError ? err.code : 'INTERNAL';
          if (code === 'NETWORK' || code === 'UPSTREAM_UNAVAILABLE' || code === 'INTERNAL') {
            // Keep the code: it was billed and may still be good for minutes.
            this.setData({ busy: false, message: MESSAGES.network });
          } else if (code === 'PHONE_CODE_INVALID') {
            this.setData({ busy: false, pendingCode: '', fallback: true, message: MESSAGES.codeInvalid });
          } else if (code === 'RATE_LIMITED') {
            this.setData({ busy: false, pendingCode: '', fallback: true, message: MESSAGES.rateLimited });
          } else {
            this.setData({ busy: false, pendingCode: '', fallback: true, message: MESSAGES.failed });
          }
        },
      );
    },

    /** Continue with the WeChat identity only: free, no phone. */
    onContinue() {
      this.triggerEvent('done', { phoneMasked: this.data.phoneMasked, verified: Boolean(this.data.phoneMasked) });
    },

    onManualInput(e: { detail: { value: string } }) {
      this.setData({ manualInput: e.detail.value });
    },

    onSaveManual() {
      const phone = normalizeManualPhone(this.data.manualInput);
      if (!phone) {
        this.setData({ message: MESSAGES.manualInvalid });
        return;
      }
      saveManualPhone(phone).then(
        ({ manualPhoneMasked }) => this.setData({ manualPhoneMasked, message: '' }),
        () => this.setData({ message: MESSAGES.manualFailed }),
      );
    },
  },
});
