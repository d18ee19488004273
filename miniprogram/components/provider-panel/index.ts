/**
 * provider-panel: a service provider's staff assign phone-verification packs from
 * their bulk orders to merchant mini programs, and withdraw them.
 *
 * Orders (calls / used / remaining) → pick one → its SKUs → the assign form (merchant
 * appid checked on the phone, SKU, optional start date) → a confirmation step. The
 * idempotency key is made once when the staff member confirms; if the call's outcome
 * is unknown (network failure) the retry sends the same key, so it never assigns twice.
 * Assignments are listed with their status and refreshed while any is still settling.
 */
import { CloudError } from '../../services/cloud';
import { errorText } from '../../services/errors';
import { chinaTimeText } from '../../services/admin';
import {
  assignPack,
  cancelAssignment,
  listAssignments,
  listOrders,
  listSkus,
  type AssignParams,
  type Assignment,
  type ProviderOrder,
  type ProviderSku,
} from '../../services/provider';
import {
  assignErrorText,
  canCancel,
  cancelErrorText,
  checkAssignForm,
  EMPTY_ASSIGN_FORM,
  figureText,
  isSettling,
  newIdempotencyKey,
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
  callsText: string;
  cancellable: boolean;
  createdText: string;
}

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
        ([{ orders }, { assignments }]) => {
          this.setData({ state: 'ready', message: '', orders: orders.map(orderRow) });
          this.showAssignments(assignments, n);
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
        ({ orders }) => this.setData({ orders: orders.map(orderRow) }),
        () => undefined,
      );
    },
    refreshAssignments() {
      const n = ++seqOf(this).sent;
      return listAssignments().then(
        ({ assignments }) => this.showAssignments(assignments, n),
        (err: unknown) => {
          this.setData({
            listMessage: err instanceof CloudError && err.code !== 'NETWORK' ? `刷新失败：${errorText(err)}` : '刷新失败，请稍后重试',
          });
          this.schedulePoll(true);
        },
      );
    },
    showAssignments(assignments: Assignment[], n: number) {
      const seq = seqOf(this);
      if (n < seq.shown) return;
      seq.shown = n;
      const rows: AssignmentRow[] = assignments.map((a) => ({
        ...a,
        statusText: statusLabel(a.status),
        callsText: figureText(a.calls),
        cancellable: canCancel(a.status),
        createdText: chinaTimeText(a.createdAt),
      }));
      const settledSome = this.data.assignments.some(
        (old) => isSettling(old.status) && rows.some((r) => r.assignmentId === old.assignmentId && !isSettling(r.status)),
      );
      this.setData({ assignments: rows, listMessage: '' });
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
        previous && sameRequest(previous, { ...request, idempotencyKey: '' }) ? previous.idempotencyKey : newIdempotencyKey();
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
