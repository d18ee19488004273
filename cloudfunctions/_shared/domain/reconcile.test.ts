import { planPackSync, wechatUsedTotal, type LocalPack, type WechatPackageFacts } from './reconcile';

const s = (iso: string) => Date.parse(iso) / 1000;
const trial: LocalPack = {
  id: 'trial-quick',
  kind: 'quick',
  source: 'trial',
  calls: 1000,
  startsAt: new Date('2026-05-01T00:00:00Z'),
  expiresAt: null,
  wechatPkgId: null,
};
const wxTrial: WechatPackageFacts = { pkgId: '1', startTime: s('2026-03-01T00:00:00Z'), endTime: 0, all: 1000, used: 1000, source: 1 };
const bought: WechatPackageFacts = {
  pkgId: '2',
  startTime: s('2026-06-01T02:00:00Z'),
  endTime: s('2027-06-01T02:00:00Z'),
  all: 5000,
  used: 12,
  source: 2,
};

test("WeChat's trial sets our trial's start; a hand-recorded pack is linked, not doubled; others are added", () => {
  const recorded: LocalPack = {
    id: 'mine',
    kind: 'quick',
    source: 'self',
    calls: 5000,
    startsAt: new Date('2026-06-01T00:00:00Z'),
    expiresAt: new Date('2027-06-01T00:00:00Z'),
    wechatPkgId: null,
  };
  const assigned: WechatPackageFacts = {
    pkgId: '3',
    startTime: s('2026-07-01T00:00:00Z'),
    endTime: s('2027-07-01T00:00:00Z'),
    all: 10000,
    used: 0,
    source: 3,
  };
  const actions = planPackSync([wxTrial, bought, assigned], [trial, recorded]);
  expect(actions).toEqual([
    { type: 'link', localId: 'trial-quick', pkgId: '1', calls: 1000, startsAt: new Date('2026-03-01T00:00:00Z'), expiresAt: null },
    {
      type: 'link',
      localId: 'mine',
      pkgId: '2',
      calls: 5000,
      startsAt: new Date('2026-06-01T02:00:00Z'),
      expiresAt: new Date('2027-06-01T02:00:00Z'),
    },
    {
      type: 'add',
      pkgId: '3',
      source: 'provider',
      calls: 10000,
      startsAt: new Date('2026-07-01T00:00:00Z'),
      expiresAt: new Date('2027-07-01T00:00:00Z'),
    },
  ]);
});

test('a second run with nothing new changes nothing', () => {
  const synced: LocalPack[] = [
    { ...trial, startsAt: new Date('2026-03-01T00:00:00Z'), wechatPkgId: '1' },
    {
      id: 'wx-2',
      kind: 'quick',
      source: 'self',
      calls: 5000,
      startsAt: new Date('2026-06-01T02:00:00Z'),
      expiresAt: new Date('2027-06-01T02:00:00Z'),
      wechatPkgId: '2',
    },
  ];
  expect(planPackSync([wxTrial, bought], synced)).toEqual([]);
});

test("a recorded pack of another size, or starting days apart, is not taken for WeChat's", () => {
  const other: LocalPack = {
    id: 'mine',
    kind: 'quick',
    source: 'self',
    calls: 1000,
    startsAt: new Date('2026-06-01T00:00:00Z'),
    expiresAt: new Date('2027-06-01T00:00:00Z'),
    wechatPkgId: null,
  };
  const far: LocalPack = { ...other, id: 'far', calls: 5000, startsAt: new Date('2026-06-05T00:00:00Z') };
  expect(planPackSync([bought], [trial, other, far])).toEqual([expect.objectContaining({ type: 'add', pkgId: '2', source: 'self' })]);
});

test("WeChat's used count covers expired packages too", () => {
  expect(wechatUsedTotal([wxTrial, bought])).toBe(1012);
});
