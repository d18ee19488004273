/** Chart math: scale tops, labels, bar heights and the curve's geometry. */
import { compactCount, CURVE_HEIGHT_RPX, CURVE_WIDTH_RPX, dayCurve, dayText, monthBars, monthText, niceCeiling } from './chart';

test.each([
  [0, 1],
  [-3, 1],
  [1, 1],
  [7, 8],
  [10, 10],
  [11, 12],
  [231, 250],
  [1001, 1200],
  [9000, 10000],
])('niceCeiling(%d) = %d', (max, top) => {
  expect(niceCeiling(max)).toBe(top);
});

test.each([
  [0, '0'],
  [9999, '9999'],
  [10000, '1万'],
  [12399, '1.2万'],
  [99999999, '9999.9万'],
  [250000000, '2.5亿'],
])('compactCount(%d) = %s', (n, text) => {
  expect(compactCount(n)).toBe(text);
});

test('month and day texts', () => {
  expect(monthText('2026-05')).toBe('2026年5月');
  expect(dayText('2026-12-03')).toBe('12月3日');
});

describe('monthBars', () => {
  const months = [
    { month: '2026-03', quick: 0, realtime: 0, costYuan: '0.00' },
    { month: '2026-04', quick: 150, realtime: 50, costYuan: '6.50' },
    { month: '2026-05', quick: 1, realtime: 0, costYuan: '0.03' },
  ];

  test('labels each bar with its month "MM" and its count, scaled to a round top', () => {
    const { top, bars } = monthBars(months);
    expect(top).toBe(200);
    expect(bars.map((b) => [b.label, b.valueText, b.heightPct])).toEqual([
      ['03', '0', 0],
      ['04', '200', 100],
      // 0.5% would vanish; a month with charges stays visible.
      ['05', '1', 1],
    ]);
    expect(bars[1]).toMatchObject({ quickShare: 75, realtimeShare: 25, style: 'height: 100%;' });
  });

  test('the text for screen readers says the month, the counts and the cost', () => {
    expect(monthBars(months).bars[1]!.aria).toBe('2026年4月：共 200 次，快速验证 150 次，实时验证 50 次，费用 ¥6.50');
    // What the calls cost beside their list value, when they differ.
    expect(monthBars([{ ...months[1]!, costYuan: '0.00', listValueYuan: '6.50' }]).bars[0]!.aria).toBe(
      '2026年4月：共 200 次，快速验证 150 次，实时验证 50 次，费用 ¥0.00（按标价 ¥6.50）',
    );
  });

  test('all zero: a scale of 1 and flat bars, no division by zero', () => {
    const { top, bars } = monthBars([{ month: '2026-05', quick: 0, realtime: 0, costYuan: '0.00' }]);
    expect(top).toBe(1);
    expect(bars[0]).toMatchObject({ heightPct: 0, quickShare: 0, realtimeShare: 0 });
  });
});

describe('dayCurve', () => {
  const days = Array.from({ length: 30 }, (_, i) => ({
    day: `2026-05-${String(i + 1).padStart(2, '0')}`,
    quick: i === 29 ? 4 : 0,
    realtime: i === 28 ? 2 : 0,
  }));

  test('spreads the points across the width, oldest on the left, heights against a round top', () => {
    const { top, points } = dayCurve(days);
    expect(top).toBe(4);
    expect(points).toHaveLength(30);
    expect(points[0]).toMatchObject({ day: '2026-05-01', label: '01', leftPct: 0, bottomPct: 0, value: 0 });
    expect(points[28]).toMatchObject({ leftPct: 96.55, bottomPct: 50, valueText: '2' });
    expect(points[29]).toMatchObject({
      leftPct: 100,
      bottomPct: 100,
      valueText: '4',
      segment: null,
      aria: '5月30日：共 4 次，快速验证 4 次，实时验证 0 次',
    });
  });

  test('labels today and every fifth day before it', () => {
    expect(
      dayCurve(days)
        .points.filter((p) => p.showLabel)
        .map((p) => p.label),
    ).toEqual(['05', '10', '15', '20', '25', '30']);
  });

  test('each segment ends on the next point: length and angle are measured in rpx', () => {
    const { points } = dayCurve(days);
    const rpx = (p: { leftPct: number; bottomPct: number }) =>
      [(p.leftPct / 100) * CURVE_WIDTH_RPX, (p.bottomPct / 100) * CURVE_HEIGHT_RPX] as const;
    points.slice(0, -1).forEach((p, i) => {
      const [x0, y0] = rpx(p);
      const [x1, y1] = rpx(points[i + 1]!);
      const { lengthRpx, angleDeg } = p.segment!;
      const rad = (angleDeg * Math.PI) / 180;
      expect(x0 + lengthRpx * Math.cos(rad)).toBeCloseTo(x1, 0);
      expect(y0 + lengthRpx * Math.sin(rad)).toBeCloseTo(y1, 0);
    });
    expect(points[0]!.segment!.angleDeg).toBe(0);
    // Upwards on screen is a negative CSS rotation.
    const rise = points[28]!.segment!;
    expect(rise.angleDeg).toBeGreaterThan(0);
    expect(rise.style).toContain(`rotate(-${rise.angleDeg}deg)`);
  });

  test('a single day sits in the middle with no segment', () => {
    expect(dayCurve([{ day: '2026-05-01', quick: 1, realtime: 0 }]).points[0]).toMatchObject({
      leftPct: 50,
      bottomPct: 100,
      segment: null,
      showLabel: true,
    });
  });
});
