/**
 * quickphone as the emulator serves it: the emulator knows CloudBase, not quickphone, so
 * whatever is quickphone's is handed in from here (EmulatorOptions for `new Emulator` in
 * tests, benches and the soak; scripts/start.ts adds the build and `.env` for `npm start`).
 */
import type { EmulatorOptions } from '../../packages/cloudbase-emulator/src/emulator';
import { encodeEnvValue } from '../../cloudfunctions/_shared/runtime/config';
import { PROJECT_ROOT } from './cloudbaserc';

/** The project folder, and the encoder `npm run deploy` applies to variable values (config.ts decodes). */
export const QUICKPHONE_PROJECT = {
  projectRoot: PROJECT_ROOT,
  encodeEnv: encodeEnvValue,
} satisfies EmulatorOptions;
