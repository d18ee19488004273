import bundled from './pack-catalogue.json';
import { catalogue, parseCatalogue } from './pack-catalogue';
import { compareFen, fenOf, yuanToFen } from './pricing';

test("the bundled catalogue has WeChat's quick packs in exact fen", () => {
  const quick = catalogue().filter((e) => e.kind === 'quick');
  expect(quick).toContainEqual({ kind: 'quick', calls: 1000, validityDays: 365, priceFen: 3000 });
  expect(quick).toContainEqual({ kind: 'quick', calls: 250, validityDays: 90, priceFen: 750 });
  expect(quick).toContainEqual({ kind: 'quick', calls: 10_000_000, validityDays: 365, priceFen: 27_000_000 });
});

test('an override replaces the catalogue without a code change', () => {
  const override = JSON.stringify([{ kind: 'realtime', calls: 2000, validityDays: 180, priceYuan: '70.5' }]);
  expect(catalogue(override)).toEqual([{ kind: 'realtime', calls: 2000, validityDays: 180, priceFen: 7050 }]);
});

test('a bad catalogue fails loudly, naming the entry', () => {
  expect(() => catalogue('not json')).toThrow('QUOTA_PACK_CATALOGUE is not valid JSON');
  expect(() => parseCatalogue([{ kind: 'quick', calls: 10, validityDays: 90, priceYuan: '1.234' }])).toThrow(/0\.priceYuan/);
  expect(() => parseCatalogue([{ kind: 'quick', calls: 0, validityDays: 90, priceYuan: '1' }])).toThrow(/0\.calls/);
  expect(() => parseCatalogue([])).toThrow(/at least one/);
});

test("the catalogue lists the seed's per-call range, 0.026–0.03 for quick, and every quick pack lies in it", () => {
  expect(bundled.perCallYuan).toEqual({ about: expect.any(String), quick: { min: '0.026', max: '0.03' } });
  // In fen per call: 2.6 ≤ price ÷ calls ≤ 3.
  const [min, max] = [fenOf(26, 10), fenOf(yuanToFen('0.03'))];
  for (const e of catalogue().filter((x) => x.kind === 'quick')) {
    const perCall = fenOf(e.priceFen, e.calls);
    expect([e.calls, compareFen(perCall, min) >= 0 && compareFen(perCall, max) <= 0]).toEqual([e.calls, true]);
  }
});
