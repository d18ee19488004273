/**
 * quickphone as the emulator serves it: the emulator knows CloudBase, not quickphone, so
 * whatever is quickphone's is handed in from here (EmulatorOptions for `new Emulator` in
 * tests, benches and the soak; scripts/start.ts adds the build and `.env` for `npm start`).
 */
import type { EmulatorOptions } from '../../packages/cloudbase-emulator/src/emulator';
import { encodeEnvValue } from '../../cloudfunctions/_shared/runtime/config';
import { QUICKPHONE_CONSOLE } from '../console-plugin';
import { PROJECT_ROOT } from './cloudbaserc';

/** The Token the emulator signs provider pushes with; set PROVIDER_PUSH_TOKEN to it locally (docs/provider.md). */
export const QUICKPHONE_SP_PUSH_TOKEN = 'quickphone-local-push-token';

/**
 * The project folder; the encoder `npm run deploy` applies to variable values (config.ts
 * decodes); the env id functions see locally; the push Token; QUICKPHONE_LOG (log.ts's
 * switch) handed to every function; the variable _shared/runtime/clock.ts reads a test's clock
 * offset from; and the console's billing and play-a-user views (scripts/console-plugin/).
 */
export const QUICKPHONE_PROJECT = {
  projectRoot: PROJECT_ROOT,
  encodeEnv: encodeEnvValue,
  envId: 'quickphone-local',
  spPushToken: QUICKPHONE_SP_PUSH_TOKEN,
  passVariables: ['QUICKPHONE_LOG'],
  clockOffsetVariable: 'QUICKPHONE_CLOCK_OFFSET_MS',
  consolePlugin: QUICKPHONE_CONSOLE,
} satisfies EmulatorOptions;
