// tcb-router ships no types. This declares only the surface our router wrapper uses.
declare module 'tcb-router' {
  interface TcbRouterContext {
    _req: { event: Record<string, unknown>; url: unknown };
    body: unknown;
  }
  type Middleware = (ctx: TcbRouterContext, next: () => Promise<void>) => unknown;
  class TcbRouter {
    constructor(options: { event: Record<string, unknown> });
    use(middleware: Middleware): void;
    router(path: string, ...middlewares: Middleware[]): void;
    /** Resolves to `ctx.body`, or to `undefined` when no route (and no `*` middleware) matches. */
    serve(): Promise<unknown>;
  }
  export = TcbRouter;
}
