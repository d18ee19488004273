/**
 * quick-login: WeChat's paid phone button, shown only when the session allows it
 * (`phoneLogin.show`), in the kind the admin chose and this phone's WeChat supports;
 * otherwise the free fallback, with the reason.
 *
 * Every successful tap is billed by WeChat, so the button disables itself the moment
 * the callback fires, the code is kept in storage (services/pending-code.ts) and goes to
 * `auth.bindPhone` at once; on a network failure or WeChat throttling (45011) the same
 * code is sent again (never a second tap). While a billed code waits, the paid button
 * stays disabled: the ways on are 重新提交 (the same code) or the free fallback. A kept
 * code is resent when the component mounts again (another page, a restart) while it
 * lives, and reported — not resent — after its 5 minutes.
 *
 * Privacy (WeChat, since 2023-09): the user agrees to the privacy guide first, through
 * our notice with an `agreePrivacyAuthorization` button. When WeChat asks on a tap
 * (onNeedPrivacyAuthorization) the notice is laid over the page and the tapped button
 * stays mounted: after `agree` WeChat carries on with that very button. A refusal, an errno 104 or a
 * bare "privacy permission is not authorized" leads to the free path; errno 112 (phone
 * numbers not declared in the guide: WeChat disables the component) hides the button
 * and tells an admin what to declare.
 *
 * The session is refreshed whenever the page shows and after a bind, so an admin's
 * switch or a tripped breaker hides the button without restarting the app. Events:
 *   done → { phoneMasked: string | null, verified: boolean }
 */
import { ERRNO_NO_QUOTA } from '../../contract';
import { HIDDEN_BECAUSE_TEXT, loadSession, onSessionChange, refreshSession, type Session } from '../../services/session';
import { normalizeManualPhone, readButtonDetail, reportPhoneEvent, saveManualPhone, type PhoneButtonDetail } from '../../services/phone';
import { baseLibrary, paidButtonFor, type PaidButton } from '../../services/platform';
import { keepPendingCode, pendingCode as keptCode, settleCode, type PendingCode } from '../../services/pending-code';
import {
  AGREE_BUTTON_ID,
  agreePrivacy,
  installPrivacyListener,
  onPrivacyNeeded,
  openPrivacyContract,
  privacyPending,
  privacyRefused,
  privacySetting,
  refusePrivacy,
  rememberRefusal,
  reportExposure,
} from '../../services/privacy';

const MESSAGES = {
  sessionFailed: '网络不太稳定，请重试',
  codeInvalid: '验证已失效，请用微信身份继续',
  rateLimited: '今天的手机号验证次数已用完，可以用微信身份继续',
  throttled: '微信繁忙，手机号尚未保存。请稍后点“重新提交”，无需再次授权',
  expired: '上次的手机号验证已超过 5 分钟未能提交，已失效。可以用微信身份继续，或重新验证',
  noQuota: '手机号快捷登录暂不可用，请用微信身份继续',
  privacyRefused: '你未同意隐私保护指引，手机号快捷登录不可用。可以用微信身份继续，或查看并同意后再使用',
  privacyUndeclared: '手机号快捷登录暂不可用，可以用微信身份继续',
  privacyUndeclaredAdmin:
    '管理员请注意：本小程序的《用户隐私保护指引》未声明收集“手机号”，微信已停用手机号按钮。请在微信公众平台 › 设置 › 服务内容声明 › 用户隐私保护指引 中补充“手机号”并提交，生效后按钮即可使用。',
  billedNoCode: '手机号未能读取（微信版本较低），请用微信身份继续，或升级微信后再试',
  oldWechat: '当前微信版本较低，暂不能使用手机号快捷登录，请升级微信，或用微信身份继续',
  denied: '未授权手机号，可以用微信身份继续',
  failed: '手机号验证失败，可以用微信身份继续',
  network: '网络不太稳定，手机号尚未保存，请点“重新提交”',
  resending: '正在提交上次验证的手机号…',
  manualInvalid: '请输入 11 位手机号',
  manualFailed: '联系电话保存失败，请重试',
} as const;

type Privacy = 'ok' | 'needed' | 'refused' | 'undeclared';

/**
 * WeChat answered errno 1400001 (no quota) in this launch. The server's breaker may not
 * have tripped (a client's report is a claim), so without this the button would come
 * back on the next page show: a loop of unbilled but useless taps.
 */
let noQuotaThisLaunch = false;

/** Subscriptions kept per component instance, outside `data` (functions are not data). */
const unsubscribers = new WeakMap<object, Array<() => void>>();

Component({
  properties: {
    /** Waits between automatic re-sends of the same code after a network failure. */
    retryDelays: { type: Array, value: [600, 1800] },
  },
  data: {
    state: 'loading' as 'loading' | 'ready' | 'error',
    /** The server allows the paid button for this user now. */
    show: false,
    kind: 'quick' as Session['phoneLogin']['kind'],
    /** The paid button this phone shows: the server's kind if WeChat supports it, else quick, else none. */
    button: null as PaidButton | null,
    hiddenBecause: null as Session['phoneLogin']['hiddenBecause'],
    /** Why the paid button is not there, in the user's words ('' when it is there). */
    hiddenText: '',
    phoneMasked: null as string | null,
    isAdmin: false,
    busy: false,
    /** A code WeChat gave us (and billed) that the server has not confirmed yet. */
    pendingCode: '',
    /** When WeChat gave it (its life is 5 minutes from then). */
    pendingAt: 0,
    /** A success without a code (old base library): billed, cannot be exchanged; no paid button again. */
    billedWithoutCode: false,
    privacy: 'ok' as Privacy,
    /** WeChat asked for agreement on a tap: the notice is laid over the tapped button, which must stay mounted. */
    privacyOverlay: false,
    privacyName: '《隐私保护指引》',
    agreeButtonId: AGREE_BUTTON_ID,
    fallback: false,
    message: '',
    adminMessage: '',
    manualInput: '',
    manualPhoneMasked: null as string | null,
  },
  lifetimes: {
    attached() {
      installPrivacyListener();
      const subs = [onSessionChange((s) => this.applySession(s)), onPrivacyNeeded(() => this.showPrivacyNotice())];
      unsubscribers.set(this, subs);
      if (privacyPending()) this.showPrivacyNotice();
      void privacySetting().then(({ needAuthorization, contractName }) => {
        if (contractName) this.setData({ privacyName: contractName });
        // WeChat has the user's agreement: an earlier refusal no longer holds.
        if (!needAuthorization) rememberRefusal(false);
        else if (privacyRefused() && this.data.privacy === 'ok') {
          this.setData({ privacy: 'refused', fallback: true, message: MESSAGES.privacyRefused });
          return;
        }
        if (needAuthorization && this.data.privacy === 'ok') this.setData({ privacy: 'needed' });
      });
      this.load(loadSession());
      this.resumeKeptCode();
    },
    detached() {
      for (const off of unsubscribers.get(this) ?? []) off();
      unsubscribers.delete(this);
    },
  },
  pageLifetimes: {
    /** Settings may have changed while the page was hidden: ask again (never mid-bind). */
    show() {
      if (this.data.state === 'ready' && !this.data.busy) refreshSession().catch(() => undefined);
    },
  },
  methods: {
    load(session: Promise<Session>) {
      session.then(
        (s) => this.applySession(s),
        () => this.setData({ state: 'error', message: MESSAGES.sessionFailed }),
      );
    },

    applySession(s: Session) {
      const show = s.phoneLogin.show && !noQuotaThisLaunch;
      const button = show ? paidButtonFor(s.phoneLogin.kind) : null;
      let hiddenText = '';
      if (!s.phoneLogin.show && s.phoneLogin.hiddenBecause && s.phoneLogin.hiddenBecause !== 'already-bound')
        hiddenText = HIDDEN_BECAUSE_TEXT[s.phoneLogin.hiddenBecause];
      else if (noQuotaThisLaunch) hiddenText = MESSAGES.noQuota;
      else if (show && !button) hiddenText = MESSAGES.oldWechat;
      this.setData({
        state: 'ready',
        show,
        kind: s.phoneLogin.kind,
        // A code in flight keeps the button it came from until it is settled.
        button: this.data.pendingCode || this.data.busy ? this.data.button : button,
        hiddenBecause: s.phoneLogin.hiddenBecause,
        hiddenText,
        isAdmin: s.user.isAdmin,
        // Only a verified phone counts; a typed one never shows here.
        phoneMasked: s.user.phoneMasked,
      });
    },

    onRetrySession() {
      this.setData({ state: 'loading', message: '' });
      this.load(refreshSession());
    },

    // ---- Privacy agreement ----

    showPrivacyNotice() {
      if (this.data.privacy === 'undeclared') {
        refusePrivacy();
        return;
      }
      // WeChat asks on a tap: lay the notice over the button rather than replacing it,
      // so the button WeChat continues after `agree` still exists.
      this.setData({ privacy: 'needed', privacyOverlay: true });
      reportExposure();
    },

    onOpenPrivacyContract() {
      openPrivacyContract();
    },

    /** The agree button's `bindagreeprivacyauthorization`: WeChat has recorded the agreement. */
    onAgreePrivacy() {
      agreePrivacy();
      this.setData({
        privacy: 'ok',
        privacyOverlay: false,
        fallback: this.data.privacy === 'refused' ? false : this.data.fallback,
        message: '',
      });
    },

    onRefusePrivacy() {
      refusePrivacy();
      this.setData({ privacy: 'refused', privacyOverlay: false, fallback: true, message: MESSAGES.privacyRefused });
    },

    /** "查看并同意" after a refusal: the notice again. */
    onReviewPrivacy() {
      this.setData({ privacy: 'needed', message: '' });
    },

    // ---- The paid button ----

    /** The button's callback (quick and real-time alike). */
    onPhoneButton(e: { detail: PhoneButtonDetail }) {
      // A second callback while a code waits would be a second charge's code: never bind it
      // over the first, but never drop it silently either — WeChat billed it.
      if (this.data.busy || this.data.pendingCode) {
        void reportPhoneEvent('fail', e.detail?.errno, `callback while a code waited${e.detail?.code ? ': billed, not sent' : ''}`);
        return;
      }
      // First thing: a second tap would be a second charge.
      this.setData({ busy: true, message: '' });
      const detail = e.detail ?? {};
      const outcome = readButtonDetail(detail);
      switch (outcome.kind) {
        case 'code': {
          // Kept before anything else: a page change or a killed app must not lose a billed code.
          const pending: PendingCode = { code: outcome.code, kind: this.data.button ?? this.data.kind, at: Date.now() };
          keepPendingCode(pending);
          this.setData({ pendingCode: outcome.code, pendingAt: pending.at });
          this.submit(pending);
          return;
        }
        case 'billed-no-code':
          // Billed by WeChat, nothing to exchange: say so to the server, never offer another paid tap.
          void reportPhoneEvent('fail', null, `success without code (base library ${baseLibrary() || 'unknown'})`);
          this.setData({ busy: false, billedWithoutCode: true, fallback: true, message: MESSAGES.billedNoCode });
          return;
        case 'no-quota':
          void reportPhoneEvent('no-quota', ERRNO_NO_QUOTA, detail.errMsg);
          noQuotaThisLaunch = true;
          this.setData({ busy: false, show: false, fallback: true, message: MESSAGES.noQuota });
          return;
        case 'privacy-undeclared':
          void reportPhoneEvent('fail', outcome.errno, detail.errMsg);
          this.setData({
            busy: false,
            privacy: 'undeclared',
            fallback: true,
            message: MESSAGES.privacyUndeclared,
            adminMessage: this.data.isAdmin ? MESSAGES.privacyUndeclaredAdmin : '',
          });
          return;
        case 'privacy-refused':
          void reportPhoneEvent('fail', outcome.errno, detail.errMsg);
          rememberRefusal(true);
          // Not billed. The free way on, and the notice again if the user changes their mind.
          this.setData({ busy: false, privacy: 'refused', fallback: true, message: MESSAGES.privacyRefused });
          return;
        case 'deny':
          void reportPhoneEvent('deny', detail.errno, detail.errMsg);
          this.setData({ busy: false, fallback: true, message: MESSAGES.denied });
          return;
        default:
          void reportPhoneEvent('fail', outcome.errno, outcome.errMsg);
          this.setData({ busy: false, fallback: true, message: MESSAGES.failed });
      }
    },

    /** Sends the pending code again (the user's "重新提交"); past its life it is reported instead. */
    onResend() {
      if (!this.data.pendingCode || this.data.busy) return;
      const kept = keptCode();
      // Kept by this component, so normally in storage; if storage failed, the code as we hold it.
      const pending = kept?.code === this.data.pendingCode ? kept : null;
      this.setData({ busy: true, message: '' });
      this.submit(pending ?? { code: this.data.pendingCode, kind: this.data.button ?? this.data.kind, at: this.data.pendingAt });
    },

    /** A code kept by an earlier page or launch: sent again while it lives (no paid button meanwhile), else reported. */
    resumeKeptCode() {
      const pending = keptCode();
      if (!pending) return;
      this.setData({ pendingCode: pending.code, pendingAt: pending.at, button: pending.kind, busy: true, message: MESSAGES.resending });
      this.submit(pending);
    },

    submit(pending: PendingCode) {
      void settleCode(pending, this.data.retryDelays as number[]).then((settled) => {
        switch (settled.outcome) {
          case 'bound':
            this.setData({ busy: false, pendingCode: '', phoneMasked: settled.phoneMasked, show: false, message: '' });
            this.triggerEvent('done', { phoneMasked: settled.phoneMasked, verified: true });
            // Everyone holding the session (admin entry, order page) sees the bound user.
            refreshSession().catch(() => undefined);
            return;
          case 'kept':
            // It was billed and may still be good for minutes: 重新提交 sends it again.
            this.setData({
              busy: false,
              fallback: true,
              message: settled.error === 'WECHAT_THROTTLED' ? MESSAGES.throttled : MESSAGES.network,
            });
            return;
          case 'expired':
            this.setData({ busy: false, pendingCode: '', fallback: true, message: MESSAGES.expired });
            return;
          default: {
            const message =
              settled.error === 'PHONE_CODE_INVALID'
                ? MESSAGES.codeInvalid
                : settled.error === 'RATE_LIMITED'
                  ? MESSAGES.rateLimited
                  : MESSAGES.failed;
            this.setData({ busy: false, pendingCode: '', fallback: true, message });
          }
        }
      });
    },

    // ---- The free fallback ----

    /** Continue with the WeChat identity only: free, no phone. */
    onContinue() {
      // A kept code stays kept: the next mount or launch sends it again while it lives.
      this.triggerEvent('done', { phoneMasked: this.data.phoneMasked, verified: Boolean(this.data.phoneMasked) });
    },

    onManualInput(e: { detail: { value: string } }) {
      this.setData({ manualInput: e.detail.value });
    },

    onSaveManual() {
      // Nothing personal after a privacy refusal (the input is not even shown).
      if (this.data.privacy !== 'ok') return;
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
