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
  return async function main(event: unknown): Promise<Envelope<unknown>> {
    const started = Date.now();
    const safeEvent = event !== null && typeof event === 'object' ? (event as Record<string, unknown>) : {};
    const url = typeof safeEvent.$url === 'string' ? safeEvent.$url : '';
    const app = new TcbRouter({ event: safeEvent });

    // Registered first, so it wraps every route: the one error handler.
    app.use(async (ctx, next) => {
      try {
        if (!Object.prototype.hasOwnProperty.call(routes, url)) {
          throw new AppError('NOT_FOUND', url ? `Unknown route "${url}" in ${name}` : `Missing $url for ${name}`);
        }
        await next();
      } catch (err) {
        ctx.body = failure(err);
        logEvent(err instanceof AppError ? 'warn' : 'error', { fn: name, route: url, error: describe(err) });
      }
    });
    for (const [path, r] of Object.entries(routes)) {
      app.router(path, async (ctx) => {
        const input = parseInput(r.input, paramsOf(safeEvent));
        ctx.body = success(await r.run(input, { caller: options.identify() }));
      });
    }

    const body = ((await app.serve()) as Envelope<unknown> | undefined) ?? failure(new AppError('NOT_FOUND', `Unknown route "${url}"`));
    logEvent('info', { fn: name, route: url, ok: body.ok, ms: Date.now() - started });
    return body;
  };
}

function describe(err: unknown): string {
  if (err instanceof AppError) return `${err.code}: ${err.message}`;
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}
