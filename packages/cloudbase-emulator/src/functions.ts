/**
 * The functions' environment, as CloudBase sets it up: each built function in its own
 * container pool, with the variables a deploy gives it (cloudbaserc.json, encoded as
 * `npm run deploy` sends them), the platform's own variables, and per invocation the
 * caller's identity (what `cloud.getWXContext()` reads).
 */
import { build } from 'esbuild';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { FunctionPool } from './containers/function-pool';
import type { CloudbaseProject, ProjectFunction, TriggerConfig } from './project';

export interface FunctionEntry {
  name: string;
  dir: string;
  config: ProjectFunction | undefined;
  openapiPermissions: string[];
  /** Names of the timer triggers in the built config.json. */
  timerTriggers: string[];
  pool: FunctionPool;
}

export type InvokeContext = { OPENID?: string; APPID?: string; UNIONID?: string; CLIENTIP?: string };
export type InvokeSource = 'wx_client' | 'wx_server' | 'timer';

/** The parts of a built function's config.json the emulator reads. */
interface BuiltConfig {
  permissions?: { openapi?: string[] };
  triggers?: TriggerConfig[];
}

interface LoadOptions {
  /** Folder of functions (one folder with index.js and config.json each): built bundles or plain JS. */
  dir: string;
  /** The project's cloudbaserc.json, read: each function's timeout and variables. */
  project: CloudbaseProject;
  /**
   * How a variable's value reaches the container (default: as it is). A project whose
   * deploy encodes awkward values passes the same encoder, so its functions decode the same.
   */
  encodeEnv?: (value: string) => string;
  envId: string;
  /** The emulator's URL: the SDK's gateway and WeChat's HTTP APIs are there. */
  baseUrl: string;
  /** Values for the variables cloudbaserc.json declares (the `env` option or process.env). */
  overrides: NodeJS.ProcessEnv;
  /** Variables every container gets from `overrides` as they are, declared or not (EmulatorOptions.passVariables). */
  passVariables?: string[];
  runnerPath: string;
  maxContainers: number;
  onLog(fn: string, line: string): void;
}

/** Every built function in `dir`, each with its container pool (no container started yet). */
export function loadFunctions(options: LoadOptions): Map<string, FunctionEntry> {
  const { dir } = options;
  if (!existsSync(dir)) throw new Error(`no functions in ${dir}: build them first, or point cloudbaserc.json's functionRoot at them`);
  const functions = new Map<string, FunctionEntry>();
  for (const name of readdirSync(dir).sort()) {
    const fnDir = join(dir, name);
    if (!existsSync(join(fnDir, 'index.js'))) continue;
    const config = options.project.functions.find((f) => f.name === name);
    const env = containerEnv(name, config?.envVariables ?? {}, options);
    const built = readJsonFile(join(fnDir, 'config.json')) as BuiltConfig | null;
    functions.set(name, {
      name,
      dir: fnDir,
      config,
      openapiPermissions: built?.permissions?.openapi ?? [],
      timerTriggers: (built?.triggers ?? []).filter((t) => t.type === 'timer').map((t) => t.name),
      pool: new FunctionPool({
        name,
        bundleDir: fnDir,
        runnerPath: options.runnerPath,
        env,
        maxContainers: options.maxContainers,
        timeoutMs: (config?.timeout ?? 3) * 1000,
        onLog: options.onLog,
      }),
    });
  }
  return functions;
}

/** What a container of `name` starts with. */
function containerEnv(name: string, declared: Record<string, string>, options: LoadOptions): Record<string, string> {
  const { envId, baseUrl, overrides } = options;
  const encode = options.encodeEnv ?? ((value: string) => value);
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'production',
    TENCENTCLOUD_RUNENV: 'SCF',
    // The SDK refuses to start without keys; the emulator does not check them.
    TENCENTCLOUD_SECRETID: 'emulator-secret-id',
    TENCENTCLOUD_SECRETKEY: 'emulator-secret-key',
    TENCENTCLOUD_REGION: 'ap-shanghai',
    TCB_ENV: envId,
    SCF_NAMESPACE: envId,
    SCF_FUNCTIONNAME: name,
    TCB_CONTEXT_CNFG: JSON.stringify({ URL: `${baseUrl}/admin` }),
    // The SDK forwards only listed variables; WX_API_TOKEN is how the gateway knows
    // which invocation (user, function) a call belongs to, as on the platform.
    WX_CONTEXT_KEYS: 'WX_OPENID,WX_APPID,WX_UNIONID,WX_CLIENTIP,WX_API_TOKEN',
    TCB_CONTEXT_KEYS: 'TCB_ENV,TCB_SOURCE',
    WECHAT_API_BASE: `${baseUrl}/wechat`,
  };
  // As a deploy sends them: unset ones not at all, encoded as the project's deploy encodes them.
  for (const [key, value] of Object.entries(declared)) {
    const given = overrides[key] ?? value;
    if (given) env[key] = encode(given);
  }
  if (overrides.WECHAT_API_BASE) env.WECHAT_API_BASE = overrides.WECHAT_API_BASE;
  for (const name of options.passVariables ?? []) if (overrides[name]) env[name] = overrides[name];
  return env;
}

/** The variable an invocation carries the clock offset in unless the project names another (EmulatorOptions.clockOffsetVariable). */
export const DEFAULT_CLOCK_OFFSET_VARIABLE = 'CLOUDBASE_EMULATOR_CLOCK_OFFSET_MS';

/**
 * What one invocation adds to its container's variables: the caller's identity as the
 * platform sets it (`null` removes what an earlier invocation left), and, when a test
 * drives the emulator's clock, the offset from real time in ms under `clock.variable`,
 * so the function's own clock can follow (quickphone: cloudfunctions/_shared/runtime/clock.ts).
 */
export function invocationEnv(
  context: InvokeContext,
  source: InvokeSource,
  identity: { appid: string; openid: string; token: string },
  clock: { variable: string; offsetMs: number | null },
): Record<string, string | null> {
  return {
    WX_OPENID: identity.openid,
    WX_APPID: identity.appid,
    WX_UNIONID: context.UNIONID ?? '',
    WX_CLIENTIP: context.CLIENTIP ?? (source === 'wx_client' ? '127.0.0.1' : ''),
    TCB_SOURCE: source === 'wx_client' ? 'wx_client' : source === 'timer' ? 'timer' : 'wx_server',
    TRIGGER_SRC: source === 'timer' ? 'timer' : null,
    WX_API_TOKEN: identity.token,
    WX_TRIGGER_API_TOKEN_V0: source === 'timer' ? identity.token : null,
    [clock.variable]: clock.offsetMs === null ? null : String(clock.offsetMs),
  };
}

function readJsonFile(path: string): unknown {
  return existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : null;
}

/**
 * Compiles the container runner at each emulator start (a few milliseconds), into the
 * system's temporary folder: the emulator writes nothing into a project it serves. The
 * file is named by its content, so checkouts of different versions on one machine never
 * run each other's runner, and written to a temporary file then renamed, so emulators
 * starting in parallel (test workers) never see a half-written one.
 */
export async function buildRunner(): Promise<string> {
  const result = await build({
    entryPoints: [join(__dirname, 'containers', 'runner.ts')],
    outfile: 'runner.js',
    // Paths in the bundle's comments are relative to this, whatever folder the emulator starts in.
    absWorkingDir: join(__dirname, '..'),
    bundle: true,
    platform: 'node',
    target: 'node18',
    format: 'cjs',
    logLevel: 'warning',
    write: false,
  });
  const contents = result.outputFiles[0]!.contents;
  const digest = createHash('sha256').update(contents).digest('hex').slice(0, 16);
  const outfile = join(tmpdir(), 'cloudbase-emulator', `runner-${digest}.js`);
  if (existsSync(outfile)) return outfile;
  mkdirSync(dirname(outfile), { recursive: true });
  const tmp = `${outfile}.${process.pid}.${randomUUID()}.tmp`;
  writeFileSync(tmp, contents);
  renameSync(tmp, outfile);
  return outfile;
}
