/**
 * The emulator's own HTTP API (`/v1/...`): invoke functions as the mini program does,
 * fire timer triggers, play WeChat's part (mint phone codes, read the charge ledger,
 * add quota packs, read usage, sell and list a service provider's bulk orders), inject
 * faults, and inspect, seed or reset state. The table is in docs/emulator.md; WeChat's
 * own HTTP APIs are in wechat/http-apis.ts and wechat/provider-apis.ts.
 */
import { EJSON } from 'bson';
import type { Emulator } from './emulator';
import { eventProblem } from './event-limits';
import { validateFault } from './faults';
import { HttpError } from './http-util';
import { APPID_PATTERN } from './wechat/http-apis';
import type { MintRequest, PhoneKind } from './wechat/phone-sandbox';
import { spOrdersView } from './wechat/provider-apis';
import { BULK_SPU_QUICK, BULK_SPU_REALTIME, DEFAULT_SP_VALIDITY_DAYS, kindOfBulkSpu } from './wechat/provider-orders';
import { SOURCE_CONSOLE, usageAnswer } from './wechat/usage-ledger';

export interface ApiRequest {
  params: Record<string, string>;
  body: unknown;
  query: URLSearchParams;
}

export interface ApiRoute {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  pattern: RegExp;
  handle(emulator: Emulator, request: ApiRequest): Promise<{ status: number; value: unknown }> | { status: number; value: unknown };
}

const ok = (value: unknown) => ({ status: 200, value });

function bodyObject(body: unknown): Record<string, unknown> {
  if (body === undefined) return {};
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new HttpError(400, 'INVALID_ARGUMENT', 'request body must be a JSON object');
  return body as Record<string, unknown>;
}

function invalid(message: string): HttpError {
  return new HttpError(400, 'INVALID_ARGUMENT', message);
}

function functionNotFound(emu: Emulator, name: string): HttpError {
  return new HttpError(
    404,
    'FUNCTION_NOT_FOUND',
    `no function named "${name}" (built functions: ${emu.functionNames().join(', ') || 'none'})`,
  );
}

const APPID_MESSAGE = 'appid must be "wx" followed by 16 lowercase hex digits';
const DAY_MS = 86_400_000;

function parseKind(kind: unknown): PhoneKind | undefined {
  if (kind !== undefined && kind !== 'quick' && kind !== 'realtime') throw invalid('kind must be "quick" or "realtime"');
  return kind;
}

function parseAppid(appid: unknown, fallback: string): string {
  if (appid === undefined) return fallback;
  if (typeof appid !== 'string' || !APPID_PATTERN.test(appid)) throw invalid(APPID_MESSAGE);
  return appid;
}

/** An ISO time (e.g. "2026-03-01T00:00:00Z") as milliseconds, or `fallback` when absent. */
function parseTime(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const ms = typeof value === 'string' ? Date.parse(value) : NaN;
  if (Number.isNaN(ms)) throw invalid(`${name} must be an ISO date-time string, e.g. "2026-03-01T00:00:00Z"`);
  return ms;
}

function parseWholeNumber(value: unknown, name: string, max: number): number {
  if (!(Number.isInteger(value) && (value as number) >= 1 && (value as number) <= max))
    throw invalid(`${name} must be an integer from 1 to ${max}`);
  return value as number;
}

function parseMint(body: Record<string, unknown>): MintRequest {
  const { phoneNumber, countryCode, kind, openid, appid, ttlMs } = body;
  if (typeof phoneNumber !== 'string' || !/^\d{5,20}$/.test(phoneNumber))
    throw invalid('phoneNumber must be 5 to 20 digits, without the country code');
  if (countryCode !== undefined && (typeof countryCode !== 'string' || !/^\d{1,4}$/.test(countryCode)))
    throw invalid('countryCode must be 1 to 4 digits, e.g. "86"');
  parseKind(kind);
  if (openid !== undefined && (typeof openid !== 'string' || openid === '')) throw invalid('openid must be a non-empty string');
  if (appid !== undefined && (typeof appid !== 'string' || !APPID_PATTERN.test(appid))) throw invalid(APPID_MESSAGE);
  if (ttlMs !== undefined && !(Number.isInteger(ttlMs) && (ttlMs as number) > 0 && (ttlMs as number) <= 86_400_000))
    throw invalid('ttlMs must be a positive integer up to 86400000');
  return { phoneNumber, countryCode, kind, openid, appid, ttlMs } as MintRequest;
}

/**
 * A WeChat identity as CloudBase delivers it: never with a control character (an
 * environment variable cannot hold a NUL, so "o_boss\u0000mallory" would act as o_boss).
 */
function parseContext(value: unknown): { OPENID?: string; APPID?: string; UNIONID?: string } {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalid('context must be an object');
  const out: Record<string, string> = {};
  for (const key of ['OPENID', 'APPID', 'UNIONID'] as const) {
    const v = (value as Record<string, unknown>)[key];
    if (v === undefined) continue;
    if (typeof v !== 'string') throw invalid(`context.${key} must be a string`);
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f]/.test(v)) throw invalid(`context.${key} must not contain control characters`);
    if (v.length > 128) throw invalid(`context.${key} must be at most 128 characters`);
    out[key] = v;
  }
  return out;
}

/** An event CloudBase would refuse before any container sees it (event-limits.ts): HTTP 400 naming why. */
function checkEvent(data: unknown): void {
  const problem = eventProblem(data);
  if (problem) throw new HttpError(400, problem.code, problem.message);
}

export const apiRoutes: ApiRoute[] = [
  {
    method: 'GET',
    pattern: /^\/v1\/health$/,
    handle: (emu) => ok({ ok: true, envId: emu.envId, functions: emu.functionNames() }),
  },
  {
    method: 'POST',
    pattern: /^\/v1\/functions\/(?<name>[^/]+)\/invoke$/,
    handle: async (emu, { params, body }) => {
      const request = bodyObject(body);
      const data = request.data ?? {};
      if (data === null || typeof data !== 'object' || Array.isArray(data)) throw invalid('data must be an object');
      const context = parseContext(request.context);
      checkEvent(data);
      const outcome = await emu.invoke(params.name!, data, context);
      if (outcome.notFound) throw functionNotFound(emu, params.name!);
      if (!outcome.ok) return { status: 500, value: { error: { code: 'FUNCTION_FAILED', message: outcome.error ?? 'function failed' } } };
      return ok({ result: outcome.result });
    },
  },
  {
    method: 'POST',
    pattern: /^\/v1\/functions\/(?<name>[^/]+)\/triggers\/(?<trigger>[^/]+)$/,
    handle: async (emu, { params, body }) => {
      const name = params.name!;
      const trigger = decodeURIComponent(params.trigger!);
      const triggers = emu.timerTriggers(name);
      if (!triggers) throw functionNotFound(emu, name);
      if (!triggers.includes(trigger))
        throw new HttpError(
          404,
          'TRIGGER_NOT_FOUND',
          `function "${name}" has no timer trigger "${trigger}" in its config.json (timer triggers: ${triggers.join(', ') || 'none'})`,
        );
      // SCF's timer events carry the time to the second.
      const time = new Date(parseTime(bodyObject(body).time, 'time', emu.clock())).toISOString().replace(/\.\d{3}Z$/, 'Z');
      const outcome = await emu.invoke(name, { Type: 'Timer', TriggerName: trigger, Time: time }, {}, 'timer');
      if (!outcome.ok) return { status: 500, value: { error: { code: 'FUNCTION_FAILED', message: outcome.error ?? 'function failed' } } };
      return ok({ result: outcome.result });
    },
  },
  {
    method: 'POST',
    pattern: /^\/v1\/wechat\/phone-codes$/,
    handle: (emu, { body }) => {
      const request = parseMint(bodyObject(body));
      const minted = emu.mintPhoneCode(request);
      // WeChat fails the button on the client (errno 1400001) and charges nothing.
      if (!minted)
        return {
          status: 409,
          value: {
            error: {
              code: 'NO_QUOTA',
              errno: 1400001,
              message: `no ${request.kind ?? 'quick'} quota left for ${request.appid ?? emu.appid}: add a pack with POST /v1/wechat/packs`,
            },
          },
        };
      return ok({ code: minted.code, expiresAt: new Date(minted.expiresAt).toISOString() });
    },
  },
  {
    method: 'POST',
    pattern: /^\/v1\/wechat\/packs$/,
    handle: (emu, { body }) => {
      const request = bodyObject(body);
      const calls = parseWholeNumber(request.calls, 'calls', 100_000_000);
      const validityDays = parseWholeNumber(request.validityDays, 'validityDays', 3650);
      const startTime = parseTime(request.startsAt, 'startsAt', emu.clock());
      const pack = emu.addPack({
        appid: parseAppid(request.appid, emu.appid),
        kind: parseKind(request.kind) ?? 'quick',
        source: SOURCE_CONSOLE,
        calls,
        startTime,
        endTime: startTime + validityDays * DAY_MS,
        skuId: `console-${calls}-${validityDays}d`,
      });
      return ok({ pkgId: pack.pkgId });
    },
  },
  {
    method: 'GET',
    pattern: /^\/v1\/wechat\/usage$/,
    handle: (emu, { query }) => {
      const appid = parseAppid(query.get('appid') ?? undefined, emu.appid);
      const kind = parseKind(query.get('kind') ?? undefined) ?? 'quick';
      return ok(usageAnswer(emu.usage(appid, kind)));
    },
  },
  {
    method: 'POST',
    pattern: /^\/v1\/wechat\/sp-orders$/,
    handle: (emu, { body }) => {
      const request = bodyObject(body);
      const spuId = request.spuId ?? BULK_SPU_QUICK;
      if (typeof spuId !== 'string' || !kindOfBulkSpu(spuId))
        throw invalid(`spuId must be a bulk product: "${BULK_SPU_QUICK}" (quick) or "${BULK_SPU_REALTIME}" (real-time)`);
      const calls = parseWholeNumber(request.calls, 'calls', 100_000_000);
      const validityDays =
        request.validityDays === undefined ? DEFAULT_SP_VALIDITY_DAYS : parseWholeNumber(request.validityDays, 'validityDays', 3650);
      return ok({ orderId: emu.addSpOrder({ spuId, calls, validityDays }).orderId });
    },
  },
  {
    method: 'GET',
    pattern: /^\/v1\/wechat\/sp-orders$/,
    handle: (emu) => ok(spOrdersView(emu.providerOrders)),
  },
  {
    // Saving the push URL in the provider platform's 开发设置: WeChat's signed GET with echostr.
    method: 'POST',
    pattern: /^\/v1\/wechat\/sp-push\/verify$/,
    handle: async (emu) => ok(await emu.verifySpPushUrl()),
  },
  {
    // A user accepted in wx.requestSubscribeMessage: one credit per template for subscribeMessage.send.
    method: 'POST',
    pattern: /^\/v1\/wechat\/subscriptions$/,
    handle: (emu, { body }) => {
      const { openid, templateIds } = bodyObject(body);
      if (typeof openid !== 'string' || openid === '') throw invalid('openid must be a non-empty string');
      if (
        !Array.isArray(templateIds) ||
        templateIds.length < 1 ||
        templateIds.length > 5 ||
        !templateIds.every((t) => typeof t === 'string' && t)
      )
        throw invalid('templateIds must list 1 to 5 template ids (strings)');
      return ok(emu.wechat.subscribeMessages.accept(openid, templateIds as string[]));
    },
  },
  {
    method: 'GET',
    pattern: /^\/v1\/wechat\/subscribe-messages$/,
    handle: (emu) => ok({ messages: emu.wechat.subscribeMessages.messages() }),
  },
  {
    method: 'GET',
    pattern: /^\/v1\/wechat\/charges$/,
    handle: (emu) => ok(emu.sandbox.charges()),
  },
  {
    method: 'POST',
    pattern: /^\/v1\/faults$/,
    handle: (emu, { body }) => {
      let spec;
      try {
        spec = validateFault(bodyObject(body));
      } catch (err) {
        throw invalid((err as Error).message);
      }
      return ok({ id: emu.faults.add(spec).id });
    },
  },
  {
    method: 'DELETE',
    pattern: /^\/v1\/faults$/,
    handle: (emu) => {
      emu.faults.clear();
      return ok({});
    },
  },
  {
    method: 'GET',
    pattern: /^\/v1\/db\/(?<collection>[^/]+)$/,
    handle: (emu, { params }) => {
      const name = params.collection!;
      if (!emu.store.hasCollection(name)) throw new HttpError(404, 'COLLECTION_NOT_FOUND', `no collection "${name}"`);
      const docs = emu.store.find(name, {}, { sort: [['_id', 1]], untracked: true });
      // Dates as ISO strings: plain JSON for curl and tests.
      return ok({ docs: JSON.parse(JSON.stringify(docs)) });
    },
  },
  {
    method: 'PUT',
    pattern: /^\/v1\/db\/(?<collection>[^/]+)\/(?<id>[^/]+)$/,
    handle: (emu, { params, body }) => {
      // Seed data may carry dates as {"$date": "..."}, as the gateway answers them.
      const doc = EJSON.deserialize(bodyObject(body), { relaxed: true }) as Record<string, unknown>;
      const id = decodeURIComponent(params.id!);
      if (doc._id !== undefined && doc._id !== id) throw invalid("the body's _id differs from the one in the path");
      try {
        emu.store.put(decodeURIComponent(params.collection!), { ...doc, _id: id });
      } catch (err) {
        throw invalid((err as Error).message);
      }
      return ok({});
    },
  },
  {
    method: 'GET',
    pattern: /^\/v1\/stats$/,
    handle: (emu) =>
      ok({
        actions: emu.stats.actionCounts(),
        containers: emu.containerStats(),
        queries: emu.store.queryStats(),
        unindexedQueries: emu.store.unindexedQueries(),
      }),
  },
  {
    method: 'POST',
    pattern: /^\/v1\/reset$/,
    handle: (emu) => {
      emu.reset();
      return ok({});
    },
  },
];
