/**
 * The local CloudBase emulator: one loopback HTTP port serving the SDK gateway
 * (`POST /admin`), the emulator's own API (`/v1/...`, see docs/emulator.md), and
 * function containers running the built bundles. `npm start` runs it with data
 * persisted on disk; tests start in-memory instances on free ports.
 */
import { build } from 'esbuild';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { loadCloudbaseRc, PROJECT_ROOT, type FunctionConfig } from '../scripts/lib/cloudbaserc';
import { encodeEnvValue } from '../cloudfunctions/_shared/config';
import { FunctionPool } from './containers/function-pool';
import { Faults } from './faults';
import { Gateway, type Invoker } from './gateway/gateway';
import { HttpError, readJsonObject, readMultipart, readJson, sendError, sendJson } from './http-util';
import { loadState, saveState } from './persistence';
import { Stats } from './stats';
import { DocumentStore, type Doc } from './store/document-store';
import { loadIndexDir, type IndexSpec } from './store/indexes';
import { apiRoutes } from './api';
import { envelopeCode, InvocationLog } from './console/invocation-log';
import { serveConsole } from './console/server';
import { AccessTokens } from './wechat/access-tokens';
import { wechatHttpApis, type WechatHandler } from './wechat/http-apis';
import { PhoneSandbox, type MintRequest, type PhoneCode, type PhoneKind } from './wechat/phone-sandbox';
import { wechatOpenApis } from './wechat/open-apis';
import { providerApis } from './wechat/provider-apis';
import { HTTP_ACCESS_PREFIX, pushEvent, serveHttpAccess, verifyPushUrl, type HttpAccessHost } from './wechat/provider-http';
import { kindOfBulkSpu, ProviderOrders, type Assignment, type ProviderSnapshot, type SpOrder } from './wechat/provider-orders';
import { DEFAULT_SP_RESULT_DELAY_MS, ProviderResults, type ResultEvent } from './wechat/provider-results';
import { computeUsage, DEFAULT_TRIAL_CALLS, kindOfSpu, recentMonthlyAverage, SOURCE_PROVIDER, UsageLedger, type NewPack, type Pack, type Usage } from './wechat/usage-ledger';

export const LOOPBACK = '127.0.0.1';

export interface EmulatorOptions {
  /** 0 picks a free port. */
  port?: number;
  envId?: string;
  /** The mini program's appid (WeChat's form: wx + 16 hex digits). */
  appid?: string;
  /** Folder of built functions; defaults to build/cloudfunctions. */
  functionsDir?: string;
  /** Persist state here; null keeps everything in memory. */
  dataDir?: string | null;
  saveIntervalMs?: number;
  maxContainersPerFunction?: number;
  /** Variables that override the functions' declared envVariables (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** Collections that exist from the start; default: one per database-rules/ file. */
  collections?: string[];
  /** Where function containers' output goes; default: discarded. */
  onLog?: (functionName: string, line: string) => void;
  /** The clock for server dates and code expiry (tests may move time). */
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
  /** Fail queries no index serves with DATABASE_TIMEOUT; default: QUICKPHONE_STRICT_INDEXES=1. */
  strictIndexes?: boolean;
}

export interface PersistedState {
  version: 1;
  collections: Record<string, Doc[]>;
  phoneCodes: PhoneCode[];
  /** Quota packages, trials included; absent in state saved before packs existed. */
  packs?: Pack[];
  /** The last pkgId given out (packages can be removed); absent in older state. */
  lastPkgId?: number;
  /** Service-provider orders and assignments; absent in state saved before they existed. */
  provider?: ProviderSnapshot;
}

interface FunctionEntry {
  name: string;
  dir: string;
  config: FunctionConfig | undefined;
  openapiPermissions: string[];
  /** Names of the timer triggers in the built config.json. */
  timerTriggers: string[];
  pool: FunctionPool;
}

export type InvokeContext = { OPENID?: string; APPID?: string; UNIONID?: string; CLIENTIP?: string };

export const DEFAULT_APPID = 'wx5eed1e0c0ffee001';
export const DEFAULT_ENV_ID = 'quickphone-local';
/** Comma-separated appids the provider has no relationship with (assign answers 10045). */
export const SP_UNRELATED_APPIDS_VAR = 'QUICKPHONE_SP_UNRELATED_APPIDS';
/** The function WeChat pushes service-provider results to. */
export const PROVIDER_FUNCTION = 'provider';

export class Emulator {
  readonly store = new DocumentStore();
  readonly faults = new Faults();
  readonly stats = new Stats();
  readonly sandbox: PhoneSandbox;
  readonly ledger: UsageLedger;
  readonly tokens: AccessTokens;
  readonly providerOrders = new ProviderOrders();
  readonly providerResults: ProviderResults;
  /** Calls to WeChat's HTTP fakes not yet answered (a delay fault holds them): tests wait for 0 instead of sleeping. */
  wechatCallsUnderway = 0;
  readonly gateway: Gateway;
  readonly envId: string;
  readonly appid: string;
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
  private readonly wechatApis: Record<string, WechatHandler>;

  constructor(private readonly options: EmulatorOptions = {}) {
    this.envId = options.envId ?? DEFAULT_ENV_ID;
    this.appid = options.appid ?? DEFAULT_APPID;
    this.clock = options.clock ?? Date.now;
    this.sandbox = new PhoneSandbox(this.appid, this.clock);
    this.ledger = new UsageLedger(options.trialCalls ?? DEFAULT_TRIAL_CALLS);
    this.tokens = new AccessTokens(this.clock);
    this.providerResults = new ProviderResults({
      orders: this.providerOrders,
      faults: this.faults,
      clock: this.clock,
      delayMs: options.spResultDelayMs ?? DEFAULT_SP_RESULT_DELAY_MS,
      providerAppid: this.appid,
      deliver: (a, order) => this.deliverAssignedPack(a, order),
      withdraw: (a) => {
        if (a.pkgId) this.ledger.removePack(a.pkgId);
      },
      packUsed: (a) => this.assignedPackUsed(a),
      push: (event) => this.pushProviderResult(event),
      changed: () => {
        this.dirty = true;
      },
    });
    this.wechatApis = {
      ...wechatHttpApis({
        tokens: this.tokens,
        // Read per request, so a test can set it after the start.
        appSecret: () => (options.env ?? process.env).WECHAT_APPSECRET || undefined,
        usage: (appid, kind) => this.usage(appid, kind),
        recentAverage: (appid, kind) => recentMonthlyAverage(this.sandbox.chargeTimes(appid, kind), this.clock()),
        exchangePhoneCode: (request, appid) => {
          this.dirty = true;
          return this.sandbox.exchange(request, appid);
        },
      }),
      ...providerApis({
        tokens: this.tokens,
        orders: this.providerOrders,
        clock: this.clock,
        related: (appid) => !unrelatedAppids(options.env ?? process.env).has(appid),
        packUsed: (a) => this.assignedPackUsed(a),
        accepted: (a, change) => {
          this.dirty = true;
          this.providerResults.schedule(a.requestId, change);
        },
      }),
    };
    this.store.onChange = () => {
      this.dirty = true;
    };
    this.store.setIndexes(options.indexes ?? loadIndexDir(PROJECT_ROOT).byCollection);
    this.store.strictIndexes = options.strictIndexes ?? (options.env?.QUICKPHONE_STRICT_INDEXES ?? process.env.QUICKPHONE_STRICT_INDEXES) === '1';
    this.gateway = new Gateway({
      store: this.store,
      faults: this.faults,
      stats: this.stats,
      clock: this.clock,
      defaultAppid: this.appid,
      openApis: wechatOpenApis(this.sandbox, () => {
        this.dirty = true;
      }),
      invokeFunction: async (name, event) => {
        const outcome = await this.invoke(name, event, {}, 'wx_server');
        return outcome.ok ? { ok: true, result: outcome.result } : { ok: false, message: outcome.error ?? 'function failed' };
      },
    });
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

    this.server = createServer((req, res) => {
      this.route(req, res).catch((err: unknown) => sendError(res, err));
    });
    // Loopback only: the emulator has no authentication.
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.options.port ?? 0, LOOPBACK, () => resolve());
    });
    const { port } = this.server.address() as AddressInfo;
    this.baseUrl = `http://${LOOPBACK}:${port}`;
    this.startedAt = Date.now();
    this.loadFunctions(runnerPath);
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
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    if (this.options.dataDir) this.saveIfDirty(this.options.dataDir);
  }

  /** Empties data, charges, faults and stats (containers stay warm). */
  reset(): void {
    this.resetCollections();
    this.sandbox.clear();
    this.ledger.clear();
    this.providerResults.stop();
    this.providerOrders.clear();
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
  async invoke(name: string, event: unknown, context: InvokeContext, source: 'wx_client' | 'wx_server' | 'timer' = 'wx_client') {
    const fn = this.functions.get(name);
    if (!fn) return { ok: false as const, error: `Function not found: [${name}]`, cold: false, notFound: true };
    const appid = context.APPID ?? (source === 'wx_client' ? this.appid : '');
    const openid = context.OPENID ?? '';
    const invoker: Invoker = { functionName: name, openid: openid || null, appid: appid || this.appid, openapiPermissions: this.options.openapiPermission === 'none' ? [] : fn.openapiPermissions };
    const token = this.gateway.issueToken(invoker);
    const started = Date.now();
    const route = event !== null && typeof event === 'object' && typeof (event as { $url?: unknown }).$url === 'string' ? (event as { $url: string }).$url : null;
    const body =
      source === 'wx_client' && event !== null && typeof event === 'object' && !Array.isArray(event)
        ? { ...(event as Record<string, unknown>), userInfo: { appId: appid, openId: openid } }
        : event;
    try {
      const outcome = await fn.pool.invoke({
        event: body,
        env: {
          WX_OPENID: openid,
          WX_APPID: appid,
          WX_UNIONID: context.UNIONID ?? '',
          WX_CLIENTIP: context.CLIENTIP ?? (source === 'wx_client' ? '127.0.0.1' : ''),
          TCB_SOURCE: source === 'wx_client' ? 'wx_client' : source === 'timer' ? 'timer' : 'wx_server',
          TRIGGER_SRC: source === 'timer' ? 'timer' : null,
          WX_API_TOKEN: token,
          WX_TRIGGER_API_TOKEN_V0: source === 'timer' ? token : null,
          // A test that drives the emulator's clock drives the function's now() too (_shared/clock.ts).
          QUICKPHONE_CLOCK_OFFSET_MS: this.options.clock ? String(this.clock() - Date.now()) : null,
        },
        context: {
          request_id: randomUUID(),
          function_name: name,
          namespace: this.envId,
          memory_limit_in_mb: fn.config?.memorySize ?? 256,
          time_limit_in_ms: (fn.config?.timeout ?? 3) * 1000,
        },
      });
      this.invocationLog.invocation({ fn: name, route, caller: openid || null, source, durationMs: Date.now() - started, cold: outcome.cold, code: envelopeCode(outcome) });
      return { ...outcome, notFound: false };
    } finally {
      this.gateway.revokeToken(token);
    }
  }

  /** Timer trigger names of a function (from its built config.json); null if there is no such function. */
  timerTriggers(name: string): string[] | null {
    return this.functions.get(name)?.timerTriggers ?? null;
  }

  /**
   * A user tapped the button and approved: one charge. Null when that appid has no
   * quota left for the component, which WeChat refuses on the client (errno 1400001)
   * without charging.
   */
  mintPhoneCode(request: MintRequest): PhoneCode | null {
    if (this.usage(request.appid ?? this.appid, request.kind ?? 'quick').remaining <= 0) return null;
    this.dirty = true;
    return this.sandbox.mint(request);
  }

  /** Usage of one appid and component now. The first look creates its trial. */
  usage(appid: string, kind: PhoneKind): Usage {
    const now = this.clock();
    const charges = this.sandbox.chargeTimes(appid, kind);
    // The trial starts no later than the first charge: codes minted straight through
    // the sandbox (bench) or saved before the ledger existed still count against it.
    if (this.ledger.ensureTrial(appid, kind, Math.min(now, charges[0] ?? now))) this.dirty = true;
    return computeUsage(this.ledger.packsOf(appid, kind), charges, now);
  }

  addPack(pack: NewPack): Pack {
    this.dirty = true;
    return this.ledger.addPack(pack, this.clock());
  }

  /** A bulk order the provider bought on WeChat's service-provider platform. */
  addSpOrder(order: { spuId?: string; calls: number; validityDays?: number }): SpOrder {
    this.dirty = true;
    return this.providerOrders.addOrder(order, this.clock());
  }

  containerStats(): Record<string, { cold: number; warm: number }> {
    const out: Record<string, { cold: number; warm: number }> = {};
    for (const [name, f] of this.functions) out[name] = { ...f.pool.counts };
    return out;
  }

  // ---- internals ---------------------------------------------------------------

  /** The receiver's pack for a settled assignment: source 3, running from beginTime (or now) for the order's validity. */
  private deliverAssignedPack(a: Assignment, order: SpOrder): string {
    const now = this.clock();
    const startTime = a.beginTime ?? now;
    const pack = this.ledger.addPack(
      { appid: a.receiverAppId, kind: kindOfBulkSpu(order.spuId) ?? 'quick', source: SOURCE_PROVIDER, calls: a.count, startTime, endTime: startTime + order.validityDays * 86_400_000, skuId: a.skuId },
      now,
    );
    return pack.pkgId;
  }

  /** Charges of the receiver that drew on an assignment's pack (0 before it is delivered). */
  private assignedPackUsed(a: Assignment): number {
    const order = this.providerOrders.order(a.orderId);
    if (!a.pkgId || !order) return 0;
    return this.usage(a.receiverAppId, kindOfBulkSpu(order.spuId) ?? 'quick').packages.find((p) => p.pkgId === a.pkgId)?.used ?? 0;
  }

  /** WeChat's push of a result: a server call to the provider function, no OPENID. Nobody waits for it. */
  private async pushProviderResult(event: ResultEvent): Promise<void> {
    await pushEvent(this.httpAccessHost(), event, this.appid, this.clock());
  }

  /** CloudBase HTTP access to the functions (wechat/provider-http.ts). */
  httpAccessHost(): HttpAccessHost {
    return {
      invoke: (name, event, context, source) => this.invoke(name, event, context, source),
      env: () => this.options.env ?? process.env,
      log: (line) => this.options.onLog?.('emulator', line),
    };
  }

  /** What saving the push URL in the provider platform's 开发设置 does: WeChat's echostr check. */
  verifySpPushUrl() {
    return verifyPushUrl(this.httpAccessHost(), this.appid, this.clock());
  }


  private functionsDir(): string {
    return this.options.functionsDir ?? join(PROJECT_ROOT, 'build', 'cloudfunctions');
  }

  private loadFunctions(runnerPath: string): void {
    const dir = this.functionsDir();
    if (!existsSync(dir)) throw new Error(`no built functions in ${dir}: run \`npm run build\` first`);
    const rc = loadCloudbaseRc();
    const overrides = this.options.env ?? process.env;
    for (const name of readdirSync(dir).sort()) {
      const fnDir = join(dir, name);
      if (!existsSync(join(fnDir, 'index.js'))) continue;
      const config = rc.functions.find((f) => f.name === name);
      const declared = config?.envVariables ?? {};
      const env: Record<string, string> = {
        PATH: process.env.PATH ?? '',
        NODE_ENV: 'production',
        TENCENTCLOUD_RUNENV: 'SCF',
        // The SDK refuses to start without keys; the emulator does not check them.
        TENCENTCLOUD_SECRETID: 'emulator-secret-id',
        TENCENTCLOUD_SECRETKEY: 'emulator-secret-key',
        TENCENTCLOUD_REGION: 'ap-shanghai',
        TCB_ENV: this.envId,
        SCF_NAMESPACE: this.envId,
        SCF_FUNCTIONNAME: name,
        TCB_CONTEXT_CNFG: JSON.stringify({ URL: `${this.baseUrl}/admin` }),
        // The SDK forwards only listed variables; WX_API_TOKEN is how the gateway knows
        // which invocation (user, function) a call belongs to, as on the platform.
        WX_CONTEXT_KEYS: 'WX_OPENID,WX_APPID,WX_UNIONID,WX_CLIENTIP,WX_API_TOKEN',
        TCB_CONTEXT_KEYS: 'TCB_ENV,TCB_SOURCE',
        WECHAT_API_BASE: `${this.baseUrl}/wechat`,
      };
      // As `npm run deploy` sends them: unset ones not at all, awkward ones encoded (config.ts decodes).
      for (const [key, value] of Object.entries(declared)) {
        const given = overrides[key] ?? value;
        if (given) env[key] = encodeEnvValue(given);
      }
      if (overrides.WECHAT_API_BASE) env.WECHAT_API_BASE = overrides.WECHAT_API_BASE;
      if (overrides.QUICKPHONE_LOG) env.QUICKPHONE_LOG = overrides.QUICKPHONE_LOG;
      const fnConfig = readJsonFile(join(fnDir, 'config.json')) as BuiltConfig | null;
      this.functions.set(name, {
        name,
        dir: fnDir,
        config,
        openapiPermissions: fnConfig?.permissions?.openapi ?? [],
        timerTriggers: (fnConfig?.triggers ?? []).filter((t) => t.type === 'timer').map((t) => t.name),
        pool: new FunctionPool({
          name,
          bundleDir: fnDir,
          runnerPath,
          env,
          maxContainers: this.options.maxContainersPerFunction ?? 4,
          timeoutMs: (config?.timeout ?? 3) * 1000,
          onLog: (fn, line) => {
            this.invocationLog.line(fn, line);
            this.options.onLog?.(fn, line);
          },
        }),
      });
    }
  }

  private resetCollections(): void {
    this.store.clear();
    for (const name of this.options.collections ?? ruleCollections()) this.store.createCollection(name);
  }

  /** A variable of the emulator's environment (the `env` option, else process.env). */
  envVar(name: string): string | undefined {
    return (this.options.env ?? process.env)[name];
  }

  /** Where `npm start` keeps data; null in memory. */
  get dataDir(): string | null {
    return this.options.dataDir ?? null;
  }

  /** Everything `npm start` saves: data, phone codes, packs, provider orders (for export). */
  exportState(): PersistedState {
    return {
      version: 1,
      collections: this.store.snapshot(),
      phoneCodes: this.sandbox.snapshot(),
      packs: this.ledger.snapshot(),
      lastPkgId: this.ledger.lastPkgId,
      provider: this.providerOrders.snapshot(),
    };
  }

  /** Replaces data, phone codes, packs and provider orders with an exported state (faults and stats stay). */
  importState(state: PersistedState): void {
    if (state === null || typeof state !== 'object' || state.version !== 1 || state.collections === null || typeof state.collections !== 'object') {
      throw new Error('not an exported emulator state (expected { version: 1, collections, … })');
    }
    this.providerResults.stop();
    this.store.clear();
    this.applyState(state);
    if (this.server) this.providerResults.resume();
    this.dirty = true;
  }

  private loadFrom(dir: string): void {
    const state = loadState<PersistedState>(dir);
    if (!state) return;
    this.applyState(state);
    this.dirty = false;
  }

  private applyState(state: PersistedState): void {
    this.store.load(state.collections);
    for (const name of this.options.collections ?? ruleCollections()) if (!this.store.hasCollection(name)) this.store.createCollection(name);
    this.sandbox.load(state.phoneCodes ?? []);
    this.ledger.load(state.packs ?? [], state.lastPkgId);
    this.providerOrders.load(state.provider ?? { orders: [], assignments: [] });
  }

  private saveIfDirty(dir: string): void {
    if (!this.dirty) return;
    saveState(dir, this.exportState());
    this.dirty = false;
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.baseUrl || `http://${LOOPBACK}`);
    if (url.pathname === '/admin' && req.method === 'POST') return this.serveGateway(req, res);
    if (url.pathname.startsWith('/wechat/')) return this.serveWechat(req, res, url);
    if (url.pathname.startsWith(`${HTTP_ACCESS_PREFIX}/`)) return serveHttpAccess(this.httpAccessHost(), req, res, url);
    if (url.pathname === '/' || url.pathname.startsWith('/console/')) return serveConsole(this, req, res, url);
    for (const r of apiRoutes) {
      if (r.method !== req.method) continue;
      const match = r.pattern.exec(url.pathname);
      if (!match) continue;
      const body = req.method === 'POST' || req.method === 'PUT' ? await readJson(req) : undefined;
      const { status, value } = await r.handle(this, { params: match.groups ?? {}, body, query: url.searchParams });
      return sendJson(res, status, value);
    }
    throw new HttpError(404, 'NOT_FOUND', `no route for ${req.method} ${url.pathname}`);
  }

  private async serveGateway(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const type = req.headers['content-type'] ?? '';
    let reply;
    if (type.startsWith('multipart/form-data')) {
      const { fields, files } = await readMultipart(req);
      reply = await this.gateway.handle(fields, files);
    } else {
      reply = await this.gateway.handle(await readJsonObject(req));
    }
    res.writeHead(200, { 'content-type': reply.contentType });
    res.end(reply.body);
  }

  /**
   * `/wechat/...`: WeChat's HTTP APIs. Every call is counted in stats as
   * `wechat:<path>` and may meet a fault of that target. Failures are WeChat's
   * `{ errcode, errmsg }` with HTTP 200; an API the emulator does not fake is a 404.
   */
  private async serveWechat(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    this.wechatCallsUnderway += 1;
    try {
      await this.answerWechat(req, res, url);
    } finally {
      this.wechatCallsUnderway -= 1;
    }
  }

  private async answerWechat(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const path = url.pathname.slice('/wechat'.length);
    this.stats.countAction(`wechat:${path}`);
    const fault = this.faults.take(`wechat:${path}`);
    // The whole request is read before a delay: WeChat acts on a call it received even
    // when the caller has given up waiting (a timed-out assign still assigns).
    let body: unknown = {};
    let unreadable = false;
    if (req.method === 'POST') {
      try {
        body = await readJson(req);
      } catch {
        unreadable = true;
      }
    }
    if (fault?.delayMs) await sleep(fault.delayMs);
    if (fault && fault.errcode !== null) return sendJson(res, 200, { errcode: fault.errcode, errmsg: 'emulated fault' });
    const handler = this.wechatApis[`${req.method} ${path}`];
    if (!handler) return sendJson(res, 404, { errcode: 40066, errmsg: `invalid url: the emulator does not fake ${req.method} ${path}` });
    if (unreadable || body === null || typeof body !== 'object' || Array.isArray(body)) return sendJson(res, 200, { errcode: 47001, errmsg: 'data format error' });
    sendJson(res, 200, handler({ query: url.searchParams, body: body as Record<string, unknown> }));
  }
}

/** The parts of a built function's config.json the emulator reads. */
interface BuiltConfig {
  permissions?: { openapi?: string[] };
  triggers?: Array<{ name: string; type: string; config: string }>;
}

function unrelatedAppids(env: NodeJS.ProcessEnv): Set<string> {
  return new Set((env[SP_UNRELATED_APPIDS_VAR] ?? '').split(',').map((s) => s.trim()).filter(Boolean));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function readJsonFile(path: string): unknown {
  return existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : null;
}

/** Collections named by database-rules/<name>.json: the ones the product uses. */
export function ruleCollections(root = PROJECT_ROOT): string[] {
  const dir = join(root, 'database-rules');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

/**
 * Compiles the container runner at each emulator start (a few milliseconds). Written
 * to a temporary file and renamed, so emulators starting in parallel (test workers)
 * never see a half-written runner.
 */
async function buildRunner(): Promise<string> {
  const outfile = join(PROJECT_ROOT, 'build', 'emulator', 'runner.js');
  const result = await build({
    entryPoints: [join(__dirname, 'containers', 'runner.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node18',
    format: 'cjs',
    logLevel: 'warning',
    write: false,
  });
  mkdirSync(dirname(outfile), { recursive: true });
  const tmp = `${outfile}.${process.pid}.${randomUUID()}.tmp`;
  writeFileSync(tmp, result.outputFiles[0]!.contents);
  renameSync(tmp, outfile);
  return outfile;
}
