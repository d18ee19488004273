/**
 * provider-panel: a service provider's staff assign phone-verification packs from
 * their bulk orders to merchant mini programs, and withdraw them.
 *
 * Orders (calls / used / remaining) → pick one → its SKUs → the assign form (merchant
 * appid checked on the phone, SKU, optional start date) → a confirmation step. The
 * idempotency key is made once when the staff member confirms; if the call's outcome
 * is unknown (network failure) the retry sends the same key, so it never assigns twice.
 * Assignments are listed with their status — a failed or unknown one with its reason in
 * Chinese (fleet-view.ts) — and refreshed while any is still settling; an unknown one can
 * be re-checked or withdrawn. An orders list that is partly stale and a failed check of
 * settling assignments are said, not hidden.
 *
 * The fleet (every merchant's remaining quota, fewest days left first) and the automatic
 * top-up rules (set from the assign form's order, SKU and merchant, with what each did)
 * are below.
 */
import { CloudError } from '../../services/cloud';
import { errorText } from '../../services/errors';
import { chinaTimeText } from '../../services/admin';
import { newRequestId } from '../../services/request-id';
import {
  addMerchant,
  assignPack,
  cancelAssignment,
  listAssignments,
  listFleet,
  listOrders,
  listSkus,
  listTopups,
  recheckAssignment,
  removeTopup,
  setTopup,
  type AssignParams,
  type Assignment,
  type ProviderOrder,
  type ProviderSku,
} from '../../services/provider';
import {
  assignmentReasonText,
  checkRuleForm,
  EMPTY_RULE_FORM,
  fleetRows,
  ordersNotice,
  pollNotice,
  ruleRows,
  type FleetRow,
  type RuleForm,
  type RuleRow,
} from './fleet-view';
import {
  assignErrorText,
  canCancel,
  cancelErrorText,
  checkAssignForm,
  EMPTY_ASSIGN_FORM,
  figureText,
  isAppid,
  isSettling,
  orderStatusText,
  statusLabel,
  type AssignForm,
} from './assign-form';

interface Confirm {
  params: AssignParams;
  calls: number;
  skuName: string;
  startText: string;
  /** The last attempt failed in transit: its outcome is unknown and the button says 重试. */
  retrying: boolean;
}

interface AssignmentRow extends Assignment {
  statusText: string;
  reasonText: string;
  callsText: string;
  cancellable: boolean;
  recheckable: boolean;
  createdText: string;
}

const failureText = (prefix: string, err: unknown) =>
  err instanceof CloudError && err.code !== 'NETWORK' ? `${prefix}：${errorText(err)}` : `${prefix}，请稍后重试`;

interface OrderRow extends ProviderOrder {
  createdText: string;
  statusText: string;
  countsText: string;
}

const sameRequest = (a: AssignParams, b: AssignParams) =>
  a.orderId === b.orderId && a.skuId === b.skuId && a.receiverAppId === b.receiverAppId && (a.beginTime ?? null) === (b.beginTime ?? null);

// Per component instance, outside `data` (nothing to render): the poll timer and the
// attempt whose outcome is unknown, so even a re-entered form reuses its key.
const timers = new WeakMap<object, ReturnType<typeof setTimeout>>();
const unsettled = new WeakMap<object, AssignParams>();
// Assignment list requests overlap (poll, after assign, after cancel): only an answer
// newer than the one on screen is shown, so a slow old answer never undoes a new one.
const listSeq = new WeakMap<object, { sent: number; shown: number }>();
function seqOf(owner: object) {
  let seq = listSeq.get(owner);
  if (!seq) listSeq.set(owner, (seq = { sent: 0, shown: 0 }));
  return seq;
}

Component({
  properties: {
    /** How often the assignment list refreshes while one is pending or cancelling. */
    pollMs: { type: Number, value: 2000 },
  },
  data: {
    state: 'loading' as 'loading' | 'ready' | 'forbidden' | 'error',
    message: '',
    orders: [] as OrderRow[],
    orderId: '',
    skus: [] as ProviderSku[],
    skusState: 'idle' as 'idle' | 'loading' | 'ready' | 'error',
    form: { ...EMPTY_ASSIGN_FORM } as AssignForm,
    formMessage: '',
    confirm: null as Confirm | null,
    assigning: false,
    assignments: [] as AssignmentRow[],
    listMessage: '',
    cancellingId: '',
    ordersNotice: '',
    pollNotice: '',
    fleet: [] as FleetRow[],
    fleetNext: null as string | null,
    fleetMessage: '',
    fleetAppid: '',
    rules: [] as RuleRow[],
    ruleForm: { ...EMPTY_RULE_FORM } as RuleForm,
    ruleMessage: '',
  },
  lifetimes: {
    attached() {
      void this.load();
    },
    detached() {
      const timer = timers.get(this);
      if (timer !== undefined) clearTimeout(timer);
      timers.delete(this);
    },
  },
  methods: {
    load() {
      const n = ++seqOf(this).sent;
      return Promise.all([listOrders(), listAssignments()]).then(
        ([list, { assignments, pollError }]) => {
          this.setData({
            state: 'ready',
            message: '',
            orders: list.orders.map(orderRow),
            ordersNotice: ordersNotice(list.staleBecause, list.unavailable),
          });
          this.showAssignments(assignments, n, pollError);
          return Promise.all([this.loadFleet(), this.loadRules()]);
        },
        (err: unknown) => {
          if (err instanceof CloudError && err.code === 'FORBIDDEN')
            this.setData({ state: 'forbidden', message: '无权限：只有服务商管理员可以分配资源包' });
          else
            this.setData({
              state: 'error',
              message: err instanceof CloudError && err.code !== 'NETWORK' ? `加载失败：${errorText(err)}` : '加载失败，请重试',
            });
        },
      );
    },
    onReload() {
      this.setData({ state: 'loading' });
      return this.load();
    },
    refreshOrders() {
      return listOrders().then(
        (list) => this.setData({ orders: list.orders.map(orderRow), ordersNotice: ordersNotice(list.staleBecause, list.unavailable) }),
        (err: unknown) => this.setData({ ordersNotice: failureText('订单刷新失败，显示的是之前的结果', err) }),
      );
    },
    refreshAssignments() {
      const n = ++seqOf(this).sent;
      return listAssignments().then(
        ({ assignments, pollError }) => this.showAssignments(assignments, n, pollError),
        (err: unknown) => {
          this.setData({
            listMessage: err instanceof CloudError && err.code !== 'NETWORK' ? `刷新失败：${errorText(err)}` : '刷新失败，请稍后重试',
          });
          this.schedulePoll(true);
        },
      );
    },
    showAssignments(assignments: Assignment[], n: number, pollError: string | null) {
      const seq = seqOf(this);
      if (n < seq.shown) return;
      seq.shown = n;
      const rows: AssignmentRow[] = assignments.map((a) => ({
        ...a,
        statusText: statusLabel(a.status),
        reasonText: assignmentReasonText(a),
        callsText: figureText(a.calls),
        cancellable: canCancel(a.status),
        recheckable: a.status === 'unknown',
        createdText: chinaTimeText(a.createdAt),
      }));
      const settledSome = this.data.assignments.some(
        (old) => isSettling(old.status) && rows.some((r) => r.assignmentId === old.assignmentId && !isSettling(r.status)),
      );
      this.setData({ assignments: rows, listMessage: '', pollNotice: pollNotice(pollError) });
      // A settled assignment changes what its order has left.
      if (settledSome) void this.refreshOrders();
      this.schedulePoll(rows.some((r) => isSettling(r.status)));
    },
    schedulePoll(needed: boolean) {
      const timer = timers.get(this);
      if (timer !== undefined) clearTimeout(timer);
      timers.delete(this);
      if (!needed) return;
      timers.set(
        this,
        setTimeout(() => {
          timers.delete(this);
          void this.refreshAssignments();
        }, this.data.pollMs),
      );
    },
    onRefreshAssignments() {
      void this.refreshOrders();
      return this.refreshAssignments();
    },

    onPickOrder(e: { currentTarget: { dataset: { orderId: string } } }) {
      const orderId = e.currentTarget.dataset.orderId;
      if (orderId === this.data.orderId && this.data.skusState === 'ready') return;
      this.setData({ orderId, skus: [], skusState: 'loading', 'form.skuId': '', formMessage: '', confirm: null });
      listSkus(orderId).then(
        ({ skus }) => {
          if (this.data.orderId === orderId) this.setData({ skus, skusState: 'ready' });
        },
        (err: unknown) => {
          if (this.data.orderId === orderId)
            this.setData({
              skusState: 'error',
              formMessage:
                err instanceof CloudError && err.code !== 'NETWORK' ? `规格加载失败：${errorText(err)}` : '规格加载失败，请重新选择订单',
            });
        },
      );
    },
    onSku(e: { detail: { value: string } }) {
      this.setData({ 'form.skuId': e.detail.value, formMessage: '', confirm: null });
    },
    onAppid(e: { detail: { value: string } }) {
      this.setData({ 'form.appid': e.detail.value, formMessage: '', confirm: null });
    },
    onStart(e: { detail: { value: string } }) {
      this.setData({ 'form.startText': e.detail.value, formMessage: '', confirm: null });
    },
    onClearStart() {
      this.setData({ 'form.startText': '', confirm: null });
    },

    /** 分配: check the form on the phone, then ask for confirmation. */
    onAssign() {
      const order = this.data.orders.find((o) => o.orderId === this.data.orderId) ?? null;
      const checked = checkAssignForm(this.data.form, order, this.data.skus);
      if ('error' in checked) {
        this.setData({ formMessage: checked.error, confirm: null });
        return;
      }
      const { calls, ...request } = checked.ok;
      // The same request as one whose outcome is still unknown keeps that key.
      const previous = unsettled.get(this);
      const idempotencyKey =
        previous && sameRequest(previous, { ...request, idempotencyKey: '' }) ? previous.idempotencyKey : newRequestId('a');
      const sku = this.data.skus.find((s) => s.skuId === request.skuId);
      this.setData({
        formMessage: '',
        confirm: {
          params: { ...request, idempotencyKey },
          calls,
          skuName: sku?.name ?? request.skuId,
          startText: this.data.form.startText.trim(),
          retrying: false,
        },
      });
    },
    onCancelConfirm() {
      this.setData({ confirm: null });
    },
    /** 确认分配 (or 重试): sends the confirmation's key, the same one on every retry. */
    onConfirm() {
      const confirm = this.data.confirm;
      if (!confirm || this.data.assigning) return;
      this.setData({ assigning: true, formMessage: '' });
      unsettled.set(this, confirm.params);
      return assignPack(confirm.params).then(
        () => {
          unsettled.delete(this);
          this.setData({ assigning: false, confirm: null, form: { ...EMPTY_ASSIGN_FORM }, formMessage: '已提交分配，等待微信确认' });
          this.triggerEvent('assigned', { idempotencyKey: confirm.params.idempotencyKey });
          void this.refreshOrders();
          return this.refreshAssignments();
        },
        (err: unknown) => {
          if (err instanceof CloudError && err.code === 'NETWORK') {
            // Outcome unknown: keep the confirmation and its key for the retry.
            this.setData({ assigning: false, 'confirm.retrying': true, formMessage: assignErrorText(err) });
            return;
          }
          // The server answered: the key is spent either way.
          unsettled.delete(this);
          this.setData({ assigning: false, confirm: null, formMessage: assignErrorText(err) });
          void this.refreshOrders();
          return this.refreshAssignments();
        },
      );
    },

    /** 撤回: asks once more inline, then withdraws. */
    onAskCancel(e: { currentTarget: { dataset: { id: string } } }) {
      this.setData({ cancellingId: e.currentTarget.dataset.id, listMessage: '' });
    },
    onKeepAssignment() {
      this.setData({ cancellingId: '' });
    },
    onConfirmCancel() {
      const id = this.data.cancellingId;
      if (!id) return;
      this.setData({ cancellingId: '', listMessage: '' });
      return cancelAssignment(id).then(
        () => this.refreshAssignments().then(() => this.setData({ listMessage: '已提交撤回，等待微信确认' })),
        (err: unknown) => this.refreshAssignments().then(() => this.setData({ listMessage: cancelErrorText(err) })),
      );
    },

    /** 重新核对: an unknown assignment looked up in the merchant's packages. */
    onRecheck(e: { currentTarget: { dataset: { id: string } } }) {
      this.setData({ listMessage: '' });
      return recheckAssignment(e.currentTarget.dataset.id).then(
        (a) =>
          this.refreshAssignments().then(() =>
            this.setData({ listMessage: a.status === 'unknown' ? '仍未在商户的资源包中找到，可撤回以确认' : '已核对' }),
          ),
        (err: unknown) => this.setData({ listMessage: failureText('核对失败', err) }),
      );
    },

    // ------------------------------------------------------------------ fleet
    loadFleet(options: { refresh?: boolean; more?: boolean } = {}) {
      const cursor = options.more ? (this.data.fleetNext ?? undefined) : undefined;
      return listFleet({ ...(cursor ? { cursor } : {}), ...(options.refresh ? { refresh: true } : {}) }).then(
        (page) =>
          this.setData({
            fleet: options.more ? [...this.data.fleet, ...fleetRows(page.merchants)] : fleetRows(page.merchants),
            fleetNext: page.nextCursor,
            fleetMessage: '',
          }),
        (err: unknown) => this.setData({ fleetMessage: failureText('商户额度加载失败', err) }),
      );
    },
    onRefreshFleet() {
      return this.loadFleet({ refresh: true });
    },
    onMoreFleet() {
      return this.loadFleet({ more: true });
    },
    onFleetAppid(e: { detail: { value: string } }) {
      this.setData({ fleetAppid: e.detail.value, fleetMessage: '' });
    },
    onAddMerchant() {
      const appid = this.data.fleetAppid.trim();
      if (!isAppid(appid)) {
        this.setData({ fleetMessage: '商户小程序 AppID 格式不正确：应为 wx 加 16 位小写十六进制字符' });
        return;
      }
      return addMerchant(appid).then(
        () => {
          this.setData({ fleetAppid: '' });
          return this.loadFleet();
        },
        (err: unknown) => this.setData({ fleetMessage: failureText('添加失败', err) }),
      );
    },

    // ------------------------------------------------------------------ top-up rules
    loadRules() {
      return listTopups().then(
        ({ rules }) => this.setData({ rules: ruleRows(rules) }),
        (err: unknown) => this.setData({ ruleMessage: failureText('补充规则加载失败', err) }),
      );
    },
    onRuleKind(e: { detail: { value: string } }) {
      this.setData({ 'ruleForm.kind': e.detail.value === 'realtime' ? 'realtime' : 'quick', ruleMessage: '' });
    },
    onRuleBelow(e: { detail: { value: string } }) {
      this.setData({ 'ruleForm.belowText': e.detail.value, ruleMessage: '' });
    },
    onRuleMax(e: { detail: { value: string } }) {
      this.setData({ 'ruleForm.maxText': e.detail.value, ruleMessage: '' });
    },
    /** 保存自动补充规则: the assign form's order, SKU and merchant, with the rule's threshold and monthly limit. */
    onSetRule() {
      const checked = checkRuleForm(this.data.ruleForm, {
        orderId: this.data.orderId,
        skuId: this.data.form.skuId,
        appid: this.data.form.appid,
      });
      if ('error' in checked) {
        this.setData({ ruleMessage: checked.error });
        return;
      }
      return setTopup(checked.ok).then(
        () => {
          this.setData({ ruleMessage: '规则已保存，定时任务每小时检查一次', ruleForm: { ...EMPTY_RULE_FORM } });
          return this.loadRules();
        },
        (err: unknown) =>
          this.setData({
            ruleMessage:
              err instanceof CloudError && err.code === 'INVALID_ARGUMENT'
                ? '该订单已不能分配此规格，请换一个订单或规格'
                : failureText('保存失败', err),
          }),
      );
    },
    onRemoveRule(e: { currentTarget: { dataset: { appid: string; kind: string } } }) {
      const { appid, kind } = e.currentTarget.dataset;
      return removeTopup(appid, kind === 'realtime' ? 'realtime' : 'quick').then(
        () => this.loadRules(),
        (err: unknown) => this.setData({ ruleMessage: failureText('删除失败', err) }),
      );
    },
  },
});

function orderRow(o: ProviderOrder): OrderRow {
  return {
    ...o,
    createdText: o.createdAt ? chinaTimeText(o.createdAt) : '下单时间未知',
    statusText: orderStatusText(o.status),
    countsText: `总次数 ${figureText(o.calls)} · 已分配 ${figureText(o.used)} · 剩余 ${figureText(o.remaining)}`,
  };
}
