/** What a function answers, as tests read it: the contract's envelope (miniprogram/contract). */
import type { Envelope, FunctionName, InputOf, OutputOf, RouteName } from '../../miniprogram/contract';
import type { EmulatorClient } from './emulator';

export type { Envelope } from '../../miniprogram/contract';

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
  return t.call<Envelope<OutputOf<F, U>>>(name, { ...params, $url: url }, openid);
}

/** Calls a route and answers its data; a refusal fails the test, naming its code and message. */
export async function callData<T>(
  t: EmulatorClient,
  fn: string,
  url: string,
  params: Record<string, unknown> = {},
  openid: string | null = null,
): Promise<T> {
  const res = await t.call<Envelope<T>>(fn, { $url: url, ...params }, openid);
  if (!res.ok) throw new Error(`${fn}.${url}: ${res.error.code} ${res.error.message}`);
  return res.data;
}
