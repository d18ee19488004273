/**
 * order-form: the example shop's order form, honouring two merchant settings that the
 * orders function enforces on the server:
 * - hidePrices (隐藏单价金额且只能以记账方式提交订单): the server sends no price at
 *   all, so none is in this component's data; the only way to submit is 记账.
 * - hideShippingAddress (隐藏收货地址): no address section, none sent.
 * After the user refused the privacy guide nothing personal is collected: no address
 * field (an order to be shipped needs one, so only 记账 is offered) until they agree.
 * Products, prices and the two flags come from `orders.products.list`, asked again
 * whenever the page shows. Nothing is shown before that answer. The stored order (as
 * the server answers it) is shown after submitting. Event:
 *   submitted → Order (the stored order)
 */
import { errorText } from '../../services/errors';
import { yuanText } from '../../services/money';
import { privacyRefused } from '../../services/privacy';
import { listProducts, newOrderRequestId, submitOrder, type Catalogue, type Order, type OrderMode } from '../../services/orders';

interface Line {
  productId: string;
  name: string;
  qty: number;
  /** '' while prices are hidden (the server sent none). */
  unitPriceText: string;
}

const MESSAGES = {
  loadFailed: '商品加载失败，请重试',
  addressNeeded: '请填写收货地址',
  nothingChosen: '请至少选择一件商品',
  onlyBookkeeping: '商家已调整下单方式：现在只能以记账方式提交，请确认后再提交',
  noAddress: '商家已不再收集收货地址，请确认后再提交',
} as const;

function orderText(order: Order): { title: string; lines: Array<{ key: string; text: string }>; totalText: string } {
  return {
    title: `${order.mode === 'bookkeeping' ? '已记账' : '订单已提交'}，单号 ${order.orderId.slice(0, 12)}`,
    lines: order.lines.map((l) => ({
      key: l.productId,
      text: `${l.name} × ${l.qty}${l.amountFen !== undefined ? `  ${yuanText(l.amountFen)}` : ''}`,
    })),
    totalText: order.totalFen !== undefined ? `合计 ${yuanText(order.totalFen)}` : '',
  };
}

/** Unit prices for the total, per instance and outside `data`; empty while prices are hidden (the server sent none). */
const pricesOf = new WeakMap<object, Map<string, number>>();

Component({
  data: {
    state: 'loading' as 'loading' | 'ready' | 'error',
    hidePrices: true,
    hideShippingAddress: true,
    /** The user refused the privacy guide: no address is asked for, so no order to ship. */
    privacyRefused: false,
    lines: [] as Line[],
    totalText: '',
    address: '',
    message: '',
    submitting: false,
    /** One id per submission: a resend after a failure finds the same order on the server. */
    requestId: '',
    order: null as ReturnType<typeof orderText> | null,
  },
  lifetimes: {
    attached() {
      void this.load();
    },
  },
  pageLifetimes: {
    /** The merchant may have changed the settings while the page was hidden. */
    show() {
      if (this.data.state !== 'loading' && !this.data.submitting) void this.load();
    },
  },
  methods: {
    load(message = ''): Promise<void> {
      return listProducts().then(
        (catalogue) => this.render(catalogue, message),
        () => this.setData({ state: this.data.state === 'ready' ? 'ready' : 'error', message: MESSAGES.loadFailed }),
      );
    },

    render(catalogue: Catalogue, message: string) {
      const previous = new Map((this.data.lines as Line[]).map((l) => [l.productId, l.qty]));
      const lines: Line[] = catalogue.products.map((p) => ({
        productId: p.productId,
        name: p.name,
        qty: previous.get(p.productId) ?? 1,
        unitPriceText: p.unitPriceFen !== undefined && !catalogue.hidePrices ? yuanText(p.unitPriceFen) : '',
      }));
      pricesOf.set(this, catalogue.hidePrices ? new Map() : new Map(catalogue.products.map((p) => [p.productId, p.unitPriceFen ?? 0])));
      this.setData({
        state: 'ready',
        privacyRefused: privacyRefused(),
        hidePrices: catalogue.hidePrices,
        hideShippingAddress: catalogue.hideShippingAddress,
        lines,
        message,
      });
      this.updateTotal();
    },

    updateTotal() {
      if (this.data.hidePrices) {
        this.setData({ totalText: '' });
        return;
      }
      const total = (this.data.lines as Line[]).reduce((sum, l) => sum + (pricesOf.get(this)?.get(l.productId) ?? 0) * l.qty, 0);
      this.setData({ totalText: yuanText(total) });
    },

    onQty(e: { currentTarget: { dataset: { index: number; step: number } } }) {
      const { index, step } = e.currentTarget.dataset;
      const line = (this.data.lines as Line[])[Number(index)];
      if (!line) return;
      const qty = Math.max(0, Math.min(999, line.qty + Number(step)));
      this.setData({ [`lines[${index}].qty`]: qty, message: '', requestId: '' });
      this.updateTotal();
    },

    onAddress(e: { detail: { value: string } }) {
      this.setData({ address: e.detail.value, requestId: '' });
    },

    onSubmit(e: { currentTarget: { dataset: { mode: OrderMode } } }) {
      if (this.data.submitting) return;
      const mode = e.currentTarget.dataset.mode;
      // The server refuses it too; the button is not even shown.
      if (this.data.hidePrices && mode !== 'bookkeeping') return;
      // An order to ship needs an address, which is not collected after a privacy refusal.
      if (this.data.privacyRefused && mode !== 'bookkeeping') return;
      const lines = (this.data.lines as Line[]).filter((l) => l.qty > 0).map(({ productId, qty }) => ({ productId, qty }));
      if (lines.length === 0) {
        this.setData({ message: MESSAGES.nothingChosen });
        return;
      }
      const address = this.data.hideShippingAddress || this.data.privacyRefused ? null : this.data.address.trim() || null;
      if (!this.data.hideShippingAddress && mode === 'order' && !address) {
        this.setData({ message: MESSAGES.addressNeeded });
        return;
      }
      const requestId = this.data.requestId || newOrderRequestId();
      this.setData({ submitting: true, requestId, message: '' });
      submitOrder({ mode, lines, address, requestId }).then(
        (order) => {
          this.setData({ submitting: false, requestId: '', order: orderText(order), message: '' });
          this.triggerEvent('submitted', order);
        },
        (err: unknown) => {
          this.setData({ submitting: false });
          const text = errorText(err, {
            'FORBIDDEN:mode': MESSAGES.onlyBookkeeping,
            'FORBIDDEN:address': MESSAGES.noAddress,
            'INVALID_ARGUMENT:address': MESSAGES.addressNeeded,
            INVALID_ARGUMENT: '订单内容有误，请检查后再提交',
          });
          // The settings changed under us: show them as they are now, then say why.
          if (err && typeof err === 'object' && (err as { code?: string }).code === 'FORBIDDEN') void this.load(text);
          else this.setData({ message: text });
        },
      );
    },

    onNewOrder() {
      this.setData({ order: null, message: '' });
    },
  },
});
