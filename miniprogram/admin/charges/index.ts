/**
 * 手机号验证记录: every phone-number charge, newest first, as `admin.usage.list` gives
 * it (time in China time, kind, masked number, whether it was verified), a page at a time.
 */
import { chinaTimeText, EXCHANGE_LABELS, KIND_LABELS, listCharges, type ChargeItem } from '../../services/admin';
import { errorText } from '../../services/errors';

interface Row {
  key: string;
  time: string;
  kind: string;
  phone: string;
  exchange: string;
}

const toRow = (c: ChargeItem, i: number): Row => ({
  key: `${c.at}-${i}`,
  time: chinaTimeText(c.at),
  kind: KIND_LABELS[c.kind],
  phone: c.phoneMasked ?? '—',
  exchange: EXCHANGE_LABELS[c.exchange],
});

Page({
  data: { state: 'loading' as 'loading' | 'ready' | 'error', rows: [] as Row[], cursor: null as string | null, busy: false, message: '' },
  onLoad() {
    this.more();
  },
  more() {
    if (this.data.busy) return;
    this.setData({ busy: true, message: '' });
    listCharges(this.data.cursor).then(
      ({ items, nextCursor }) => {
        const start = this.data.rows.length;
        this.setData({
          state: 'ready',
          busy: false,
          rows: [...this.data.rows, ...items.map((c, i) => toRow(c, start + i))],
          cursor: nextCursor,
        });
      },
      (err: unknown) => this.setData({ state: this.data.state === 'ready' ? 'ready' : 'error', busy: false, message: errorText(err) }),
    );
  },
  onMore() {
    this.more();
  },
});
