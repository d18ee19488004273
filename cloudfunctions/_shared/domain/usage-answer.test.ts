import { usageUnknownReason } from './usage-answer';

test('an answer with no package at all is unknown, not zero left', () => {
  expect(usageUnknownReason({ all: 0, packages: [] }, '10000086')).toContain('10000086');
});

test('an answer with packages is WeChat figures, even when nothing is left', () => {
  expect(usageUnknownReason({ all: 1000, packages: [{ pkgId: '' }] }, '10000077')).toBeNull();
  expect(usageUnknownReason({ all: 0, packages: [{ pkgId: '1' }] }, '10000077')).toBeNull();
});
