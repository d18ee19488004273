/**
 * Typed routing over tcb-router.
 *
 * Every function is called as `callFunction({ name, data: { $url, ...params } })`.
 * A function lists its routes in one table; this wrapper adds what tcb-router lacks:
 * a not-found route (tcb-router answers `undefined` for an unknown `$url`), input
 * parsing with a schema, identity from the WeChat context only, and one error
 * handler that turns any failure into the error envelope.
 */
import TcbRouter from 'tcb-router';
import * as v from 'valibot';
import { AppError, failure, success, type Envelope } from './errors';
import { logEvent } from './log';

/** Who is calling, as WeChat vouches for it. Never read from the request body. */
export interface Caller {
  openid: string | null;
  appid: string | null;
  unionid: string | null;
}

export interface RouteContext {
  caller: Caller;
}

export interface Route<TSchema extends v.GenericSchema = v.GenericSchema, TResult = unknown> {
  input: TSchema;
  run(input: v.InferOutput<TSchema>, ctx: RouteContext): Promise<TResult>;
}

/** Declares a route; `input` is parsed before `run` sees it (unknown keys are dropped). */
export function route<TSchema extends v.GenericSchema, TResult>(
  input: TSchema,
  run: (input: v.InferOutput<TSchema>, ctx: RouteContext) => Promise<TResult>,
): Route<TSchema, TResult> {
  return { input, run };
}

/** Route params: the event minus routing and platform fields. */
export const noParams = v.object({});

export type RouteTable = Record<string, Route<any, any>>;

export interface HandlerOptions {
  /** The function's name, for logs. */
  name: string;
  routes: RouteTable;
  /** Reads the caller from the platform (`cloud.getWXContext()` in production). */
  identify(): Caller;
  /** Runs before every route's input is parsed; throws to refuse (e.g. FORBIDDEN). */
  authorize?(caller: Caller): Promise<void>;
}

/**
 * Fields the platform puts in the event; they are never route parameters. Identity
 * fields a client adds (`openid`, …) are dropped by each route's schema, and identity is
 * read from the WeChat context only.
 */
const PLATFORM_FIELDS = new Set(['$url', 'userInfo']);

export function parseInput<TSchema extends v.GenericSchema>(schema: TSchema, raw: unknown): v.InferOutput<TSchema> {
  const result = v.safeParse(schema, raw);
  if (result.success) return result.output;
  const issue = result.issues[0];
  const field = v.getDotPath(issue);
  throw new AppError('INVALID_ARGUMENT', field ? `${field}: ${issue.message}` : issue.message);
}

function paramsOf(event: Record<string, unknown>): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(event)) if (!PLATFORM_FIELDS.has(key)) params[key] = value;
  return params;
}

/** Builds the cloud function's `main`. It never throws: every outcome is an envelope. */
export function createHandler(options: HandlerOptions) {
  const { name, routes } = options;
  // One handler instance per cold start; tcb-router is created per invocation as it expects.
  return async function main(event: unknown): Promise<Envelope<unknown>> {
    const started = Date.now();
    const safeEvent = event !== null && typeof event === 'object' ? (event as Record<string, unknown>) : {};
    const url = typeof safeEvent.$url === 'string' ? safeEvent.$url : '';
    let body: Envelope<unknown>;
    try {
      // Only a known route reaches tcb-router: it answers undefined for an unknown
      // $url and trips over names like "constructor" (it indexes a plain object).
      body = Object.prototype.hasOwnProperty.call(routes, url)
        ? await serveRoute(url, safeEvent, routes[url]!, options)
        : failure(new AppError('NOT_FOUND', url ? `Unknown route "${url}" in ${name}` : `Missing $url for ${name}`));
    } catch (err) {
      body = failure(err);
      logEvent('error', { fn: name, route: url, error: describe(err) });
    }
    logEvent('info', { fn: name, route: url, ok: body.ok, ...(body.ok ? {} : { code: body.error.code }), ms: Date.now() - started });
    return body;
  };
}

async function serveRoute(url: string, event: Record<string, unknown>, r: Route, options: HandlerOptions): Promise<Envelope<unknown>> {
  const app = new TcbRouter({ event });
  // Registered first, so it wraps the route: the one error handler.
  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      ctx.body = failure(err);
      if (!(err instanceof AppError)) logEvent('error', { fn: options.name, route: url, error: describe(err) });
    }
  });
  app.router(url, async (ctx) => {
    const caller = options.identify();
    await options.authorize?.(caller);
    const input = parseInput(r.input, paramsOf(event));
    ctx.body = success(await r.run(input, { caller }));
  });
  return (await app.serve()) as Envelope<unknown>;
}

function describe(err: unknown): string {
  if (err instanceof AppError) return `${err.code}: ${err.message}`;
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}
