/**
 * statement-panel: 月度账单 — one China month's calls and true cost, day by day and pack
 * by pack, with the totals the usage summary shows for that month, the packs that
 * started in it and WeChat's own count beside ours. The CSV (UTF-8 with BOM, Chinese
 * headers) can be copied or sent as a file to a chat, to reconcile WeChat's invoice.
 */
import { errorText } from '../../services/errors';
import { KIND_LABELS } from '../../services/admin';
import { canShareFile, chinaMonthOf, copyCsv, getStatement, shareCsv, type MonthStatement } from '../../services/statement';

const PACKS: Record<string, string> = { trial: '体验额度', self: '自购资源包', provider: '服务商分配' };

function rowsView(s: MonthStatement) {
  return s.rows.map((r, i) => ({
    key: `${r.day}-${r.kind}-${i}`,
    day: r.day.slice(5),
    kind: KIND_LABELS[r.kind],
    calls: r.calls,
    pack: r.pack ? PACKS[r.pack.source] : '无对应资源包（按标价估算）',
    costYuan: r.costYuan,
    unitPriceYuan: r.unitPriceYuan,
  }));
}

Component({
  data: {
    month: chinaMonthOf(new Date()),
    latest: chinaMonthOf(new Date()),
    state: 'loading' as 'loading' | 'ready' | 'error',
    message: '',
    totals: null as null | MonthStatement['totals'],
    rows: [] as ReturnType<typeof rowsView>,
    wechat: [] as Array<{ kind: string; text: string }>,
    packCount: 0,
    csv: '',
    canShare: false,
    notice: '',
  },
  lifetimes: {
    attached() {
      this.setData({ canShare: canShareFile() });
      void this.load();
    },
  },
  methods: {
    async load() {
      const { month } = this.data;
      this.setData({ state: 'loading', message: '', notice: '' });
      try {
        const s = await getStatement(month);
        if (s.month !== this.data.month) return; // another month was picked meanwhile
        this.setData({
          state: 'ready',
          totals: s.totals,
          rows: rowsView(s),
          packCount: s.packs.length,
          wechat: s.wechat.map((w) => ({
            kind: KIND_LABELS[w.kind],
            text: `微信累计 ${w.wechatUsed} 次，我们记录 ${w.localCharges} 次：${w.explanation}`,
          })),
          csv: s.csv,
        });
      } catch (err) {
        this.setData({ state: 'error', message: `账单加载失败：${errorText(err)}` });
      }
    },
    onPickMonth(e: WechatMiniprogram.PickerChange) {
      this.setData({ month: String(e.detail.value).slice(0, 7) });
      void this.load();
    },
    onCopy() {
      if (!this.data.csv) return;
      copyCsv(this.data.csv).then(
        () => this.setData({ notice: '已复制 CSV：粘贴到文本文件并以 .csv 保存，Excel 即可打开' }),
        () => this.setData({ notice: '复制失败，请重试' }),
      );
    },
    onShare() {
      if (!this.data.csv) return;
      shareCsv(this.data.month, this.data.csv).then(
        () => this.setData({ notice: '已发送账单文件' }),
        () => this.setData({ notice: '未发送：可改用「复制 CSV」' }),
      );
    },
  },
});
