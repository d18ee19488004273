import { chinaDayStart } from './china-time';
import { catalogue, type CatalogueEntry } from './pack-catalogue';
import { applyCharges, type Pack } from './quota-ledger';
import { cheapestCover, recommend } from './recommendation';

const at = new Date('2026-11-21T04:00:00Z');
const quick365 = catalogue().filter((e) => e.kind === 'quick' && e.validityDays === 365);
const trial = (calls: number): Pack => ({
  id: 'trial',
  kind: 'quick',
  source: 'trial',
  calls,
  startsAt: chinaDayStart('2026-01-01'),
  expiresAt: null,
});
const empty = applyCharges([trial(0)], [], at);

/** Every multiset of up to `max` of each entry: the reference for small needs. */
function bruteForce(entries: CatalogueEntry[], need: number, max = 6): number {
  let best = Number.POSITIVE_INFINITY;
  const walk = (i: number, calls: number, price: number) => {
    if (calls >= need) return void (best = Math.min(best, price));
    if (i === entries.length) return;
    for (let n = 0; n <= max; n++) walk(i + 1, calls + n * entries[i]!.calls, price + n * entries[i]!.priceFen);
  };
  walk(0, 0, 0);
  return best;
}

test('the cheapest cover matches an exhaustive search', () => {
  const odd: CatalogueEntry[] = [
    { kind: 'quick', calls: 300, validityDays: 90, priceFen: 1000 },
    { kind: 'quick', calls: 700, validityDays: 90, priceFen: 2000 },
    { kind: 'quick', calls: 1000, validityDays: 90, priceFen: 3100 },
  ];
  for (const need of [1, 299, 300, 301, 650, 999, 1000, 1401, 2100, 3333]) {
    expect(cheapestCover(odd, need).priceFen).toBe(bruteForce(odd, need));
    expect(cheapestCover(odd, need).calls).toBeGreaterThanOrEqual(need);
  }
  for (const need of [1, 1000, 1001, 6000, 14_999, 60_000])
    expect(cheapestCover(quick365, need).priceFen).toBe(bruteForce(quick365, need, 3));
});

test('nothing needed, nothing bought', () => {
  expect(cheapestCover(quick365, 0)).toMatchObject({ calls: 0, priceFen: 0 });
});

test('use below 50 a month with no quota left: a small pack, priced exactly', () => {
  const rec = recommend(catalogue(), 'quick', empty, 40, at);
  // 90 days need 120 → one 250-call pack at 7.50 (6.25 fen per needed call); a year
  // needs 487 → one 1000-call pack at 30.00 (6.16 fen per needed call).
  expect(rec).toMatchObject({
    calls: 1000,
    validityDays: 365,
    priceYuan: '30.00',
    packs: [{ calls: 1000, validityDays: 365, priceYuan: '30.00', count: 1 }],
  });
});

test('a short 90-day pack wins when it is cheaper per needed call', () => {
  // At 20 a month: 90 days need 60 (one 250 pack at 5.00), a year 244 (1000 at 30.00).
  const cheap90 = catalogue().map((e) => (e.validityDays === 90 ? { ...e, priceFen: 500 } : e));
  expect(recommend(cheap90, 'quick', empty, 20, at)).toMatchObject({ calls: 250, validityDays: 90, priceYuan: '5.00' });
});

test('large volumes: 3 million a month combines big packs at the lowest total price', () => {
  const rec = recommend(catalogue(), 'quick', empty, 3_000_000, at)!;
  // A year at 3M/month is 36.5M calls: 3×10M + 5M + 1M + 500k = 993,000.00 beats 4×10M.
  expect(rec.validityDays).toBe(365);
  expect(rec.calls).toBe(36_500_000);
  expect(rec.priceYuan).toBe('993000.00');
  expect(rec.packs).toEqual([
    { calls: 10_000_000, validityDays: 365, priceYuan: '270000.00', perCallYuan: '0.027', count: 3 },
    { calls: 5_000_000, validityDays: 365, priceYuan: '140000.00', perCallYuan: '0.028', count: 1 },
    { calls: 1_000_000, validityDays: 365, priceYuan: '28000.00', perCallYuan: '0.028', count: 1 },
    { calls: 500_000, validityDays: 365, priceYuan: '15000.00', perCallYuan: '0.03', count: 1 },
  ]);
  expect(rec.perCallYuan).toBe('0.0272'); // 993,000.00 ÷ 36.5M
  expect(rec.alternative).toBeNull(); // nothing larger on offer
});

test('needs beyond the exact search start from the cheapest-per-call pack and still cover', () => {
  const combo = cheapestCover(quick365, 5_000_000_000);
  expect(combo.calls).toBeGreaterThanOrEqual(5_000_000_000);
  expect(combo.counts[quick365.findIndex((e) => e.calls === 10_000_000)]).toBeGreaterThanOrEqual(499);
});

test('covered for the shortest validity on offer, or no use at all: nothing to buy yet', () => {
  expect(recommend(catalogue(), 'quick', applyCharges([trial(1000)], [], at), 40, at)).toBeNull();
  expect(recommend(catalogue(), 'quick', empty, 0, at)).toBeNull();
});

test('existing quota is subtracted from the need; options compare by price per needed call', () => {
  const state = applyCharges([trial(2000)], [], at);
  // 1000 a month: 90 days need 3,000, 1,000 beyond what is left → 4×250 = 30.00 (3 fen a call).
  // A year needs 12,167, 10,167 beyond → 10k + 1k = 330.00 (3.25 fen a call).
  expect(recommend(catalogue(), 'quick', state, 1000, at)).toMatchObject({
    calls: 1000,
    validityDays: 90,
    priceYuan: '30.00',
    packs: [{ calls: 250, validityDays: 90, priceYuan: '7.50', count: 4 }],
  });
  // Without the small pack on offer, the year's need is bought.
  const yearOnly = catalogue().filter((e) => e.validityDays === 365);
  expect(recommend(yearOnly, 'quick', state, 1000, at)).toMatchObject({ calls: 11_000, validityDays: 365, priceYuan: '330.00' });
});

test('a steady 3,000 a month: one line per pack type with its quantity, and one larger pack that costs little more and lasts longer beside it', () => {
  const rec = recommend(catalogue(), 'quick', empty, 3000, at)!;
  // Cheapest: 90 days need 9,000 → 36 × 250 / 90 days = 270.00, 0.03 a call; lasts the 90 days.
  expect(rec).toMatchObject({ calls: 9000, validityDays: 90, priceYuan: '270.00', perCallYuan: '0.03', coversDays: 90 });
  expect(rec.packs).toEqual([{ calls: 250, validityDays: 90, priceYuan: '7.50', perCallYuan: '0.03', count: 36 }]);
  // Beside it: one 10,000 / 365 pack for 300.00 (30.00 more), also 0.03 a call, lasting 100 days at 100 a day.
  expect(rec.alternative).toEqual({
    calls: 10_000,
    validityDays: 365,
    priceYuan: '300.00',
    perCallYuan: '0.03',
    coversDays: 100,
    extraYuan: '30.00',
    packs: [{ calls: 10_000, validityDays: 365, priceYuan: '300.00', perCallYuan: '0.03', count: 1 }],
  });
});

test('no alternative when the larger pack costs much more, or does not last longer', () => {
  // 600 a month: a year's 8,000 calls for 240.00 already last the year; 10,000 for 300.00 (25% more) would not last longer.
  expect(recommend(catalogue(), 'quick', empty, 600, at)!.alternative).toBeNull();
  // 1,500 a month: 4,500 for 135.00 over 90 days; 5,000 / 365 for 150.00 (11% more) lasts 100 days.
  expect(recommend(catalogue(), 'quick', empty, 1500, at)).toMatchObject({
    priceYuan: '135.00',
    coversDays: 90,
    alternative: { calls: 5000, priceYuan: '150.00', coversDays: 100, extraYuan: '15.00' },
  });
  // Current packs count in the days covered: 3,000 left add 30 days to both.
  const withLeft = applyCharges([trial(3000)], [], at);
  expect(recommend(catalogue(), 'quick', withLeft, 3000, at)).toMatchObject({ calls: 6000, coversDays: 90, alternative: null });
});
