import { findAssignedPackage } from './provider-recheck';

const at = new Date('2026-03-01T00:00:00Z');
const sec = (d: Date, plusMs = 0) => Math.floor((d.getTime() + plusMs) / 1000);
const pkg = (pkgId: string, all: number, startTime: number, source = 3) => ({ pkgId, all, startTime, source });

test('the pushed receive_pkg_id names the pack when WeChat lists it', () => {
  const a = { calls: 10_000, createdAt: at, beginTime: null, receivePkgId: '7' };
  expect(findAssignedPackage(a, [pkg('7', 10_000, sec(at))], new Set())).toBe('7');
  expect(findAssignedPackage(a, [pkg('8', 10_000, sec(at))], new Set())).toBeNull();
});

test('without it: a provider pack of the same size, started after the assignment, that no other assignment holds', () => {
  const a = { calls: 10_000, createdAt: at, beginTime: null, receivePkgId: null };
  const packages = [
    pkg('1', 10_000, sec(at, -86_400_000)), // older: another assignment's
    pkg('2', 10_000, sec(at, 5_000), 2), // bought by the merchant
    pkg('3', 5_000, sec(at, 5_000)), // another size
    pkg('4', 10_000, sec(at, 5_000)), // held by another assignment
    pkg('5', 10_000, sec(at, 9_000)),
  ];
  expect(findAssignedPackage(a, packages, new Set(['4']))).toBe('5');
  expect(findAssignedPackage(a, packages, new Set(['4', '5']))).toBeNull();
  expect(findAssignedPackage({ ...a, calls: null }, packages, new Set())).toBeNull();
});

test('a later beginTime moves the earliest start it accepts', () => {
  const begin = at.getTime() + 7 * 86_400_000;
  const a = { calls: 1000, createdAt: at, beginTime: begin, receivePkgId: null };
  expect(findAssignedPackage(a, [pkg('1', 1000, sec(at, 5_000))], new Set())).toBeNull();
  expect(findAssignedPackage(a, [pkg('2', 1000, Math.floor(begin / 1000))], new Set())).toBe('2');
});
