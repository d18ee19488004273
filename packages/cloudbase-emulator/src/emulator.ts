/**
 * The local CloudBase emulator: one loopback HTTP port (server.ts) serving the SDK
 * gateway, WeChat's APIs (wechat/world.ts), the console and the emulator's own API,
 * and function containers running the built bundles (functions.ts). `npm start` runs
 * it with data persisted on disk (state.ts, persistence.ts); tests start in-memory
 * instances on free ports. This class holds the parts together and is what tests and
 * the API drive.
 */
import type { Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { envelopeCode, InvocationLog } from './console/invocation-log';
import type { ConsolePlugin } from './console/plugin';
import { Faults } from './faults';
import {
  buildRunner,
  DEFAULT_CLOCK_OFFSET_VARIABLE,
  invocationEnv,
  loadFunctions,
  type FunctionEntry,
  type InvokeContext,
  type InvokeSource,
} from './functions';
import { Gateway, type Invoker } from './gateway/gateway';
import { projectEnvId, readProject, ruleCollections, type CloudbaseProject } from './project';
import { loadState, saveState } from './persistence';
import { close, listen } from './server';
import { applyState, captureState, checkState, type PersistedState } from './state';
import { Stats } from './stats';
import { emulatorVariable } from './variables';
import { DocumentStore } from './store/document-store';
import { loadIndexDir, type IndexSpec } from './store/indexes';
import { wechatOpenApis } from './wechat/open-apis';
import type { MintRequest, PhoneCode, PhoneKind } from './wechat/phone-sandbox';
import { pushEvent, verifyPushUrl, type HttpAccessHost } from './wechat/provider-http';
import type { SpOrder } from './wechat/provider-orders';
import type { NewPack, Pack, Usage } from './wechat/usage-ledger';
import { WechatWorld } from './wechat/world';

export { LOOPBACK } from './server';
export { type InvokeContext } from './functions';
export {
  declaredVariables,
  httpRoutes,
  readCloudbaseRc,
  readProject,
  ruleCollections,
  type CloudbaseRc,
  type FunctionConfig,
  type HttpRoute,
  type TriggerConfig,
} from './project';
export type { PersistedState } from './state';

/**
 * How many containers one function may run at once unless told otherwise. CloudBase
 * scales a function to up to 1000 concurrent instances by default (docs.cloudbase.net,
 * "运行机制"); WeChat Cloud's basic plan listed 20 concurrent requests per function.
 * Each emulator container is a Node process of about 90 MB, so the default is the
 * plan's 20, not the platform's 1000; `npm start -- --containers N` sets it.
 */
export const DEFAULT_CONTAINERS_PER_FUNCTION = 20;

export interface EmulatorOptions {
  /** 0 picks a free port. */
  port?: number;
  /** Default: cloudbaserc.json's `envId` (`{{env.X}}` filled from the shell), else DEFAULT_ENV_ID. */
  envId?: string;
  /**
   * The mini program's appid (WeChat's form: wx + 16 hex digits). Default: the
   * functions' WECHAT_APPID when set (so their token and usage queries reach the ledger
   * the emulator's codes are billed to), else DEFAULT_APPID.
   */
  appid?: string;
  /**
   * The CloudBase project folder (the one holding cloudbaserc.json); default: the
   * current directory. Its functionRoot, database-rules/ and database-indexes/ are the
   * defaults below.
   */
  projectRoot?: string;
  /** Folder of functions (plain JS or built bundles); default: cloudbaserc.json's functionRoot. */
  functionsDir?: string;
  /** How declared variables' values are handed to containers (default: unchanged); see LoadOptions.encodeEnv. */
  encodeEnv?: (value: string) => string;
  /**
   * Variables of the emulator's environment (`env`) every container gets as they are,
   * besides those its function declares: a project's own switches for local runs
   * (quickphone: QUICKPHONE_LOG). Default: none.
   */
  passVariables?: string[];
  /**
   * The variable each invocation carries the offset of the `clock` option from real time
   * in (ms), for functions whose clock follows a test's (default DEFAULT_CLOCK_OFFSET_VARIABLE).
   */
  clockOffsetVariable?: string;
  /**
   * The Token WeChat signs service-provider pushes with when CLOUDBASE_EMULATOR_SP_PUSH_TOKEN
   * is unset: what the project's receiving function expects locally (default DEFAULT_SP_PUSH_TOKEN).
   */
  spPushToken?: string;
  /** Persist state here; null keeps everything in memory. */
  dataDir?: string | null;
  saveIntervalMs?: number;
  /** Containers one function may run at once (default DEFAULT_CONTAINERS_PER_FUNCTION). */
  maxContainersPerFunction?: number;
  /** Variables that override the functions' declared envVariables (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** Collections that exist from the start; default: one per database-rules/ file. */
  collections?: string[];
  /** Where function containers' output goes; default: discarded. */
  onLog?: (functionName: string, line: string) => void;
  /** The clock for server dates, code expiry and the functions' now() (tests may move time). */
  clock?: () => number;
  /** Size of the free trial each appid gets per component (default 1000). */
  trialCalls?: number;
  /** Real time from an accepted service-provider assign or cancel to its result (default 50). */
  spResultDelayMs?: number;
  /**
   * Which cloud-call (`cloud.openapi`) permissions functions have: `declared` (default)
   * grants what each config.json lists, as a DevTools upload does; `none` grants
   * nothing, as after a CLI deploy, so every cloud call answers -604101.
   */
  openapiPermission?: 'declared' | 'none';
  /** Indexes per collection; default: database-indexes/ (docs/emulator.md "Indexes"). */
  indexes?: Record<string, IndexSpec[]>;
  /** Fail queries no index serves with DATABASE_TIMEOUT; default: CLOUDBASE_EMULATOR_STRICT_INDEXES=1 (variables.ts). */
  strictIndexes?: boolean;
  /** The project's views and routes in the web console (console/plugin.ts); default: the console's own only. */
  consolePlugin?: ConsolePlugin;
}

export const DEFAULT_APPID = 'wx5eed1e0c0ffee001';
/** The env id of a project whose cloudbaserc.json names none. */
export const DEFAULT_ENV_ID = 'local';

export class Emulator {
  readonly store = new DocumentStore();
  readonly faults = new Faults();
  readonly stats = new Stats();
  /** WeChat: phone codes, quota, tokens, the service provider's orders, the HTTP APIs. */
  readonly wechat: WechatWorld;
  readonly gateway: Gateway;
  readonly envId: string;
  readonly appid: string;
  /** The service provider's AppID (PROVIDER_APPID, else the mini program's): pushes are sealed with it. */
  readonly providerAppid: string;
  readonly clock: () => number;
  /** Invocations and function output for the console's live log. */
  readonly invocationLog = new InvocationLog();
  /** When start() finished (ms), for the console's uptime; 0 before. */
  startedAt = 0;

  private server: Server | null = null;
  private functions = new Map<string, FunctionEntry>();
  private saveTimer: NodeJS.Timeout | null = null;
  private dirty = false;
  private baseUrl = '';
  private readonly projectRoot: string;
  /** The project's HTTP access (cloudbaserc.json), read at start. */
  private httpAccess: Record<string, string> = {};

  constructor(private readonly options: EmulatorOptions = {}) {
    this.projectRoot = options.projectRoot ?? process.cwd();
    this.envId = options.envId ?? projectEnvId(this.projectRoot) ?? DEFAULT_ENV_ID;
    const env = options.env ?? process.env;
    // One source for "which mini program is this": the appid the functions are given.
    this.appid = options.appid ?? (env.WECHAT_APPID || DEFAULT_APPID);
    // WeChat seals a provider's pushes with the provider's own AppID, which the provider function checks.
    this.providerAppid = env.PROVIDER_APPID || this.appid;
    this.clock = options.clock ?? Date.now;
    const changed = () => {
      this.dirty = true;
    };
    this.wechat = new WechatWorld({
      appid: this.appid,
      providerAppid: this.providerAppid,
      clock: this.clock,
      faults: this.faults,
      stats: this.stats,
      env: () => this.options.env ?? process.env,
      trialCalls: options.trialCalls,
      spResultDelayMs: options.spResultDelayMs,
      // WeChat's push of a result: a server call to the provider function, no OPENID. Nobody waits for it.
      push: async (event) => {
        await pushEvent(this.httpAccessHost(), event, this.providerAppid, this.clock());
      },
      changed,
    });
    this.store.onChange = changed;
    this.store.setIndexes(options.indexes ?? loadIndexDir(this.projectRoot).byCollection);
    this.store.strictIndexes =
      options.strictIndexes ??
      (emulatorVariable('CLOUDBASE_EMULATOR_STRICT_INDEXES', options.env) ?? emulatorVariable('CLOUDBASE_EMULATOR_STRICT_INDEXES')) === '1';
    this.gateway = new Gateway({
      store: this.store,
      faults: this.faults,
      stats: this.stats,
      clock: this.clock,
      defaultAppid: this.appid,
      openApis: wechatOpenApis(this.sandbox, this.wechat.subscribeMessages, changed),
      invokeFunction: async (name, event) => {
        const outcome = await this.invoke(name, event, {}, 'wx_server');
        return outcome.ok ? { ok: true, result: outcome.result } : { ok: false, message: outcome.error ?? 'function failed' };
      },
    });
  }

  // The WeChat parts, by the names tests and the API use.
  get sandbox() {
    return this.wechat.sandbox;
  }
  get ledger() {
    return this.wechat.ledger;
  }
  get tokens() {
    return this.wechat.tokens;
  }
  get providerOrders() {
    return this.wechat.providerOrders;
  }
  get providerResults() {
    return this.wechat.providerResults;
  }
  /** Calls to WeChat's HTTP fakes not yet answered (a delay fault holds them): tests wait for 0 instead of sleeping. */
  get wechatCallsUnderway(): number {
    return this.wechat.callsUnderway;
  }

  get url(): string {
    if (!this.baseUrl) throw new Error('the emulator is not started');
    return this.baseUrl;
  }

  functionNames(): string[] {
    return [...this.functions.keys()].sort();
  }

  async start(): Promise<string> {
    const runnerPath = await buildRunner();
    this.resetCollections();
    if (this.options.dataDir) this.loadFrom(this.options.dataDir);
    const { server, baseUrl } = await listen(this, this.options.port ?? 0);
    this.server = server;
    this.baseUrl = baseUrl;
    this.startedAt = Date.now();
    // Declared values come from the shell as a deploy's would; `env` overrides them (functions.ts).
    const project: CloudbaseProject = readProject(this.projectRoot, process.env);
    this.httpAccess = project.httpAccess;
    this.functions = loadFunctions({
      dir: this.options.functionsDir ?? project.functionRoot,
      project,
      encodeEnv: this.options.encodeEnv,
      envId: this.envId,
      baseUrl,
      overrides: this.options.env ?? process.env,
      passVariables: this.options.passVariables,
      runnerPath,
      maxContainers: this.options.maxContainersPerFunction ?? DEFAULT_CONTAINERS_PER_FUNCTION,
      onLog: (fn, line) => {
        this.invocationLog.line(fn, line);
        this.options.onLog?.(fn, line);
      },
    });
    // Assignments saved mid-way settle now that the provider function can hear of it.
    this.providerResults.resume();

    if (this.options.dataDir) {
      const dir = this.options.dataDir;
      this.saveTimer = setInterval(() => this.saveIfDirty(dir), this.options.saveIntervalMs ?? 2000);
      this.saveTimer.unref();
    }
    return this.baseUrl;
  }

  async stop(): Promise<void> {
    this.providerResults.stop();
    if (this.saveTimer) clearInterval(this.saveTimer);
    this.saveTimer = null;
    await Promise.all([...this.functions.values()].map((f) => f.pool.close()));
    if (this.server) {
      const server = this.server;
      this.server = null;
      await close(server);
    }
    if (this.options.dataDir) this.saveIfDirty(this.options.dataDir);
  }

  /** Empties data, charges, faults and stats (containers stay warm). */
  reset(): void {
    this.resetCollections();
    this.wechat.clear();
    this.faults.clear();
    this.stats.clear();
    for (const f of this.functions.values()) {
      f.pool.counts.cold = 0;
      f.pool.counts.warm = 0;
    }
    this.dirty = true;
  }

  /**
   * Runs a function as CloudBase would: in one of its containers, with the caller's
   * identity in the environment. `source` is `wx_client` for a mini program call.
   */
  async invoke(name: string, event: unknown, context: InvokeContext, source: InvokeSource = 'wx_client') {
    const fn = this.functions.get(name);
    if (!fn) return { ok: false as const, error: `Function not found: [${name}]`, cold: false, notFound: true };
    const appid = context.APPID ?? (source === 'wx_client' ? this.appid : '');
    const openid = context.OPENID ?? '';
    const invoker: Invoker = {
      functionName: name,
      openid: openid || null,
      appid: appid || this.appid,
      openapiPermissions: this.options.openapiPermission === 'none' ? [] : fn.openapiPermissions,
    };
    const token = this.gateway.issueToken(invoker);
    const started = Date.now();
    const route =
      event !== null && typeof event === 'object' && typeof (event as { $url?: unknown }).$url === 'string'
        ? (event as { $url: string }).$url
        : null;
    const body =
      source === 'wx_client' && event !== null && typeof event === 'object' && !Array.isArray(event)
        ? { ...(event as Record<string, unknown>), userInfo: { appId: appid, openId: openid } }
        : event;
    try {
      const outcome = await fn.pool.invoke({
        event: body,
        // A test that drives the emulator's clock drives the function's now() too.
        env: invocationEnv(
          context,
          source,
          { appid, openid, token },
          {
            variable: this.options.clockOffsetVariable ?? DEFAULT_CLOCK_OFFSET_VARIABLE,
            offsetMs: this.options.clock ? this.clock() - Date.now() : null,
          },
        ),
        context: {
          request_id: randomUUID(),
          function_name: name,
          namespace: this.envId,
          memory_limit_in_mb: fn.config?.memorySize ?? 256,
          time_limit_in_ms: (fn.config?.timeout ?? 3) * 1000,
        },
      });
      this.invocationLog.invocation({
        fn: name,
        route,
        caller: openid || null,
        source,
        durationMs: Date.now() - started,
        cold: outcome.cold,
        code: envelopeCode(outcome),
      });
      return { ...outcome, notFound: false };
    } finally {
      this.gateway.revokeToken(token);
    }
  }

  /** Timer trigger names of a function (from its built config.json); null if there is no such function. */
  timerTriggers(name: string): string[] | null {
    return this.functions.get(name)?.timerTriggers ?? null;
  }

  /** A user tapped the button and approved: one charge; null when the appid has no quota left (errno 1400001). */
  mintPhoneCode(request: MintRequest): PhoneCode | null {
    return this.wechat.mintPhoneCode(request);
  }

  /** Usage of one appid and component now. The first look creates its trial. */
  usage(appid: string, kind: PhoneKind): Usage {
    return this.wechat.usage(appid, kind);
  }

  addPack(pack: NewPack): Pack {
    return this.wechat.addPack(pack);
  }

  /** A bulk order the provider bought on WeChat's service-provider platform. */
  addSpOrder(order: { spuId?: string; calls: number; validityDays?: number }): SpOrder {
    return this.wechat.addSpOrder(order);
  }

  containerStats(): Record<string, { cold: number; warm: number }> {
    const out: Record<string, { cold: number; warm: number }> = {};
    for (const [name, f] of this.functions) out[name] = { ...f.pool.counts };
    return out;
  }

  /** CloudBase HTTP access to the functions (wechat/provider-http.ts). */
  httpAccessHost(): HttpAccessHost {
    return {
      invoke: (name, event, context, source) => this.invoke(name, event, context, source),
      env: () => this.options.env ?? process.env,
      spPushToken: this.options.spPushToken,
      declaredRoutes: () => this.httpAccess,
      log: (line) => this.options.onLog?.('emulator', line),
    };
  }

  /** What saving the push URL in the provider platform's 开发设置 does: WeChat's echostr check. */
  verifySpPushUrl() {
    return verifyPushUrl(this.httpAccessHost(), this.providerAppid, this.clock());
  }

  /** A variable of the emulator's environment (the `env` option, else process.env). */
  envVar(name: string): string | undefined {
    return (this.options.env ?? process.env)[name];
  }

  /** Where `npm start` keeps data; null in memory. */
  get dataDir(): string | null {
    return this.options.dataDir ?? null;
  }

  get consolePlugin(): ConsolePlugin | undefined {
    return this.options.consolePlugin;
  }

  /** Everything `npm start` saves: data, phone codes, packs, provider orders (for export). */
  exportState(): PersistedState {
    return captureState(this.store, this.wechat);
  }

  /** Replaces data, phone codes, packs and provider orders with an exported state (faults and stats stay). */
  importState(state: PersistedState): void {
    checkState(state);
    this.providerResults.stop();
    this.store.clear();
    applyState(this.store, this.wechat, state, this.collectionNames());
    if (this.server) this.providerResults.resume();
    this.dirty = true;
  }

  // ---- internals ---------------------------------------------------------------

  private collectionNames(): string[] {
    return this.options.collections ?? ruleCollections(this.projectRoot);
  }

  private resetCollections(): void {
    this.store.clear();
    for (const name of this.collectionNames()) this.store.createCollection(name);
  }

  private loadFrom(dir: string): void {
    const state = loadState<PersistedState>(dir);
    if (!state) return;
    applyState(this.store, this.wechat, state, this.collectionNames());
    this.dirty = false;
  }

  private saveIfDirty(dir: string): void {
    if (!this.dirty) return;
    saveState(dir, this.exportState());
    this.dirty = false;
  }
}
