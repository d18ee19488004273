/**
 * settings-panel: the merchant's settings screen. Loads `admin.settings.get`, edits a
 * copy, and saves only what changed with the version it loaded; when another admin
 * saved first (CONFLICT) it reloads and says which settings they changed.
 */
import { CloudError } from '../../services/cloud';
import {
  BREAKER_REASONS,
  changedLabels,
  chinaTimeText,
  getSettings,
  SETTING_LABELS,
  updateSettings,
  type Settings,
  type SettingsPatch,
} from '../../services/admin';
import { errorField, errorText } from '../../services/errors';
import { loadSession } from '../../services/session';

/** Why saving failed, in the merchant's words (the server's message is for developers). */
function saveFailedText(err: unknown): string {
  const field = errorField(err);
  const label = field ? (SETTING_LABELS[field.replace(/^patch\./, '')] ?? null) : null;
  if (err instanceof CloudError && err.code === 'INVALID_ARGUMENT' && label) return `保存失败：“${label}”的值不被接受，请检查后再保存`;
  return `保存失败：${errorText(err, { FORBIDDEN: '只有管理员可以修改设置', INVALID_ARGUMENT: '有设置的值不被接受，请检查后再保存' })}`;
}

interface Form {
  captureOff: boolean;
  hidePrices: boolean;
  hideShippingAddress: boolean;
  /** 免费账号: WeChat does not charge this account. */
  feeExempt: boolean;
  kind: 'quick' | 'realtime';
  budgetText: string;
  capText: string;
}

function formFrom(s: Settings): Form {
  return {
    captureOff: !s.phoneCapture.enabled,
    hidePrices: s.hidePrices,
    hideShippingAddress: s.hideShippingAddress,
    feeExempt: s.feeExempt ?? false,
    kind: s.phoneCapture.kind,
    budgetText: s.phoneCapture.monthlyBudgetYuan === null ? '' : String(s.phoneCapture.monthlyBudgetYuan),
    capText: s.phoneCapture.dailyCap === null ? '' : String(s.phoneCapture.dailyCap),
  };
}

/** The patch from the form, or a message saying what to fix. Only changed fields go in. */
function patchFrom(form: Form, s: Settings): { patch: SettingsPatch } | { error: string } {
  const budgetText = form.budgetText.trim();
  const budget = budgetText === '' ? null : Number(budgetText);
  if (budget !== null && !(/^\d+(\.\d{1,2})?$/.test(budgetText) && budget > 0))
    return { error: '每月预算请填写大于 0 的金额，最多两位小数，或留空' };
  const capText = form.capText.trim();
  const cap = capText === '' ? null : Number(capText);
  if (cap !== null && !(/^\d+$/.test(capText) && cap >= 1)) return { error: '每日上限请填写正整数，或留空' };

  const phoneCapture: NonNullable<SettingsPatch['phoneCapture']> = {};
  if (!form.captureOff !== s.phoneCapture.enabled) phoneCapture.enabled = !form.captureOff;
  if (form.kind !== s.phoneCapture.kind) phoneCapture.kind = form.kind;
  if (budget !== s.phoneCapture.monthlyBudgetYuan) phoneCapture.monthlyBudgetYuan = budget;
  if (cap !== s.phoneCapture.dailyCap) phoneCapture.dailyCap = cap;
  const patch: SettingsPatch = {};
  if (Object.keys(phoneCapture).length) patch.phoneCapture = phoneCapture;
  if (form.hidePrices !== s.hidePrices) patch.hidePrices = form.hidePrices;
  if (form.hideShippingAddress !== s.hideShippingAddress) patch.hideShippingAddress = form.hideShippingAddress;
  if (form.feeExempt !== (s.feeExempt ?? false)) patch.feeExempt = form.feeExempt;
  return { patch };
}

Component({
  data: {
    state: 'loading' as 'loading' | 'ready' | 'error',
    settings: null as Settings | null,
    form: null as Form | null,
    breakerReason: '',
    updatedAtText: '',
    /** Who saved last, without their openid: 你 or 另一位管理员. */
    updatedByText: '',
    myOpenid: '',
    message: '',
    saving: false,
  },
  lifetimes: {
    attached() {
      // Whose change was the last one: compared with our own openid, never shown.
      loadSession().then(
        (s) => {
          this.setData({ myOpenid: s.openid });
          const settings = this.data.settings as Settings | null;
          if (settings) this.setData({ updatedByText: this.whoText(settings.updatedBy) });
        },
        () => undefined,
      );
      void this.load('');
    },
  },
  methods: {
    load(message: string) {
      return getSettings().then(
        (settings) => this.show(settings, message),
        (err: unknown) =>
          this.setData({
            state: 'error',
            message: err instanceof CloudError && err.code === 'FORBIDDEN' ? '只有管理员可以修改设置' : '加载失败，请重试',
          }),
      );
    },
    whoText(updatedBy: string | null): string {
      // Until our own session answers we cannot tell: say nobody rather than 另一位管理员.
      if (!updatedBy || !this.data.myOpenid) return '';
      return updatedBy === this.data.myOpenid ? '你' : '另一位管理员';
    },
    show(settings: Settings, message: string) {
      this.setData({
        state: 'ready',
        settings,
        form: formFrom(settings),
        breakerReason: settings.breaker.reason ? (BREAKER_REASONS[settings.breaker.reason] ?? settings.breaker.reason) : '',
        updatedAtText: chinaTimeText(settings.updatedAt),
        updatedByText: this.whoText(settings.updatedBy),
        message,
        saving: false,
      });
    },
    onReload() {
      this.setData({ state: 'loading' });
      void this.load('');
    },
    onSwitch(e: { currentTarget: { dataset: { field: keyof Form } }; detail: { value: boolean } }) {
      this.setData({ [`form.${e.currentTarget.dataset.field}`]: e.detail.value, message: '' });
    },
    onKind(e: { detail: { value: string } }) {
      this.setData({ 'form.kind': e.detail.value === 'realtime' ? 'realtime' : 'quick', message: '' });
    },
    onInput(e: { currentTarget: { dataset: { field: keyof Form } }; detail: { value: string } }) {
      this.setData({ [`form.${e.currentTarget.dataset.field}`]: e.detail.value, message: '' });
    },
    onSave() {
      // One save at a time: a second tap would send the same version and conflict with the first.
      if (this.data.saving) return;
      const settings = this.data.settings as Settings;
      const result = patchFrom(this.data.form as Form, settings);
      if ('error' in result) {
        this.setData({ message: result.error });
        return;
      }
      if (Object.keys(result.patch).length === 0) {
        this.setData({ message: '没有需要保存的修改' });
        return;
      }
      this.save(settings, result.patch, '已保存');
    },
    onReenable() {
      if (this.data.saving) return;
      const settings = this.data.settings as Settings;
      this.save(settings, { breaker: { tripped: false } }, '已重新启用手机号登录');
    },
    save(before: Settings, patch: SettingsPatch, done: string) {
      this.setData({ saving: true, message: '' });
      updateSettings(before.version, patch).then(
        (settings) => {
          this.show(settings, done);
          this.triggerEvent('saved', { version: settings.version });
        },
        (err: unknown) => {
          if (err instanceof CloudError && err.code === 'CONFLICT') {
            // Someone saved first: show their version and what they changed.
            getSettings().then(
              (latest) => {
                const labels = changedLabels(before, latest);
                this.show(latest, `其他管理员刚刚修改了设置${labels.length ? `：${labels.join('、')}` : ''}。已重新加载，请确认后再保存。`);
              },
              () => this.setData({ saving: false, message: '设置已被修改，请重新加载' }),
            );
          } else {
            this.setData({ saving: false, message: saveFailedText(err) });
          }
        },
      );
    },
  },
});
