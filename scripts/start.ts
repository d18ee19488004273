/**
 * `npm start`: quickphone's functions built and served by the emulator (packages/cloudbase-emulator/src/cli.ts
 * has the options), with quickphone's parts plugged in: the project, its variable
 * encoder and console views (scripts/lib/emulator-plugin.ts), the build, the `.env`
 * reader, the banner's title and data under .quickphone/.
 */
import { join } from 'node:path';
import { runEmulator, type EmulatorPlugin } from '../packages/cloudbase-emulator/src/cli';
import { buildAll } from './build';
import { loadDotEnv, PROJECT_ROOT } from './lib/cloudbaserc';
import { QUICKPHONE_PROJECT } from './lib/emulator-plugin';

const QUICKPHONE_PLUGIN: EmulatorPlugin = {
  ...QUICKPHONE_PROJECT,
  title: QUICKPHONE_PROJECT.consolePlugin.title,
  dataDir: join(PROJECT_ROOT, '.quickphone'),
  startCommand: 'npm start',
  loadDotEnv: () => loadDotEnv(),
  build: async () => {
    await buildAll();
  },
};

runEmulator(process.argv.slice(2), QUICKPHONE_PLUGIN).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
