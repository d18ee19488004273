/**
 * quickphone's side of `cloudbaserc.json`, the CloudBase CLI's config, which the deploy,
 * the emulator and the doctor share. The file is read by one reader, the emulator
 * package's (packages/cloudbase-emulator/src/project.ts); here are the project's folder,
 * that reader with the folder as default, and the `.env` file's rules.
 *
 * Function variables are listed by name (`"variables": ["ADMIN_OPENIDS", …]`), not as
 * `envVariables` with `{{env.X}}` placeholders: the CLI (2.12.10) pastes placeholder
 * values into the file's JSON as text before parsing it, so a `.env` value with `"` or
 * `\` breaks every `tcb` command, and it would send an unset variable as "" and replace
 * everything set in the console. Nothing in the file depends on `.env` but `envId`.
 * `npm run deploy` sets the values itself (scripts/lib/deploy-plan.ts); the emulator
 * passes the same names from its environment.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { readCloudbaseRc as readRcIn, type CloudbaseRc } from '../../packages/cloudbase-emulator/src/project';

export {
  declaredVariables,
  httpRoutes,
  type CloudbaseRc,
  type FunctionConfig,
  type HttpRoute,
  type TriggerConfig,
} from '../../packages/cloudbase-emulator/src/project';

export const PROJECT_ROOT = join(__dirname, '..', '..');

/** quickphone's cloudbaserc.json as written: placeholders intact. */
export function readCloudbaseRc(root = PROJECT_ROOT): CloudbaseRc {
  return readRcIn(root);
}

/**
 * Lines of a `.env` text whose unquoted value has a `#` right after a character: dotenv
 * (and Node's loader, which parses the same way) reads `KEY=abc#def` as "abc", the
 * rest being a comment. Usually that `#` belongs to a secret: the deploy refuses it.
 */
export function unquotedHashes(text: string): string[] {
  const found: string[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const m = /^\s*(?:export\s+)?([\w.-]+)\s*=\s*(.*)$/.exec(line);
    if (!m || /^['"`]/.test(m[2]!)) return;
    const at = m[2]!.search(/\S#/);
    if (at >= 0)
      found.push(
        `.env line ${i + 1}: ${m[1]}'s value has a # without quotes, so it is read as "${m[2]!
          .slice(0, at + 1)
          .trim()
          .replace(/./g, '•')}" and the rest is a comment; quote the value ('…') if the # belongs to it`,
      );
  });
  return found;
}

/**
 * Loads `.env` into process.env without overriding what is already set (parsed as dotenv
 * parses it). Returns the names the file sets ([] without a file), so `npm start` can say
 * what it read.
 */
export function loadDotEnv(root = PROJECT_ROOT): string[] {
  let text: string;
  try {
    text = readFileSync(join(root, '.env'), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  // Node's own dotenv-compatible parser; assigned here so any process.env object gets it.
  const parsed = parseEnv(text);
  for (const [name, value] of Object.entries(parsed)) if (process.env[name] === undefined) process.env[name] = value;
  return Object.keys(parsed);
}
