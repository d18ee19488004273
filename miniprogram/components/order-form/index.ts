/**
 * order-form: the example order page's form, honouring two merchant settings.
 * - hidePrices (隐藏单价金额且只能以记账方式提交订单): no unit price or amount anywhere,
 *   and the only way to submit is bookkeeping (记账).
 * - hideShippingAddress (隐藏收货地址): no address section.
 * Settings come from the launch session (PublicSettings). Event:
 *   submit → { mode: "order" | "bookkeeping", lines, address: string | null }
 */
import { loadSession } from '../../services/session';
import { yuanText } from '../../services/money';

export interface OrderLine {
  name: string;
  qty: number;
  unitPriceFen: number;
}

Component({
  properties: {
    items: {
      type: Array,
      value: [
        { name: '示例商品 A', qty: 2, unitPriceFen: 1250 },
        { name: '示例商品 B', qty: 1, unitPriceFen: 399 },
      ],
    },
  },
  data: {
    ready: false,
    hidePrices: true,
    hideShippingAddress: true,
    lines: [] as Array<OrderLine & { unitPriceText: string; amountText: string }>,
    totalText: '',
    address: '',
    message: '',
  },
  lifetimes: {
    attached() {
      // Until the settings are known, show nothing that a setting might hide.
      loadSession().then(
        (s) => this.render(s.settings.hidePrices, s.settings.hideShippingAddress),
        () => this.render(true, true),
      );
    },
  },
  methods: {
    render(hidePrices: boolean, hideShippingAddress: boolean) {
      const items = this.data.items as OrderLine[];
      const lines = items.map((i) => ({
        ...i,
        unitPriceText: hidePrices ? '' : yuanText(i.unitPriceFen),
        amountText: hidePrices ? '' : yuanText(i.unitPriceFen * i.qty),
      }));
      const total = items.reduce((sum, i) => sum + i.unitPriceFen * i.qty, 0);
      this.setData({ ready: true, hidePrices, hideShippingAddress, lines, totalText: hidePrices ? '' : yuanText(total) });
    },
    onAddress(e: { detail: { value: string } }) {
      this.setData({ address: e.detail.value });
    },
    onSubmit(e: { currentTarget: { dataset: { mode: 'order' | 'bookkeeping' } } }) {
      const mode = e.currentTarget.dataset.mode;
      // With prices hidden an order can only be booked, whatever the caller sends.
      if (this.data.hidePrices && mode !== 'bookkeeping') return;
      if (!this.data.hideShippingAddress && mode === 'order' && !this.data.address.trim()) {
        this.setData({ message: '请填写收货地址' });
        return;
      }
      const lines = (this.data.items as OrderLine[]).map(({ name, qty }) => ({ name, qty }));
      this.triggerEvent('submit', { mode, lines, address: this.data.hideShippingAddress ? null : this.data.address.trim() || null });
      this.setData({ message: mode === 'bookkeeping' ? '已记账' : '订单已提交' });
    },
  },
});
