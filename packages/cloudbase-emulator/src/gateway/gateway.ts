/**
 * `POST /admin`: the CloudBase gateway as wx-server-sdk and @cloudbase/node-sdk call
 * it. JSON bodies carry `database.*` and `functions.invokeFunction`; multipart bodies
 * carry `wx.openApi`. Every failure is answered `{ code, message, requestId }` with
 * HTTP 200, as CloudBase answers; the SDK turns it into a thrown error.
 *
 * Who is calling comes from the `wxCloudApiToken` the SDK sends: the emulator issues
 * one per invocation (as `WX_API_TOKEN`), like the platform does, and maps it back to
 * the function and the user it runs for.
 */
import { MingoError } from 'mingo/util';
import { randomUUID } from 'node:crypto';
import { eventProblem } from '../event-limits';
import { waitOut, type Faults } from '../faults';
import type { Stats } from '../stats';
import type { DocumentStore } from '../store/document-store';
import { StoreError } from '../store/store-error';
import { databaseActions, type Params } from './database';
import { EjsonError } from './ejson';
import { decodeRequest, encodeJsonResponse, encodePlatformError } from './openapi-codec';

export interface Invoker {
  functionName: string;
  openid: string | null;
  appid: string;
  /** Openapi permissions from the function's config.json. */
  openapiPermissions: string[];
}

/** What a WeChat open API answers: JSON with `errcode` (0 or absent when it worked). */
export type OpenApiHandler = (data: Record<string, unknown>, caller: { appid: string; openid: string | null }) => Record<string, unknown>;

interface GatewayDeps {
  store: DocumentStore;
  faults: Faults;
  stats: Stats;
  clock: () => number;
  defaultAppid: string;
  openApis: Record<string, OpenApiHandler>;
  /** Invokes a function as another function (or a server SDK) calls it: no user identity. */
  invokeFunction(name: string, event: unknown): Promise<{ ok: true; result: unknown } | { ok: false; message: string }>;
}

interface GatewayReply {
  contentType: string;
  body: string | Uint8Array;
}

function json(value: Record<string, unknown>): GatewayReply {
  return { contentType: 'application/json; charset=utf-8', body: JSON.stringify({ requestId: randomUUID(), ...value }) };
}

function failure(code: string, message: string): GatewayReply {
  return json({ code, message });
}

export class Gateway {
  private readonly tokens = new Map<string, Invoker>();
  private readonly database: ReturnType<typeof databaseActions>;

  constructor(private readonly deps: GatewayDeps) {
    this.database = databaseActions(deps.store, deps.clock);
  }

  /** A token for one invocation; revoke it when the invocation ends. */
  issueToken(invoker: Invoker): string {
    const token = `emu_${randomUUID()}`;
    this.tokens.set(token, invoker);
    return token;
  }

  revokeToken(token: string): void {
    this.tokens.delete(token);
  }

  async handle(params: Params, files: Record<string, Buffer> = {}): Promise<GatewayReply> {
    const action = typeof params.action === 'string' ? params.action : '';
    if (!action) return failure('INVALID_PARAM', 'action is required');
    this.deps.stats.countAction(action);
    try {
      if (action.startsWith('database.')) return await this.handleDatabase(action, params);
      if (action === 'wx.openApi') return await this.handleOpenApi(params, files);
      if (action === 'functions.invokeFunction') return await this.handleInvoke(params);
      return failure('ACTION_NOT_SUPPORTED', `the emulator does not support action "${action}"`);
    } catch (err) {
      if (err instanceof StoreError) return failure(err.code, err.message);
      if (err instanceof EjsonError) return failure('INVALID_PARAM', err.message);
      // A query or update MongoDB would refuse (unknown operator, bad argument).
      if (err instanceof MingoError) return failure('DATABASE_REQUEST_FAILED', `[FailedOperation] ${err.message}`);
      return failure('SYS_ERR', err instanceof Error ? err.message : String(err));
    }
  }

  private async handleDatabase(action: string, params: Params): Promise<GatewayReply> {
    const handler = this.database[action];
    if (!handler) return failure('ACTION_NOT_SUPPORTED', `the emulator does not support action "${action}"`);
    const short = action.slice('database.'.length);
    const collection = typeof params.collectionName === 'string' ? params.collectionName : '';
    const fault = this.deps.faults.take(...(collection ? [`db:${short}:${collection}`] : []), `db:${short}`);
    if (fault) {
      await waitOut(fault);
      // A lost answer: the database did the work (or refused it), the caller hears only a failure.
      if (fault.answerLost) await Promise.resolve(handler(params)).catch(() => undefined);
      if (fault.errcode !== null)
        return failure('DATABASE_REQUEST_FAILED', `[Emulator.InjectedFault] ${action} failed with injected errcode ${fault.errcode}`);
    }
    return json(await handler(params));
  }

  private async handleOpenApi(params: Params, files: Record<string, Buffer>): Promise<GatewayReply> {
    const apiName = typeof params.apiName === 'string' ? params.apiName : '';
    const raw = files.requestData;
    if (!apiName || !raw) return failure('INVALID_PARAM', 'wx.openApi needs apiName and requestData');
    const invoker = this.invokerOf(params);
    const binary = (body: Uint8Array): GatewayReply => ({ contentType: 'application/octet-stream', body });

    // The platform refuses an API the function did not declare in config.json.
    if (invoker && !invoker.openapiPermissions.includes(apiName)) return binary(encodePlatformError(-604101));
    const handler = this.deps.openApis[apiName];
    if (!handler) return binary(encodePlatformError(-604100));

    const request = decodeRequest(raw);
    const fault = this.deps.faults.take(`openapi:${apiName}`);
    if (fault) {
      await waitOut(fault);
      if (fault.errcode !== null)
        return binary(encodeJsonResponse({ errcode: fault.errcode, errmsg: fault.errcode === -1 ? 'system error' : 'injected fault' }));
    }
    const appid = request.appid || invoker?.appid || this.deps.defaultAppid;
    return binary(encodeJsonResponse(handler(request.data, { appid, openid: invoker?.openid ?? null })));
  }

  private async handleInvoke(params: Params): Promise<GatewayReply> {
    const name = typeof params.function_name === 'string' ? params.function_name : '';
    if (!name) return failure('INVALID_PARAM', 'function_name is required');
    let event: unknown = {};
    if (typeof params.request_data === 'string' && params.request_data) {
      try {
        event = JSON.parse(params.request_data);
      } catch {
        return failure('INVALID_PARAM', 'request_data must be JSON');
      }
    }
    // As from the mini program: CloudBase refuses an oversized or absurdly deep event before any container.
    const problem = eventProblem(event);
    if (problem) return failure('INVALID_PARAM', `${problem.code}: ${problem.message}`);
    const outcome = await this.deps.invokeFunction(name, event);
    if (!outcome.ok) return failure('FUNCTIONS_EXECUTE_FAIL', outcome.message);
    return json({ data: { response_data: JSON.stringify(outcome.result ?? null) } });
  }

  private invokerOf(params: Params): Invoker | null {
    const token = typeof params.wxCloudApiToken === 'string' ? params.wxCloudApiToken : '';
    return this.tokens.get(token) ?? null;
  }
}
