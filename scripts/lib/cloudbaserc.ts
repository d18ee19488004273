/**
 * Reading `cloudbaserc.json` the way the CloudBase CLI does: `{{env.X}}` placeholders
 * are filled from the environment (and `.env`, which the callers load first). The
 * emulator and the deploy script both use this, so local runs see the same function
 * settings as the cloud.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const PROJECT_ROOT = join(__dirname, '..', '..');

export interface FunctionConfig {
  name: string;
  handler: string;
  runtime: string;
  timeout?: number;
  memorySize?: number;
  installDependency?: boolean;
  envVariables?: Record<string, string>;
  triggers?: Array<{ name: string; type: string; config: string }>;
  ignore?: string[];
}

export interface CloudbaseRc {
  version?: string;
  envId: string;
  functionRoot: string;
  functions: FunctionConfig[];
}

const PLACEHOLDER = /\{\{\s*env\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** Fills `{{env.X}}` from `env`; a missing variable becomes the empty string. */
export function fillPlaceholders(text: string, env: NodeJS.ProcessEnv): string {
  return text.replace(PLACEHOLDER, (_m, name: string) => env[name] ?? '');
}

/** Names of the variables a raw config refers to, for "missing X" messages. */
export function placeholdersIn(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1] as string))];
}

export function readCloudbaseRcText(root = PROJECT_ROOT): string {
  return readFileSync(join(root, 'cloudbaserc.json'), 'utf8');
}

export function loadCloudbaseRc(env: NodeJS.ProcessEnv = process.env, root = PROJECT_ROOT): CloudbaseRc {
  const raw = JSON.parse(readCloudbaseRcText(root)) as CloudbaseRc;
  // Fill placeholders value by value, so a value with quotes cannot break the JSON.
  return JSON.parse(JSON.stringify(raw), (_key, value: unknown) => (typeof value === 'string' ? fillPlaceholders(value, env) : value)) as CloudbaseRc;
}

/** Loads `.env` into process.env without overriding what is already set. */
export function loadDotEnv(root = PROJECT_ROOT): void {
  try {
    process.loadEnvFile(join(root, '.env'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
