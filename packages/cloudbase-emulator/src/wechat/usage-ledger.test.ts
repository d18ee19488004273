import {
  computeUsage,
  recentMonthlyAverage,
  SOURCE_CONSOLE,
  SOURCE_PROVIDER,
  SOURCE_TRIAL,
  usageAnswer,
  UsageLedger,
  type NewPack,
} from './usage-ledger';

const APP = 'wx0123456789abcdef';
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 1);

const pack = (calls: number, startTime: number, endTime: number, source: NewPack['source'] = SOURCE_CONSOLE): NewPack => ({
  appid: APP,
  kind: 'quick',
  source,
  calls,
  startTime,
  endTime,
  skuId: 'sku',
});
const times = (n: number, at: number) => Array.from({ length: n }, () => at);

function ledgerWith(trialCalls: number, ...packs: NewPack[]): UsageLedger {
  const ledger = new UsageLedger(trialCalls);
  ledger.ensureTrial(APP, 'quick', T0);
  for (const p of packs) ledger.addPack(p, T0);
  return ledger;
}

test('the trial is used first, then the pack that expires first, then one with no end', () => {
  const ledger = ledgerWith(2, pack(3, T0, 0), pack(3, T0, T0 + 30 * DAY), pack(3, T0, T0 + 10 * DAY));
  const usage = computeUsage(ledger.packsOf(APP, 'quick'), times(7, T0 + DAY), T0 + DAY);
  expect(usage.packages.map((p) => [p.pkgId, p.used])).toEqual([
    ['1', 2], // trial
    ['2', 0], // no end: last
    ['3', 2], // expires second
    ['4', 3], // expires first
  ]);
  expect(usage).toMatchObject({ all: 11, effectiveUse: 7, remaining: 4 });
});

test('a pack counts only from its start and until its end', () => {
  const ledger = ledgerWith(0, pack(5, T0 + 10 * DAY, T0 + 20 * DAY));
  const packs = ledger.packsOf(APP, 'quick');
  // Before the start and at the very end instant nothing takes the charge.
  expect(computeUsage(packs, [T0 + 10 * DAY - 1, T0 + 20 * DAY], T0 + 30 * DAY).packages[1]!.used).toBe(0);
  expect(computeUsage(packs, [T0 + 10 * DAY, T0 + 20 * DAY - 1], T0 + 30 * DAY).packages[1]!.used).toBe(2);
});

test('status: 2 before the start, 1 while it runs (even used up), 3 from its end; totals cover running packs only', () => {
  const ledger = ledgerWith(1, pack(5, T0 + 10 * DAY, T0 + 20 * DAY));
  const packs = ledger.packsOf(APP, 'quick');
  const at = (now: number) => computeUsage(packs, [T0], now);
  expect(at(T0).packages.map((p) => p.status)).toEqual([1, 2]);
  expect(at(T0)).toMatchObject({ all: 1, effectiveUse: 1, remaining: 0 });
  expect(at(T0 + 10 * DAY).packages.map((p) => p.status)).toEqual([1, 1]);
  expect(at(T0 + 10 * DAY)).toMatchObject({ all: 6, effectiveUse: 1, remaining: 5 });
  expect(at(T0 + 20 * DAY).packages.map((p) => p.status)).toEqual([1, 3]);
  expect(at(T0 + 20 * DAY)).toMatchObject({ all: 1, remaining: 0 });
});

test('charges beyond every package count nowhere', () => {
  const usage = computeUsage(ledgerWith(2).packsOf(APP, 'quick'), times(5, T0), T0);
  expect(usage).toMatchObject({ all: 2, effectiveUse: 2, remaining: 0 });
});

test('each appid and kind has its own trial, created once', () => {
  const ledger = new UsageLedger(1000);
  expect(ledger.ensureTrial(APP, 'quick', T0)).toBe(true);
  expect(ledger.ensureTrial(APP, 'quick', T0 + DAY)).toBe(false);
  ledger.addPack({ ...pack(10, T0, 0, SOURCE_PROVIDER), kind: 'realtime' }, T0 + DAY);
  expect(ledger.packsOf(APP, 'quick')).toEqual([
    { pkgId: '1', appid: APP, kind: 'quick', source: SOURCE_TRIAL, skuId: 'trial', all: 1000, startTime: T0, endTime: 0 },
  ]);
  expect(ledger.packsOf(APP, 'realtime').map((p) => [p.source, p.startTime])).toEqual([
    [SOURCE_TRIAL, T0 + DAY],
    [SOURCE_PROVIDER, T0],
  ]);
  expect(ledger.packsOf('wxffffffffffffffff', 'quick')).toEqual([]);
});

test('ids keep counting after a load', () => {
  const ledger = ledgerWith(1, pack(1, T0, 0));
  const copy = new UsageLedger(1);
  copy.load(ledger.snapshot());
  expect(copy.addPack(pack(1, T0, 0), T0).pkgId).toBe('3');
});

test('the usage answer: seconds, spuId, ordered by start then pkgId, paged', () => {
  const packs = Array.from({ length: 12 }, (_, i) => pack(1, T0 + (i % 3) * DAY, T0 + 400 * DAY));
  const ledger = ledgerWith(1000, ...packs);
  const usage = computeUsage(ledger.packsOf(APP, 'quick'), [T0 + 5 * DAY], T0 + 5 * DAY);
  const all = usageAnswer(usage);
  expect(all.total).toBe(13);
  expect(all.detailList.map((p) => p.pkgId)).toEqual(['1', '2', '5', '8', '11', '3', '6', '9', '12', '4', '7', '10', '13']);
  expect(all.detailList[0]).toEqual({
    pkgId: '1',
    status: 1,
    startTime: T0 / 1000,
    endTime: 0,
    all: 1000,
    used: 1,
    spuId: '10000077',
    skuId: 'trial',
    source: 1,
  });
  expect(all.detailList[1]).toMatchObject({ startTime: T0 / 1000, endTime: T0 / 1000 + 400 * 86_400, source: 2 });
  const page = usageAnswer(usage, { offset: 10, limit: 5 });
  expect(page).toMatchObject({ total: 13, all: 1012, effectiveUse: 1 });
  expect(page.detailList.map((p) => p.pkgId)).toEqual(['7', '10', '13']);
  expect(usageAnswer(usage, { offset: 13, limit: 20 }).detailList).toEqual([]);
});

test('the recent average is the last 90 days of charges per month, rounded', () => {
  const now = T0 + 200 * DAY;
  expect(
    recentMonthlyAverage([...times(4, now - 90 * DAY), ...times(4, now - 90 * DAY + 1), ...times(3, now), ...times(9, now + 1)], now),
  ).toBe(2);
  expect(recentMonthlyAverage([], now)).toBe(0);
});

test('removePack takes one package away; its id is not given again, even after a load', () => {
  const ledger = ledgerWith(1, pack(5, T0, 0), pack(5, T0, 0, SOURCE_PROVIDER));
  expect(ledger.removePack('3')).toBe(true);
  expect(ledger.removePack('3')).toBe(false);
  expect(ledger.packsOf(APP, 'quick').map((p) => p.pkgId)).toEqual(['1', '2']);
  const copy = new UsageLedger(1);
  copy.load(ledger.snapshot(), ledger.lastPkgId);
  expect(copy.addPack(pack(1, T0, 0), T0).pkgId).toBe('4');
});
