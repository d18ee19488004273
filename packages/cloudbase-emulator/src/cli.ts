/**
 * The emulator's command line, for any CloudBase project folder, and for a project that
 * plugs its own parts in (quickphone's `npm start`: scripts/start.ts). Serves on
 * 127.0.0.1 with data kept under CLOUDBASE_EMULATOR_DATA_DIR (default
 * `<project>/.cloudbase-emulator/`, or the plugin's). Ctrl-C saves and exits.
 *
 * Options: --project DIR (the folder holding cloudbaserc.json; default: the plugin's,
 * else the current directory), --port N (overrides CLOUDBASE_EMULATOR_PORT; 0 = any
 * free port), --in-memory (no data directory), --no-build (skip the plugin's build),
 * --quiet (no function logs), --without-openapi-permission (functions get no cloud-call
 * permission, as after a CLI deploy: every `cloud.openapi` call answers -604101),
 * --containers N (how many containers each function may run at once; default 20, see
 * DEFAULT_CONTAINERS_PER_FUNCTION).
 *
 * Data in and out, as Firebase's emulators: --import PATH replaces the data at start
 * with an export (a folder holding state.json, or a .json file the console exported);
 * --export-on-exit PATH writes the data there on Ctrl-C/SIGTERM (a folder gets
 * state.json and a .gitignore that ignores it; a path ending in .json is written as that
 * file, refused at start when git would track it: an export holds raw phone numbers).
 *
 * The plugin's `.env` reader runs first (the shell's values win); the banner names what
 * it read, never the values. WECHAT_APPID, when set, is the emulator's mini program appid too.
 */
import { parseArgs } from 'node:util';
import { join, resolve } from 'node:path';
import type { ConsolePlugin } from './console/plugin';
import { DEFAULT_CONTAINERS_PER_FUNCTION, Emulator, type EmulatorOptions } from './emulator';
import { exportRefusal, readExport, writeExport } from './persistence';
import { emulatorVariable } from './variables';

/**
 * What a project plugs into the command line (docs/emulator.md "Plugging a project in").
 * Every part is optional: without a plugin the emulator serves the project as it lies.
 * The project's conventions (env id, push Token, variables passed through, clock-offset
 * variable) are the EmulatorOptions of the same names.
 */
export interface EmulatorPlugin extends Pick<EmulatorOptions, 'envId' | 'spPushToken' | 'passVariables' | 'clockOffsetVariable'> {
  /** The banner's first words, e.g. "quickphone emulator" (default "cloudbase-emulator"). */
  title?: string;
  /** The project folder when --project is not given. */
  projectRoot?: string;
  /** Where the data lives when CLOUDBASE_EMULATOR_DATA_DIR is not set (default `<project>/.cloudbase-emulator`). */
  dataDir?: string;
  /** How to start the emulator again, for the port-taken hint (default `cloudbase-emulator start`). */
  startCommand?: string;
  /** Reads the project's .env into process.env (the shell winning); answers the names it read. */
  loadDotEnv?(): string[];
  /** Builds the functions before the start (skipped with --no-build). */
  build?(): Promise<void>;
  /** Folder of functions to serve (default: cloudbaserc.json's functionRoot). */
  functionsDir?: string;
  /** Encodes variable values as the project's deploy does (EmulatorOptions.encodeEnv). */
  encodeEnv?(value: string): string;
  /** The project's views and routes in the web console (EmulatorOptions.consolePlugin). */
  consolePlugin?: ConsolePlugin;
}

function containersFrom(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > 1000) throw new Error(`--containers must be a whole number from 1 to 1000, got "${text}"`);
  return n;
}

function portFrom(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) throw new Error(`the port must be a number from 0 to 65535, got "${text}"`);
  return port;
}

/** Parses `args` (without the `start` verb) and serves until Ctrl-C or SIGTERM. */
export async function runEmulator(args: string[], plugin: EmulatorPlugin = {}): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      project: { type: 'string' },
      port: { type: 'string' },
      'in-memory': { type: 'boolean', default: false },
      'no-build': { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      import: { type: 'string' },
      'export-on-exit': { type: 'string' },
      'without-openapi-permission': { type: 'boolean', default: false },
      containers: { type: 'string' },
    },
  });
  const projectRoot = resolve(values.project ?? plugin.projectRoot ?? process.cwd());
  const fromDotEnv = plugin.loadDotEnv?.() ?? [];
  const exportRefused = values['export-on-exit'] && exportRefusal(values['export-on-exit']);
  if (exportRefused) throw new Error(`--export-on-exit: ${exportRefused}`);
  if (!values['no-build']) await plugin.build?.();
  const port = portFrom(values.port ?? emulatorVariable('CLOUDBASE_EMULATOR_PORT') ?? '9100');
  const dataDir = values['in-memory']
    ? null
    : (emulatorVariable('CLOUDBASE_EMULATOR_DATA_DIR') ?? plugin.dataDir ?? join(projectRoot, '.cloudbase-emulator'));
  const maxContainersPerFunction = containersFrom(values.containers);
  const startCommand = plugin.startCommand ?? 'cloudbase-emulator start';
  const emulator = new Emulator({
    projectRoot,
    functionsDir: plugin.functionsDir,
    encodeEnv: plugin.encodeEnv,
    envId: plugin.envId,
    spPushToken: plugin.spPushToken,
    passVariables: plugin.passVariables,
    clockOffsetVariable: plugin.clockOffsetVariable,
    consolePlugin: plugin.consolePlugin,
    port,
    dataDir,
    maxContainersPerFunction,
    openapiPermission: values['without-openapi-permission'] ? 'none' : 'declared',
    onLog: values.quiet ? undefined : (fn, line) => console.log(`[${fn}] ${line}`),
  });
  const url = await emulator.start().catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'EADDRINUSE') {
      const next = port === 0 || port >= 65535 ? 9101 : port + 1;
      err.message +=
        `\nAnother program (often another npm start) holds port ${port}. Stop it, or choose another port: ` +
        `CLOUDBASE_EMULATOR_PORT=${next} ${startCommand}, or ${startCommand}${startCommand.startsWith('npm ') ? ' --' : ''} --port ${next}.`;
    }
    throw err;
  });
  if (values.import) emulator.importState(readExport(values.import));

  const appidFrom = emulator.appid === process.env.WECHAT_APPID ? ' from WECHAT_APPID' : '';
  console.log(`${plugin.title ?? 'cloudbase-emulator'} on ${url}  (env ${emulator.envId}, appid ${emulator.appid}${appidFrom})`);
  // Names only: values may be secrets. Variables already set in the shell win over the file.
  if (fromDotEnv.length)
    console.log(`  .env       read ${fromDotEnv.join(', ')}   (the shell's values win; functions get those they declare)`);
  const views = ['overview', 'data', 'functions', 'faults', ...(plugin.consolePlugin?.views ?? [])];
  console.log(`  console    ${url}/   (web console: ${views.join(', ')})`);
  console.log(
    `  functions  ${emulator.functionNames().join(', ')}   → POST ${url}/v1/functions/<name>/invoke   (up to ${maxContainersPerFunction ?? DEFAULT_CONTAINERS_PER_FUNCTION} containers each)`,
  );
  console.log(`  gateway    ${url}/admin   (wx-server-sdk / @cloudbase/node-sdk protocol)`);
  console.log(`  WeChat     ${url}/v1/wechat/phone-codes, ${url}/v1/wechat/charges, ${url}/v1/wechat/packs, ${url}/v1/wechat/usage`);
  console.log(`             ${url}/v1/wechat/subscriptions, ${url}/v1/wechat/subscribe-messages   (alerts as subscribe messages)`);
  console.log(`  WeChat API ${url}/wechat   (cgi-bin/token, wxa/charge/usage/get, …; what WECHAT_API_BASE points at)`);
  console.log(
    `  provider   ${url}/v1/wechat/sp-orders, ${url}/wechat/wxa/charge/service-provider/…   (results pushed to the provider function)`,
  );
  console.log(`  timers     POST ${url}/v1/functions/<name>/triggers/<trigger>   (timers never fire on their own)`);
  console.log(`  data       ${dataDir ?? 'in memory (not saved)'}`);
  if (values.import) console.log(`  imported   ${values.import}${dataDir ? ' (replaces what the data directory held)' : ''}`);
  if (values['export-on-exit']) console.log(`  export     to ${values['export-on-exit']} on exit (it holds raw phone numbers)`);
  if (values['without-openapi-permission'])
    console.log(
      '  cloud calls refused (-604101), as after a CLI deploy; auth exchanges over HTTPS when WECHAT_APPID/WECHAT_APPSECRET are set',
    );
  console.log('Ctrl-C to stop' + (dataDir ? ' (data is saved).' : '.'));

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: saving and stopping…`);
    emulator.stop().then(
      () => {
        const exportTo = values['export-on-exit'];
        if (exportTo) {
          try {
            writeExport(exportTo, emulator.exportState());
            console.log(`exported to ${exportTo}`);
          } catch (err) {
            console.error(`export to ${exportTo} failed: ${(err as Error).message}`);
            process.exit(1);
          }
        }
        process.exit(0);
      },
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}
