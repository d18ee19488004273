/**
 * The contract between the cloud functions and the mini program: every route's input
 * and output, declared once.
 *
 * - The functions implement it: `createHandler('auth', …)` (cloudfunctions/_shared/runtime/router.ts)
 *   fails to compile when a route's schema accepts other input than its entry here, or
 *   its result (as JSON carries it: a `Date` becomes a string) is not the entry's output.
 * - The mini program calls through it: `callRoute('admin', 'settings.update', { version, patch })`
 *   (miniprogram/services/cloud.ts) is typed from this table, with no copy of a type.
 *
 * It lives inside `miniprogram/` because WeChat DevTools compiles nothing outside it;
 * esbuild reaches it from the functions. Types only, apart from `ERROR_CODES`, the
 * tiny `typedCall` and the rules both sides apply (rules.ts): nothing here may use `wx` or Node.
 */
import type { AdminRoutes } from './admin';
import type { AuthRoutes } from './auth';
import type { NoInput } from './common';
import type { CronRoutes } from './cron';
import type { OrdersRoutes } from './orders';
import type { ProviderRoutes } from './provider';

export * from './admin';
export * from './auth';
export * from './common';
export * from './cron';
export * from './errors';
export * from './orders';
export * from './provider';
export * from './rules';

/** One route: what a caller sends (besides `$url`) and what `data` holds in the success envelope. */
export interface RouteSpec {
  input: object;
  output: unknown;
}

/** Each cloud function's routes, by `$url`. */
export interface Contract {
  auth: AuthRoutes;
  admin: AdminRoutes;
  orders: OrdersRoutes;
  provider: ProviderRoutes;
  cron: CronRoutes;
}

export type FunctionName = keyof Contract;
export type RouteName<F extends FunctionName> = keyof Contract[F] & string;
type Spec<F extends FunctionName, U extends RouteName<F>> = Contract[F][U] extends RouteSpec ? Contract[F][U] : never;
export type InputOf<F extends FunctionName, U extends RouteName<F>> = Spec<F, U>['input'];
export type OutputOf<F extends FunctionName, U extends RouteName<F>> = Spec<F, U>['output'];

/** `T` with every `Date` in it, however deep, replaced by `D`. */
export type DatesAs<T, D> = T extends Date
  ? D
  : T extends readonly (infer E)[]
    ? DatesAs<E, D>[]
    : T extends object
      ? { [K in keyof T]: DatesAs<T[K], D> }
      : T;

/** A value as it arrives after `callFunction`'s JSON: dates are ISO strings. */
export type Wire<T> = DatesAs<T, string>;

/** Params are optional exactly when the route needs none. */
export type ParamsArg<I> = NoInput extends I ? [params?: I] : [params: I];

/** Calls a route and answers its `data` (throwing on a failure envelope). */
export type CallRoute = <F extends FunctionName, U extends RouteName<F>>(
  name: F,
  url: U,
  ...params: ParamsArg<InputOf<F, U>>
) => Promise<OutputOf<F, U>>;

/** What actually sends a call (`wx.cloud.callFunction` in the mini program, the emulator in tests). */
export type Transport = (name: string, url: string, params: object) => Promise<unknown>;

/**
 * Types a transport from the contract.
 *
 * @example
 * const callRoute = typedCall((name, url, params) => send(name, url, params));
 * const settings = await callRoute('admin', 'settings.get'); // Settings
 */
export function typedCall(transport: Transport): CallRoute {
  return (name, url, ...params) => transport(name, url, params[0] ?? {}) as Promise<never>;
}
