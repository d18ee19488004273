/**
 * Chart math for the usage page. The charts are plain views sized in percent (no
 * canvas): they scale with the phone, stay legible, and a test can read every bar.
 * Each bar and point carries its label and value as text (`aria`) for screen readers
 * and for the detail line shown when the merchant taps it.
 */

/** The curve's drawing area in rpx; index.wxss uses the same numbers (.curve__plot). */
export const CURVE_WIDTH_RPX = 630;
export const CURVE_HEIGHT_RPX = 240;

/** A round top for the scale, ≥ max, so the top gridline reads "250 次" rather than "231 次". */
export function niceCeiling(max: number): number {
  if (!(max > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) {
    const top = Math.ceil(step * power);
    if (top >= max) return top;
  }
  return Math.ceil(10 * power);
}

/** Counts on a narrow bar: 9999 as is, 12345 → "1.2万" (rounded down: never more than happened). */
export function compactCount(n: number): string {
  if (n < 10000) return String(n);
  if (n < 100000000) return `${trimZero(Math.floor(n / 1000) / 10)}万`;
  return `${trimZero(Math.floor(n / 10000000) / 10)}亿`;
}

const trimZero = (x: number) => String(x).replace(/\.0$/, '');
/** Two decimals are plenty for a style and keep the strings stable. */
const pct = (x: number) => Math.round(x * 100) / 100;

/** A nonzero value stays visible (1%) however small next to the top. */
function heightPct(value: number, top: number): number {
  if (value <= 0) return 0;
  return Math.max(1, pct((value / top) * 100));
}

export interface MonthBar {
  month: string;
  /** "MM", under the bar. */
  label: string;
  total: number;
  valueText: string;
  heightPct: number;
  /** The bar's two parts, as percent of the bar itself (they add up to 100). */
  quickShare: number;
  realtimeShare: number;
  aria: string;
  style: string;
}

interface MonthRow {
  month: string;
  quick: number;
  realtime: number;
  costYuan: string;
  /** The same calls at the list price, when the server sent it. */
  listValueYuan?: string;
}

/** "2026-05" → "2026年5月". */
export function monthText(month: string): string {
  return `${month.slice(0, 4)}年${Number(month.slice(5, 7))}月`;
}

/** "2026-05-03" → "5月3日". */
export function dayText(day: string): string {
  return `${Number(day.slice(5, 7))}月${Number(day.slice(8, 10))}日`;
}

const breakdown = (quick: number, realtime: number) => `共 ${quick + realtime} 次，快速验证 ${quick} 次，实时验证 ${realtime} 次`;

export function monthBars(months: MonthRow[]): { top: number; bars: MonthBar[] } {
  const top = niceCeiling(Math.max(0, ...months.map((m) => m.quick + m.realtime)));
  const bars = months.map((m) => {
    const total = m.quick + m.realtime;
    const height = heightPct(total, top);
    const quickShare = total === 0 ? 0 : pct((m.quick / total) * 100);
    return {
      month: m.month,
      label: m.month.slice(5, 7),
      total,
      valueText: compactCount(total),
      heightPct: height,
      quickShare,
      realtimeShare: total === 0 ? 0 : pct(100 - quickShare),
      aria: `${monthText(m.month)}：${breakdown(m.quick, m.realtime)}，费用 ¥${m.costYuan}${m.listValueYuan && m.listValueYuan !== m.costYuan ? `（按标价 ¥${m.listValueYuan}）` : ''}`,
      style: `height: ${height}%;`,
    };
  });
  return { top, bars };
}

export interface CurvePoint {
  day: string;
  /** "DD"; shown under every fifth point counting back from today, all in `aria`. */
  label: string;
  showLabel: boolean;
  value: number;
  valueText: string;
  leftPct: number;
  bottomPct: number;
  aria: string;
  style: string;
  /** The line to the next point, drawn as a rotated thin view; null for the last point. */
  segment: { lengthRpx: number; angleDeg: number; style: string } | null;
}

interface DayRow {
  day: string;
  quick: number;
  realtime: number;
}

export function dayCurve(days: DayRow[]): { top: number; points: CurvePoint[] } {
  const top = niceCeiling(Math.max(0, ...days.map((d) => d.quick + d.realtime)));
  const n = days.length;
  const xs = days.map((_, i) => (n <= 1 ? 50 : pct((i / (n - 1)) * 100)));
  const ys = days.map((d) => pct(((d.quick + d.realtime) / top) * 100));
  const points = days.map((d, i) => {
    const left = xs[i]!;
    const bottom = ys[i]!;
    let segment: CurvePoint['segment'] = null;
    if (i + 1 < n) {
      // Measured in rpx, not percent: the angle depends on the plot's real proportions.
      const dx = ((xs[i + 1]! - left) / 100) * CURVE_WIDTH_RPX;
      const dy = ((ys[i + 1]! - bottom) / 100) * CURVE_HEIGHT_RPX;
      const lengthRpx = pct(Math.hypot(dx, dy));
      const angleDeg = pct((Math.atan2(dy, dx) * 180) / Math.PI);
      // CSS rotates clockwise with y pointing down; our y points up, hence the minus.
      segment = {
        lengthRpx,
        angleDeg,
        style: `left: ${left}%; bottom: ${bottom}%; width: ${lengthRpx}rpx; transform: rotate(${-angleDeg}deg);`,
      };
    }
    const value = d.quick + d.realtime;
    return {
      day: d.day,
      label: d.day.slice(8, 10),
      showLabel: (n - 1 - i) % 5 === 0,
      value,
      valueText: compactCount(value),
      leftPct: left,
      bottomPct: bottom,
      aria: `${dayText(d.day)}：${breakdown(d.quick, d.realtime)}`,
      style: `left: ${left}%; bottom: ${bottom}%;`,
      segment,
    };
  });
  return { top, points };
}
