/**
 * order-list: the user's own orders (`orders.list`), newest first, as the server
 * stored them; no price while the merchant hides prices (the server sends none).
 * `reload()` asks again (after a submit); so does each page show.
 */
import { errorText } from '../../services/errors';
import { yuanText } from '../../services/money';
import { chinaTimeText } from '../../services/admin';
import { listMyOrders, MODE_LABELS, type Order } from '../../services/orders';

interface Row {
  orderId: string;
  title: string;
  linesText: string;
  totalText: string;
}

function row(o: Order): Row {
  return {
    orderId: o.orderId,
    title: `${MODE_LABELS[o.mode]} · ${chinaTimeText(o.createdAt)} · 单号 ${o.orderId.slice(0, 12)}`,
    linesText: o.lines.map((l) => `${l.name} × ${l.qty}`).join('，'),
    totalText: o.totalFen !== undefined ? `合计 ${yuanText(o.totalFen)}` : '',
  };
}

Component({
  data: { state: 'loading' as 'loading' | 'ready' | 'error', rows: [] as Row[], message: '' },
  lifetimes: {
    attached() {
      void this.reload();
    },
  },
  pageLifetimes: {
    show() {
      if (this.data.state !== 'loading') void this.reload();
    },
  },
  methods: {
    reload(): Promise<void> {
      return listMyOrders().then(
        ({ orders }) => this.setData({ state: 'ready', rows: orders.map(row), message: '' }),
        (err: unknown) =>
          this.setData({ state: this.data.state === 'ready' ? 'ready' : 'error', message: `订单加载失败：${errorText(err)}` }),
      );
    },
  },
});
