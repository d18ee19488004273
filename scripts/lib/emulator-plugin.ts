/**
 * quickphone as the emulator serves it: the emulator knows CloudBase, not quickphone, so
 * whatever is quickphone's is handed in from here (EmulatorOptions for `new Emulator` in
 * tests, benches and the soak; scripts/start.ts adds the build and `.env` for `npm start`).
 */
import type { EmulatorOptions } from '../../packages/cloudbase-emulator/src/emulator';
import { encodeEnvValue } from '../../cloudfunctions/_shared/config';
import { QUICKPHONE_CONSOLE } from '../console-plugin';
import { PROJECT_ROOT } from './cloudbaserc';

/**
 * The project folder, the encoder `npm run deploy` applies to variable values (config.ts
 * decodes), and the console's billing and play-a-user views (scripts/console-plugin/).
 */
export const QUICKPHONE_PROJECT = {
  projectRoot: PROJECT_ROOT,
  encodeEnv: encodeEnvValue,
  consolePlugin: QUICKPHONE_CONSOLE,
} satisfies EmulatorOptions;
