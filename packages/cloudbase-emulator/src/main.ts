/**
 * `cloudbase-emulator start --project DIR [--port N] [--import PATH] [--export-on-exit PATH] …`:
 * serves any CloudBase project folder (one with cloudbaserc.json) offline. The options
 * are cli.ts's; quickphone's `npm start` is scripts/start.ts, the same command line with
 * its plugin.
 */
import { runEmulator } from './cli';

const USAGE = 'usage: cloudbase-emulator start --project <dir> [--port <n>] [--in-memory] [--import <path>] [--export-on-exit <path>]';

async function command(argv: string[]): Promise<void> {
  const [verb, ...rest] = argv;
  if (verb === 'start') return runEmulator(rest);
  console.error(USAGE);
  process.exit(verb === undefined || verb === '--help' ? 0 : 2);
}

command(process.argv.slice(2)).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
