/**
 * miniprogram/cloud-env.ts holds the environment `wx.cloud.init({ env })` uses; the
 * deploy writes the environment it deployed to there, so the mini program uploaded
 * next from DevTools calls the same one.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from './cloudbaserc';

const LINE = /^export const CLOUD_ENV: string = '([^'\\]*)';$/m;

export function cloudEnvPath(root = PROJECT_ROOT): string {
  return join(root, 'miniprogram', 'cloud-env.ts');
}

export function readCloudEnv(root = PROJECT_ROOT): string {
  const match = LINE.exec(readFileSync(cloudEnvPath(root), 'utf8'));
  if (!match) throw new Error("miniprogram/cloud-env.ts: no `export const CLOUD_ENV: string = '…';` line");
  return match[1]!;
}

/** Writes `envId` into cloud-env.ts; answers whether the file changed. */
export function writeCloudEnv(envId: string, root = PROJECT_ROOT): boolean {
  if (!/^[A-Za-z0-9_-]+$/.test(envId)) throw new Error(`TCB_ENV_ID "${envId}" is not an environment id`);
  const path = cloudEnvPath(root);
  const text = readFileSync(path, 'utf8');
  if (!LINE.test(text)) throw new Error("miniprogram/cloud-env.ts: no `export const CLOUD_ENV: string = '…';` line");
  const next = text.replace(LINE, `export const CLOUD_ENV: string = '${envId}';`);
  if (next === text) return false;
  writeFileSync(path, next);
  return true;
}
