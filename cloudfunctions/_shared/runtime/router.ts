/**
 * One dispatch path for every way a cloud function is entered.
 *
 * - A call (`callFunction({ name, data: { $url, ...params } })`): the route named by
 *   `$url` from the function's table, its input parsed with the route's schema, the
 *   caller from the WeChat context only, the answer in the one envelope.
 * - A timer trigger's event (`{ Type: "Timer", … }`, no OPENID): the function's `timer`.
 * - An HTTP access request (`{ httpMethod, … }`, no `$url`, no OPENID): the function's `http`.
 *
 * Every entry is logged and timed the same way, and no failure escapes: a call answers
 * `{ ok: false, error }`, an HTTP request a 500. The route table is checked against the
 * contract (miniprogram/contract): a route whose schema or result drifts from its entry,
 * or whose result carries a field the entry lacks, does not compile.
 *
 * Access is declared per route in the table (`access.user(r)`, `access.admin(r)`,
 * `access.server(r)`) and checked here before the input is read; a route that declares
 * none is refused (deny by default). A user or admin route's `caller.openid` is a string.
 */
import * as v from 'valibot';
import type { Contract, FunctionName, RouteSpec, Wire } from '../../../miniprogram/contract';
import { AppError, failure, success, type Envelope } from './errors';
import { errorDetail, inLogScope, scopedLogger, type Logger } from './log';

/** Who is calling, as WeChat vouches for it. Never read from the request body. */
export interface Caller {
  openid: string | null;
  appid: string | null;
  unionid: string | null;
}

/** A mini program user (or admin): WeChat vouched for an OPENID. */
export interface UserCaller extends Caller {
  openid: string;
}

/** Another function or a server SDK: no OPENID (anyone holding the env's keys can be one). */
export interface ServerCaller extends Caller {
  openid: null;
}

export interface RouteContext<C extends Caller = UserCaller> {
  caller: C;
  /** Lines already scoped to this function, route and request: a route names only what happened. */
  log: Logger;
}

export interface Route<TSchema extends v.GenericSchema = v.GenericSchema, TResult = unknown, C extends Caller = UserCaller> {
  input: TSchema;
  run(input: v.InferOutput<TSchema>, ctx: RouteContext<C>): Promise<TResult>;
}

/**
 * Declares a route for a mini program caller; `input` is parsed before `run` sees it
 * (unknown keys are dropped). Its access (`user` or `admin`) is declared in the table.
 */
export function route<TSchema extends v.GenericSchema, TResult>(
  input: TSchema,
  run: (input: v.InferOutput<TSchema>, ctx: RouteContext<UserCaller>) => Promise<TResult>,
): Route<TSchema, TResult, UserCaller> {
  return { input, run };
}

/** Declares a route only servers may call (no OPENID): e.g. diagnostics behind a key. */
export function serverRoute<TSchema extends v.GenericSchema, TResult>(
  input: TSchema,
  run: (input: v.InferOutput<TSchema>, ctx: RouteContext<ServerCaller>) => Promise<TResult>,
): Route<TSchema, TResult, ServerCaller> {
  return { input, run };
}

/** Who may call a route. */
export type Access = 'user' | 'admin' | 'server';

/** A route with its access declared: the only kind a function's table holds. */
export type DeclaredRoute<TSchema extends v.GenericSchema = v.GenericSchema, TResult = unknown, A extends Access = Access> = Route<
  TSchema,
  TResult,
  A extends 'server' ? ServerCaller : UserCaller
> & { readonly access: A };

/**
 * Access, declared in a function's route table:
 * - `user`: any mini program user (UNAUTHENTICATED without an OPENID);
 * - `admin`: an admin (the handler's `isAdmin`), FORBIDDEN for anyone else;
 * - `server`: no OPENID (FORBIDDEN for a mini program user).
 *
 * @example routes: { 'settings.get': access.admin(getSettings), session: access.user(session) }
 */
export const access = {
  user: <S extends v.GenericSchema, T>(r: Route<S, T, UserCaller>): DeclaredRoute<S, T, 'user'> => ({ ...r, access: 'user' }),
  admin: <S extends v.GenericSchema, T>(r: Route<S, T, UserCaller>): DeclaredRoute<S, T, 'admin'> => ({ ...r, access: 'admin' }),
  server: <S extends v.GenericSchema, T>(r: Route<S, T, ServerCaller>): DeclaredRoute<S, T, 'server'> => ({ ...r, access: 'server' }),
};

/** Route params: the event minus routing and platform fields. */
export const noParams = v.object({});

/** Any declared route, its types kept by the table that holds it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a table holds routes of every input, output and access
export type AnyRoute = DeclaredRoute<any, unknown, any>;
export type RouteTable = Record<string, AnyRoute>;

/** The request CloudBase HTTP access hands a function ("integrated request"). */
export interface HttpAccessRequest {
  httpMethod: string;
  path?: string;
  headers?: Record<string, string>;
  queryStringParameters?: Record<string, string> | null;
  body?: string | null;
  isBase64Encoded?: boolean;
}

/** What HTTP access sends back for a function's answer. */
export interface HttpAccessResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/** A timer trigger's event. */
export interface TimerEvent {
  Type: 'Timer';
  TriggerName?: string;
  Time?: string;
}

export interface DispatchOptions<R extends RouteTable = RouteTable> {
  /** The function's name, for logs and NOT_FOUND messages. */
  name: string;
  routes: R;
  /** Reads the caller from the platform (`cloud.getWXContext()` in production). */
  identify(): Caller;
  /** Whether an openid is an admin's; without it no `admin` route is open. */
  isAdmin?(openid: string): Promise<boolean>;
  /** The timer trigger; its result is answered in the success envelope. */
  timer?(event: TimerEvent): Promise<unknown>;
  /** HTTP access requests (WeChat's pushes); never reached by a mini program call. */
  http?(request: HttpAccessRequest): Promise<HttpAccessResponse>;
}

/** What CloudBase passes a function beside its event (SCF's context); only the request id is read. */
export interface InvocationContext {
  request_id?: unknown;
}

export type Main = (event: unknown, context?: InvocationContext) => Promise<Envelope<unknown> | HttpAccessResponse>;

/**
 * Fields the platform puts in the event; they are never route parameters. Identity
 * fields a client adds (`openid`, …) are dropped by each route's schema, and identity is
 * read from the WeChat context only.
 */
const PLATFORM_FIELDS = new Set(['$url', 'userInfo']);

function parseInput<TSchema extends v.GenericSchema>(schema: TSchema, raw: unknown): v.InferOutput<TSchema> {
  const result = v.safeParse(schema, raw);
  if (result.success) return result.output;
  const issue = result.issues[0];
  // The field goes in the answer as `error.field` (a client picks its words by it); the message repeats it for developers.
  const field = v.getDotPath(issue);
  throw new AppError('INVALID_ARGUMENT', field ? `${field}: ${issue.message}` : issue.message, field ? { field } : {});
}

function paramsOf(event: Record<string, unknown>): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(event)) if (!PLATFORM_FIELDS.has(key)) params[key] = value;
  return params;
}

type Entry = { kind: 'route'; url: string } | { kind: 'timer'; event: TimerEvent } | { kind: 'http'; request: HttpAccessRequest };

/**
 * Which entry an event is. Only an event with no OPENID can be the timer or HTTP access:
 * a call from the mini program always carries one, so a client cannot pass for either.
 */
function entryOf(event: Record<string, unknown>, caller: () => Caller, options: DispatchOptions): Entry {
  const url = typeof event.$url === 'string' ? event.$url : '';
  if (event.$url === undefined && (options.timer || options.http) && !caller().openid) {
    if (options.timer && event.Type === 'Timer') return { kind: 'timer', event: event as unknown as TimerEvent };
    if (options.http && typeof event.httpMethod === 'string') return { kind: 'http', request: event as unknown as HttpAccessRequest };
  }
  return { kind: 'route', url };
}

/** Builds a function's `main` from any route table (no contract check: see `createHandler`). */
export function dispatcher(options: DispatchOptions): Main {
  const { name, routes } = options;
  return async function main(event: unknown, context?: InvocationContext) {
    const started = Date.now();
    const safeEvent = event !== null && typeof event === 'object' ? (event as Record<string, unknown>) : {};
    const entry = entryOf(safeEvent, options.identify, options);
    const where =
      entry.kind === 'route'
        ? { route: loggedRoute(entry.url, routes) }
        : entry.kind === 'timer'
          ? { trigger: entry.event.TriggerName ?? 'timer' }
          : { http: entry.request.httpMethod };
    // The platform's id for this invocation (SCF's context.request_id), so a line can be matched to CloudBase's own log.
    const request = typeof context?.request_id === 'string' ? { request: context.request_id } : {};
    const scope = { fn: name, ...where, ...request };
    const log = scopedLogger(scope);
    return inLogScope(scope, async () => {
      let answer: Envelope<unknown> | HttpAccessResponse;
      let outcome: Record<string, unknown>;
      try {
        if (entry.kind === 'http') answer = await options.http!(entry.request);
        else
          answer = success(
            entry.kind === 'timer' ? await options.timer!(entry.event) : await serveRoute(entry.url, safeEvent, routes, options, log),
          );
      } catch (err) {
        // An AppError is an answer; anything else is a fault, logged with its stack (never answered).
        if (!(err instanceof AppError)) log.error({ ...errorDetail(err) });
        else if (err.cause !== undefined) log.warn({ code: err.code, cause: errorDetail(err.cause) });
        answer =
          entry.kind === 'http'
            ? { statusCode: 500, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'internal error' }
            : failure(err);
      }
      if ('statusCode' in answer) outcome = { status: answer.statusCode };
      else outcome = answer.ok ? { ok: true } : { ok: false, code: answer.error.code };
      log.info({ ...outcome, ms: Date.now() - started });
      return answer;
    });
  };
}

/**
 * What the log says of a `$url`: the route's name when the table has it; otherwise only
 * that it was unknown and how long it was. `$url` is the client's text — it has been a
 * phone number (`"tel:13800138000"`) and could be a megabyte — so it is never logged as sent.
 */
function loggedRoute(url: string, routes: RouteTable): string {
  if (Object.prototype.hasOwnProperty.call(routes, url)) return url;
  return url ? `(unknown, ${url.length} characters)` : '(none)';
}

/** `$url` echoed in an answer only when it looks like a route name; the client sent it, but answers get logged too. */
const echo = (url: string) => (/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/.test(url) ? ` "${url}"` : '');

async function serveRoute(
  url: string,
  event: Record<string, unknown>,
  routes: RouteTable,
  options: DispatchOptions,
  log: Logger,
): Promise<unknown> {
  // An own property only: the table is a plain object, and `constructor` or `__proto__` are no routes.
  if (!Object.prototype.hasOwnProperty.call(routes, url)) {
    throw new AppError('NOT_FOUND', url ? `Unknown route${echo(url)} in ${options.name}` : `Missing $url for ${options.name}`);
  }
  const r = routes[url]!;
  // Access first: a caller who may not call a route learns nothing of its input rules.
  const caller = await admit(r.access, options.identify(), options);
  return r.run(parseInput(r.input, paramsOf(event)), { caller, log });
}

/** The caller when `declared` admits it; anything undeclared is refused. */
async function admit(declared: unknown, caller: Caller, options: DispatchOptions): Promise<UserCaller | ServerCaller> {
  if (declared === 'server') {
    if (caller.openid) throw new AppError('FORBIDDEN', 'This route is not for mini program users.');
    return { ...caller, openid: null };
  }
  if (declared !== 'user' && declared !== 'admin') throw new AppError('FORBIDDEN', 'This route declares no access.');
  if (!caller.openid) throw new AppError('UNAUTHENTICATED', 'This route needs a WeChat user (no OPENID in context).');
  if (declared === 'admin' && !(await options.isAdmin?.(caller.openid))) throw new AppError('FORBIDDEN', 'Only admins may do this.');
  return { ...caller, openid: caller.openid };
}

// ---------------------------------------------------------------------------- the contract check

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/** What the compiler shows when a route does not implement its contract entry. */
interface Drift<Part extends string, Declared, Implemented> {
  drift: `this route's ${Part} differs from its entry in miniprogram/contract`;
  declared: Declared;
  implemented: Implemented;
}

/** The declared types at key K of the object members of D. */
type DeclaredAt<D, K extends PropertyKey> = D extends unknown ? (D extends object ? (K extends keyof D ? D[K] : never) : never) : never;

/**
 * The paths of fields in I that D does not declare, however deep ("" when none):
 * TypeScript lets a result carry more fields than its declared type, so the contract
 * check looks for them. Arrays are checked element-wise, unions member by member.
 */
type ExtraFields<I, D, At extends string = ''> = I extends readonly (infer IE)[]
  ? ExtraFields<IE, D extends readonly (infer DE)[] ? DE : never, `${At}[]`>
  : I extends object
    ? {
        [K in keyof I & string]: [DeclaredAt<D, K>] extends [never]
          ? `${At}${At extends '' ? '' : '.'}${K}`
          : ExtraFields<I[K], DeclaredAt<D, K>, `${At}${At extends '' ? '' : '.'}${K}`>;
      }[keyof I & string]
    : never;

/**
 * A route conforms when its schema accepts exactly the entry's input (both ways
 * assignable) and its result, as JSON carries it, is assignable to the entry's output
 * and declares no field the entry lacks (the contract is a privacy boundary).
 */
type Conforming<R, S> = S extends RouteSpec
  ? R extends Route<infer Schema, infer Result, infer _C>
    ? Same<v.InferInput<Schema>, S['input']> extends true
      ? [Wire<Result>] extends [S['output']]
        ? [ExtraFields<Wire<Result>, S['output']>] extends [never]
          ? R
          : Drift<'output', S['output'], { extraFields: ExtraFields<Wire<Result>, S['output']> }>
        : Drift<'output', S['output'], Wire<Result>>
      : Drift<'input', S['input'], v.InferInput<Schema>>
    : never
  : never;

/** The routes of function F: exactly the contract's, each conforming to its entry. */
export type ImplementationOf<F extends FunctionName, R> = {
  [U in keyof Contract[F]]: U extends keyof R ? Conforming<R[U], Contract[F][U]> : AnyRoute;
};

/**
 * Builds the `main` of a function in the contract. Its route table must implement
 * `Contract[name]`: a missing route, an extra one, or one whose input or output drifts
 * is a compile error at this call.
 */
export function createHandler<F extends FunctionName, R extends RouteTable>(
  options: Omit<DispatchOptions, 'name' | 'routes'> & {
    name: F;
    routes: R & ImplementationOf<F, R> & Record<Exclude<keyof R, keyof Contract[F]>, never>;
  },
): Main {
  return dispatcher(options);
}
