/**
 * Calling the functions from tests, typed through the contract (miniprogram/contract):
 * the answer's type comes from the function and route named, never from the test, so a
 * route that changes its output breaks the tests that read it at compile time.
 */
import type { Envelope, FunctionName, InputOf, OutputOf, RouteName } from '../../miniprogram/contract';
import type { EmulatorClient } from './emulator';

/**
 * Calls a route as the mini program would, its params and answer typed from the contract.
 *
 * @example
 * const answer = await callRoute(t, 'admin', 'usage.summary', { months: 2 }, ADMIN); // Envelope<UsageSummary>
 */
export function callRoute<F extends FunctionName, U extends RouteName<F>>(
  t: EmulatorClient,
  name: F,
  url: U,
  params: InputOf<F, U>,
  openid?: string | null,
): Promise<Envelope<OutputOf<F, U>>> {
  return callRouteUnchecked(t, name, url, params as Record<string, unknown>, openid);
}

/**
 * Calls a route with params the contract would refuse (a test of bad input); the answer
 * is still typed from the route.
 */
export function callRouteUnchecked<F extends FunctionName, U extends RouteName<F>>(
  t: EmulatorClient,
  name: F,
  url: U,
  params: Record<string, unknown>,
  openid?: string | null,
): Promise<Envelope<OutputOf<F, U>>> {
  return t.call(name, { ...params, $url: url }, openid) as Promise<Envelope<OutputOf<F, U>>>;
}

/** Calls a route and answers its data; a refusal fails the test, naming its code and message. */
export async function callData<F extends FunctionName, U extends RouteName<F>>(
  t: EmulatorClient,
  name: F,
  url: U,
  params: InputOf<F, U>,
  openid: string | null = null,
): Promise<OutputOf<F, U>> {
  return dataOf(`${name}.${url}`, await callRoute(t, name, url, params, openid));
}

/** Fires cron's hourly timer trigger (no OPENID, as CloudBase sends it); it answers what `cron.run` does. */
export async function fireHourlyTimer(t: EmulatorClient): Promise<Envelope<OutputOf<'cron', 'run'>>> {
  const { status, body } = await t.http<{ result: unknown }>('POST', '/v1/functions/cron/triggers/hourly');
  if (status !== 200) throw new Error(`the hourly trigger failed with HTTP ${status}: ${JSON.stringify(body)}`);
  return body.result as Envelope<OutputOf<'cron', 'run'>>;
}

/** An envelope's data; a refusal fails the test, naming what answered it. */
export function dataOf<T>(what: string, answer: Envelope<T>): T {
  if (!answer.ok) throw new Error(`${what}: ${answer.error.code} ${answer.error.message}`);
  return answer.data;
}

/**
 * One function's routes called as one user by default.
 *
 * @example
 * const admin = routesOf(() => t, 'admin', BOSS);
 * const summary = await admin.data('usage.summary', { months: 1 }); // UsageSummary
 */
export function routesOf<F extends FunctionName>(t: () => EmulatorClient, name: F, openid: string | null) {
  return {
    call: <U extends RouteName<F>>(url: U, params: InputOf<F, U>, as: string | null = openid) => callRoute(t(), name, url, params, as),
    data: <U extends RouteName<F>>(url: U, params: InputOf<F, U>, as: string | null = openid) => callData(t(), name, url, params, as),
  };
}
