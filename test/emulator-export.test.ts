/**
 * An export holds raw phone numbers (users' phones, the WeChat sandbox's codes), so it
 * must never land in a clone as a file git would offer to commit: a folder export ignores
 * itself, and a single-file export that git would track is refused before anything runs.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportRefusal, writeExport } from '../packages/cloudbase-emulator/src/persistence';

let repo: string;
const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' });
beforeEach(() => {
  repo = mkdtempSync(join(tmpdir(), 'quickphone-clone-'));
  git('init', '-q');
});
afterEach(() => rmSync(repo, { recursive: true, force: true }));

const state = { users: [{ _id: 'o_alice', phone: { phoneNumber: '13800138000' } }] };

test('a folder export inside a clone is not an untracked file: git status stays clean', () => {
  writeExport(join(repo, 'snapshot'), state);
  expect(readdirSync(join(repo, 'snapshot')).sort()).toEqual(['.gitignore', 'state.json']);
  expect(git('status', '--porcelain', '--untracked-files=all')).toBe('');
});

test('a .json export that git would track is refused, naming the raw numbers and the ways out', () => {
  expect(exportRefusal(join(repo, 'snapshot.json'))).toMatch(/git tracks.*raw phone numbers/);
  expect(exportRefusal(join(repo, 'deep', 'er', 'x.json'))).toMatch(/raw phone numbers/);
});

test('a folder, an ignored path or a path outside any repository is accepted', () => {
  expect(exportRefusal(join(repo, 'snapshot'))).toBeNull();
  writeFileSync(join(repo, '.gitignore'), 'exports/\n');
  mkdirSync(join(repo, 'exports'));
  expect(exportRefusal(join(repo, 'exports', 'x.json'))).toBeNull();
  const outside = mkdtempSync(join(tmpdir(), 'quickphone-outside-'));
  try {
    expect(exportRefusal(join(outside, 'x.json'))).toBeNull();
  } finally {
    rmSync(outside, { recursive: true, force: true });
  }
});
