/**
 * usage-panel: what phone login costs the merchant and how much quota is left.
 * `usage.summary` (both kinds) feeds this month, the 12-month bars and the 30-day
 * curve; `quota.status` (one kind at a time; each kind has its own trial and packs)
 * feeds remaining quota, packs, forecast, recommendation, alerts and reconciliation.
 * The two load independently, so a failing quota call still leaves the charts.
 */
import { CloudError } from '../../services/cloud';
import { errorText } from '../../services/errors';
import {
  addQuotaPack,
  getQuotaStatus,
  getUsageSummary,
  KIND_LABELS,
  runChecks,
  setPackPrice,
  type CheckResult,
  type UsageSummary,
} from '../../services/admin';
import { parseYuanToFen } from '../../services/money';
import { newRequestId } from '../../services/request-id';
import type { PhoneKind } from '../../services/session';
import { dayCurve, monthBars, monthText, type CurvePoint, type MonthBar } from './chart';
import { addPackErrorText, EMPTY_FORM, packFrom, type PackForm } from './pack-form';
import { quotaView, type QuotaView } from './quota-view';

const asKind = (value: unknown): PhoneKind => (value === 'realtime' ? 'realtime' : 'quick');

function loadErrorText(err: unknown, what: string): string {
  if (err instanceof CloudError && err.code === 'FORBIDDEN') return `无权限：只有管理员可以查看${what}`;
  if (err instanceof CloudError && err.code === 'UNAUTHENTICATED') return '请先登录';
  if (err instanceof CloudError && err.code === 'NETWORK') return `${what}加载失败：网络不通，请重试`;
  return `${what}加载失败，请重试`;
}

/** What the checks did that the merchant should know; the rest shows up in the reloaded page. */
/**
 * The cron's answer in the merchant's words. Its reasons are English for developers;
 * only the variable names (skipped: the credentials not set) and WeChat's errcode
 * (failed: "WeChat <path> failed: <errcode> …") are read from them.
 */
function checkText(result: CheckResult): string {
  const r = result.reconciliation;
  if (r?.status === 'skipped') {
    const names = (r.reason ?? '').match(/\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b/g) ?? [];
    return names.length
      ? `已检查。未与微信对账：云函数未配置 ${names.join('、')}（小程序的 AppID 与密钥），配置后即可与微信对账`
      : '已检查。未与微信对账：云函数未配置小程序的 AppID 与密钥';
  }
  if (r?.status === 'failed') {
    const errcode = /failed: (-?\d+)/.exec(r.reason ?? '')?.[1];
    return `已检查，但与微信对账失败${errcode ? `（微信错误码 ${errcode}）` : ''}，请稍后再试`;
  }
  return '已检查';
}

const isForbidden = (err: unknown) => err instanceof CloudError && err.code === 'FORBIDDEN';

/** The one line under this month's cost: why it differs from the list price. */
function costExplanation(feeExempt: boolean): string {
  return feeExempt
    ? '免费账号：微信不向政府、非营利组织及政务民生类公共机构收取手机号验证费用，费用按 ¥0 计'
    : '费用按每次调用所用资源包的单价计：试用额度免费，资源包按价格÷次数；标价为 0.03 元/次（快速验证）、0.04 元/次（实时验证）';
}

/** Calls priced at the list price for want of a known price: say so. */
const estimateText = (n: number | undefined) => (n ? `其中 ${n} 次没有已知单价（不在已记录的资源包内，或资源包未填价格），按标价估算` : '');

Component({
  properties: {
    /** Which kind's quota to show first (the page passes the kind phone login uses). */
    initialKind: { type: String, value: 'quick' },
  },
  data: {
    state: 'loading' as 'loading' | 'ready' | 'error',
    message: '',
    /** False for 无权限: trying again will not help. */
    retriable: true,
    thisMonth: null as null | {
      monthText: string;
      quick: number;
      realtime: number;
      costYuan: string;
      listText: string;
      explainText: string;
      estimateText: string;
    },
    totalsText: '',
    monthTop: 1,
    bars: [] as MonthBar[],
    selectedMonth: -1,
    monthDetail: '',
    dayTop: 1,
    points: [] as CurvePoint[],
    selectedDay: -1,
    dayDetail: '',
    daysTotalText: '',
    kind: 'quick' as PhoneKind,
    kindText: KIND_LABELS.quick,
    quotaState: 'loading' as 'loading' | 'ready' | 'error',
    quotaMessage: '',
    quota: null as QuotaView | null,
    form: { ...EMPTY_FORM } as PackForm,
    /** The idempotency key of the pack being recorded, and the request it was made for. */
    packKey: '',
    packKeyFor: '',
    formMessage: '',
    saving: false,
    checking: false,
    checkMessage: '',
    /** The pack whose price is being recorded ('' when none), the text typed, and the outcome. */
    priceEditId: '',
    priceText: '',
    priceMessage: '',
    savingPrice: false,
  },
  lifetimes: {
    attached() {
      const kind = asKind(this.properties.initialKind);
      this.setData({ kind, kindText: KIND_LABELS[kind] });
      void this.reload();
    },
  },
  methods: {
    /** Loads everything again; the page calls this on pull-down refresh. */
    reload(): Promise<void> {
      return Promise.all([this.loadSummary(), this.loadQuota(this.data.kind)]).then(() => undefined);
    },
    loadSummary(): Promise<void> {
      return getUsageSummary(12).then(
        (summary) => this.showSummary(summary),
        (err: unknown) => this.setData({ state: 'error', message: loadErrorText(err, '用量'), retriable: !isForbidden(err) }),
      );
    },
    showSummary(summary: UsageSummary) {
      const current = summary.months[summary.months.length - 1];
      const months = monthBars(summary.months);
      const days = dayCurve(summary.days);
      const selectedMonth = months.bars.length - 1;
      const selectedDay = days.points.length - 1;
      const dayQuick = summary.days.reduce((s, d) => s + d.quick, 0);
      const dayRealtime = summary.days.reduce((s, d) => s + d.realtime, 0);
      this.setData({
        state: this.data.state === 'error' && !this.data.retriable ? 'error' : 'ready',
        thisMonth: current
          ? {
              monthText: monthText(current.month),
              quick: current.quick,
              realtime: current.realtime,
              costYuan: current.costYuan,
              listText: current.listValueYuan ? `按标价 ¥${current.listValueYuan}，节省 ¥${current.savingYuan ?? '0.00'}` : '',
              explainText: costExplanation(summary.feeExempt ?? false),
              estimateText: estimateText(current.estimatedCalls),
            }
          : null,
        totalsText: `近 ${summary.months.length} 个月共 ${summary.totals.quick + summary.totals.realtime} 次，费用 ¥${summary.totals.costYuan}${summary.totals.listValueYuan ? `（按标价 ¥${summary.totals.listValueYuan}）` : ''}`,
        monthTop: months.top,
        bars: months.bars,
        selectedMonth,
        monthDetail: months.bars[selectedMonth]?.aria ?? '',
        dayTop: days.top,
        points: days.points,
        selectedDay,
        dayDetail: days.points[selectedDay]?.aria ?? '',
        daysTotalText: `近 30 天共 ${dayQuick + dayRealtime} 次（快速验证 ${dayQuick}，实时验证 ${dayRealtime}）`,
      });
    },
    loadQuota(kind: PhoneKind): Promise<void> {
      this.setData({ quotaState: 'loading', quotaMessage: '' });
      return getQuotaStatus(kind).then(
        (status) => {
          // The merchant may have switched kind while this was on its way.
          if (status.kind !== this.data.kind) return;
          this.setData({ quotaState: 'ready', quota: quotaView(status) });
        },
        (err: unknown) => {
          if (kind !== this.data.kind) return;
          if (isForbidden(err)) this.setData({ state: 'error', message: loadErrorText(err, '用量和额度'), retriable: false });
          else this.setData({ quotaState: 'error', quotaMessage: loadErrorText(err, '额度') });
        },
      );
    },
    onReload() {
      this.setData({ state: 'loading', message: '' });
      void this.reload();
    },
    onReloadQuota() {
      void this.loadQuota(this.data.kind);
    },
    onKind(e: { currentTarget: { dataset: { kind?: string } } }) {
      const kind = asKind(e.currentTarget.dataset.kind);
      if (kind === this.data.kind) return;
      this.setData({ kind, kindText: KIND_LABELS[kind], quota: null, formMessage: '', checkMessage: '' });
      void this.loadQuota(kind);
    },
    onSelectMonth(e: { currentTarget: { dataset: { index: number } } }) {
      const index = Number(e.currentTarget.dataset.index);
      this.setData({ selectedMonth: index, monthDetail: this.data.bars[index]?.aria ?? '' });
    },
    onSelectDay(e: { currentTarget: { dataset: { index: number } } }) {
      const index = Number(e.currentTarget.dataset.index);
      this.setData({ selectedDay: index, dayDetail: this.data.points[index]?.aria ?? '' });
    },
    // A changed form is another pack: it gets a new idempotency key (packKey '').
    onInput(e: { currentTarget: { dataset: { field: keyof PackForm } }; detail: { value: string } }) {
      this.setData({ [`form.${e.currentTarget.dataset.field}`]: e.detail.value, formMessage: '', packKey: '' });
    },
    onStart(e: { detail: { value: string } }) {
      this.setData({ 'form.startText': e.detail.value, formMessage: '', packKey: '' });
    },
    onStartToday() {
      this.setData({ 'form.startText': '', formMessage: '', packKey: '' });
    },
    onSource(e: { detail: { value: string } }) {
      this.setData({ 'form.source': e.detail.value === 'provider' ? 'provider' : 'self', formMessage: '', packKey: '' });
    },
    onAddPack() {
      if (this.data.saving) return;
      const kind = this.data.kind;
      const result = packFrom(this.data.form, kind);
      if ('error' in result) {
        this.setData({ formMessage: result.error });
        return;
      }
      // One key per pack the merchant means: a retry of the same form (a lost answer) sends
      // the same key and records nothing twice; a changed form is a new pack, a new key.
      const request = JSON.stringify(result.pack);
      const idempotencyKey = this.data.packKeyFor === request && this.data.packKey ? this.data.packKey : newRequestId('p');
      this.setData({ saving: true, formMessage: '', packKey: idempotencyKey, packKeyFor: request });
      addQuotaPack({ ...result.pack, idempotencyKey }).then(
        (pack) => {
          this.setData({
            saving: false,
            form: { ...EMPTY_FORM },
            packKey: '',
            packKeyFor: '',
            formMessage: `已记录：${KIND_LABELS[kind]} ${pack.calls} 次`,
          });
          void this.loadQuota(kind);
        },
        (err: unknown) => {
          this.setData({ saving: false, formMessage: addPackErrorText(err) });
          // Show what is stored, so the merchant can see whether a lost answer was saved.
          if (err instanceof CloudError && err.code === 'NETWORK') void this.loadQuota(kind);
        },
      );
    },
    onEditPrice(e: { currentTarget: { dataset: { id: string; price?: string } } }) {
      this.setData({ priceEditId: e.currentTarget.dataset.id, priceText: e.currentTarget.dataset.price ?? '', priceMessage: '' });
    },
    onPriceInput(e: { detail: { value: string } }) {
      this.setData({ priceText: e.detail.value, priceMessage: '' });
    },
    onCancelPrice() {
      this.setData({ priceEditId: '', priceText: '', priceMessage: '' });
    },
    onSavePrice() {
      if (this.data.savingPrice || !this.data.priceEditId) return;
      const text = this.data.priceText.trim();
      const fen = text === '' ? null : parseYuanToFen(text);
      if (text !== '' && (fen === null || fen <= 0)) {
        this.setData({ priceMessage: '价格请填写大于 0 的金额，最多两位小数；留空表示未知' });
        return;
      }
      const kind = this.data.kind;
      this.setData({ savingPrice: true, priceMessage: '' });
      setPackPrice(this.data.priceEditId, fen === null ? null : fen / 100).then(
        () => {
          this.setData({ savingPrice: false, priceEditId: '', priceText: '', priceMessage: '已记录价格，费用已按它重新计算' });
          void this.loadQuota(kind);
          void this.loadSummary();
        },
        (err: unknown) =>
          this.setData({
            savingPrice: false,
            priceMessage: `未保存：${isForbidden(err) ? '只有管理员可以修改价格' : err instanceof CloudError && err.code === 'NETWORK' ? '网络不通，请重试' : '价格不被接受，请检查后再试'}`,
          }),
      );
    },
    onCheck() {
      if (this.data.checking) return;
      this.setData({ checking: true, checkMessage: '' });
      runChecks().then(
        (result) => {
          this.setData({ checking: false, checkMessage: checkText(result) });
          void this.reload();
        },
        (err: unknown) =>
          this.setData({
            checking: false,
            checkMessage: isForbidden(err) ? '无权限：只有管理员可以立即检查' : `检查失败：${errorText(err)}`,
          }),
      );
    },
  },
});
