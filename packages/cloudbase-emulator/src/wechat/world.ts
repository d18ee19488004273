/**
 * WeChat as the emulator plays it, wired together: the phone-code sandbox, the quota
 * ledger, access tokens, the service-provider orders and their asynchronous results,
 * and the HTTP APIs (`/wechat/...`) over them. The emulator owns one and routes
 * `/wechat/` requests to `serve`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { waitOut, type Faults } from '../faults';
import { readJson, sendJson } from '../http-util';
import { emulatorVariable } from '../variables';
import type { Stats } from '../stats';
import { AccessTokens } from './access-tokens';
import { wechatHttpApis, type WechatHandler } from './http-apis';
import { PhoneSandbox, type MintRequest, type PhoneCode, type PhoneKind } from './phone-sandbox';
import { providerApis } from './provider-apis';
import { componentApis, DEFAULT_COMPONENT_VERIFY_TICKET } from './provider-component';
import { SubscribeMessages } from './subscribe-messages';
import { kindOfBulkSpu, ProviderOrders, type Assignment, type SpOrder } from './provider-orders';
import { DEFAULT_SP_RESULT_DELAY_MS, ProviderResults, type ResultEvent } from './provider-results';
import {
  computeUsage,
  DEFAULT_TRIAL_CALLS,
  recentMonthlyAverage,
  SOURCE_PROVIDER,
  UsageLedger,
  type NewPack,
  type Pack,
  type Usage,
} from './usage-ledger';

interface WechatWorldOptions {
  /** The mini program's appid. */
  appid: string;
  /** The service provider's AppID (assign results name it). */
  providerAppid: string;
  clock: () => number;
  faults: Faults;
  stats: Stats;
  /** The emulator's variables, read per request (WECHAT_APPSECRET, unrelated appids). */
  env: () => NodeJS.ProcessEnv;
  trialCalls?: number;
  spResultDelayMs?: number;
  /** WeChat pushes a service-provider result to the provider function. */
  push(event: ResultEvent): Promise<void>;
  /** Something that is saved changed. */
  changed(): void;
}

export class WechatWorld {
  readonly sandbox: PhoneSandbox;
  readonly ledger: UsageLedger;
  readonly tokens: AccessTokens;
  readonly providerOrders = new ProviderOrders();
  readonly providerResults: ProviderResults;
  readonly subscribeMessages: SubscribeMessages;
  /** Calls to the HTTP fakes not yet answered (a delay fault holds them): tests wait for 0 instead of sleeping. */
  callsUnderway = 0;
  private readonly apis: Record<string, WechatHandler>;

  constructor(private readonly options: WechatWorldOptions) {
    const { clock, changed } = options;
    this.sandbox = new PhoneSandbox(options.appid, clock);
    this.ledger = new UsageLedger(options.trialCalls ?? DEFAULT_TRIAL_CALLS);
    this.tokens = new AccessTokens(clock);
    this.subscribeMessages = new SubscribeMessages(clock, changed);
    this.providerResults = new ProviderResults({
      orders: this.providerOrders,
      faults: options.faults,
      clock,
      delayMs: options.spResultDelayMs ?? DEFAULT_SP_RESULT_DELAY_MS,
      providerAppid: options.providerAppid,
      deliver: (a, order) => this.deliverAssignedPack(a, order),
      withdraw: (a) => {
        if (a.pkgId) this.ledger.removePack(a.pkgId);
      },
      packUsed: (a) => this.assignedPackUsed(a),
      push: options.push,
      changed,
    });
    this.apis = {
      ...wechatHttpApis({
        tokens: this.tokens,
        // Read per request, so a test can set it after the start.
        appSecret: () => options.env().WECHAT_APPSECRET || undefined,
        usage: (appid, kind) => this.usage(appid, kind),
        recentAverage: (appid, kind) => recentMonthlyAverage(this.sandbox.chargeTimes(appid, kind), clock()),
        exchangePhoneCode: (request, appid) => {
          changed();
          return this.sandbox.exchange(request, appid);
        },
      }),
      ...componentApis({
        tokens: this.tokens,
        ticket: () => emulatorVariable('CLOUDBASE_EMULATOR_COMPONENT_VERIFY_TICKET', options.env()) ?? DEFAULT_COMPONENT_VERIFY_TICKET,
      }),
      // The HTTPS twin of the cloud call subscribeMessage.send: same body, token in the query.
      'POST /cgi-bin/message/subscribe/send': ({ query, body }) => {
        const caller = this.tokens.check(query.get('access_token'));
        if ('errcode' in caller) return caller;
        return this.subscribeMessages.send(body);
      },
      ...providerApis({
        tokens: this.tokens,
        orders: this.providerOrders,
        clock,
        related: (appid) => !unrelatedAppids(options.env()).has(appid),
        packUsed: (a) => this.assignedPackUsed(a),
        accepted: (a, change) => {
          changed();
          this.providerResults.schedule(a.requestId, change);
        },
      }),
    };
  }

  /**
   * A user tapped the button and approved: one charge. Null when that appid has no
   * quota left for the component, which WeChat refuses on the client (errno 1400001)
   * without charging.
   */
  mintPhoneCode(request: MintRequest): PhoneCode | null {
    if (this.usage(request.appid ?? this.options.appid, request.kind ?? 'quick').remaining <= 0) return null;
    this.options.changed();
    return this.sandbox.mint(request);
  }

  /** Usage of one appid and component now. The first look creates its trial. */
  usage(appid: string, kind: PhoneKind): Usage {
    const now = this.options.clock();
    const charges = this.sandbox.chargeTimes(appid, kind);
    // The trial starts no later than the first charge: codes minted straight through
    // the sandbox (bench) or saved before the ledger existed still count against it.
    if (this.ledger.ensureTrial(appid, kind, Math.min(now, charges[0] ?? now))) this.options.changed();
    return computeUsage(this.ledger.packsOf(appid, kind), charges, now);
  }

  addPack(pack: NewPack): Pack {
    this.options.changed();
    return this.ledger.addPack(pack, this.options.clock());
  }

  /** A bulk order the provider bought on WeChat's service-provider platform. */
  addSpOrder(order: { spuId?: string; calls: number; validityDays?: number }): SpOrder {
    this.options.changed();
    return this.providerOrders.addOrder(order, this.options.clock());
  }

  /** Forgets codes, packs, orders and results under way. */
  clear(): void {
    this.sandbox.clear();
    this.ledger.clear();
    this.providerResults.stop();
    this.providerOrders.clear();
    this.subscribeMessages.clear();
  }

  /**
   * `/wechat/...`: WeChat's HTTP APIs. Every call is counted in stats as
   * `wechat:<path>` and may meet a fault of that target. Failures are WeChat's
   * `{ errcode, errmsg }` with HTTP 200; an API the emulator does not fake is a 404.
   */
  async serve(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    this.callsUnderway += 1;
    try {
      await this.answer(req, res, url);
    } finally {
      this.callsUnderway -= 1;
    }
  }

  private async answer(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const path = url.pathname.slice('/wechat'.length);
    this.options.stats.countAction(`wechat:${path}`);
    const fault = this.options.faults.take(`wechat:${path}`);
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
    if (fault) await waitOut(fault);
    if (fault && fault.errcode !== null) return sendJson(res, 200, { errcode: fault.errcode, errmsg: 'emulated fault' });
    const handler = this.apis[`${req.method} ${path}`];
    if (!handler) return sendJson(res, 404, { errcode: 40066, errmsg: `invalid url: the emulator does not fake ${req.method} ${path}` });
    if (unreadable || body === null || typeof body !== 'object' || Array.isArray(body))
      return sendJson(res, 200, { errcode: 47001, errmsg: 'data format error' });
    sendJson(res, 200, handler({ query: url.searchParams, body: body as Record<string, unknown> }));
  }

  /** The receiver's pack for a settled assignment: source 3, running from beginTime (or now) for the order's validity. */
  private deliverAssignedPack(a: Assignment, order: SpOrder): string {
    const now = this.options.clock();
    const startTime = a.beginTime ?? now;
    const pack = this.ledger.addPack(
      {
        appid: a.receiverAppId,
        kind: kindOfBulkSpu(order.spuId) ?? 'quick',
        source: SOURCE_PROVIDER,
        calls: a.count,
        startTime,
        endTime: startTime + order.validityDays * 86_400_000,
        skuId: a.skuId,
      },
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
}

/** Appids the provider has no relationship with (assign answers 10045): a comma-separated variable. */
function unrelatedAppids(env: NodeJS.ProcessEnv): Set<string> {
  return new Set(
    (emulatorVariable('CLOUDBASE_EMULATOR_SP_UNRELATED_APPIDS', env) ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
}
