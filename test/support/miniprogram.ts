/**
 * Component tests run the mini program's code under miniprogram-simulate with
 * `wx.cloud.callFunction` routed to a running emulator, so a component calls the real
 * built function, as it would on a phone.
 */
import { request } from 'node:http';
import path from 'node:path';

export interface CloudRoute {
  /** The user the simulated phone belongs to. */
  openid: string | null;
  /** When set, the next calls fail as a dropped connection would. */
  offline: boolean;
  /** How many of the next calls fail as a dropped connection would, before the network is back. */
  dropNext: number;
  /** Every call made, for assertions on what the client sent. */
  calls: Array<{ name: string; data: Record<string, unknown> }>;
}

function post(url: string, body: unknown): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const req = request(
      url,
      { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Installs `wx.cloud` on the simulated `wx`, answering from the emulator at `url`. */
export function routeCloudToEmulator(url: string, openid: string | null = 'o_phone_user'): CloudRoute {
  const route: CloudRoute = { openid, offline: false, dropNext: 0, calls: [] };
  const g = globalThis as unknown as { wx: Record<string, unknown> };
  g.wx = g.wx ?? {};
  g.wx.cloud = {
    init() {},
    async callFunction({ name, data }: { name: string; data: Record<string, unknown> }) {
      route.calls.push({ name, data });
      if (route.offline || route.dropNext > 0) {
        route.dropNext = Math.max(0, route.dropNext - 1);
        throw { errMsg: 'cloud.callFunction:fail request:fail timeout' };
      }
      const res = await underway(
        post(`${url}/v1/functions/${name}/invoke`, { data, context: route.openid ? { OPENID: route.openid } : {} }),
      );
      if (res.status !== 200) throw { errMsg: `cloud.callFunction:fail ${JSON.stringify(res.body)}` };
      return { result: (res.body as { result: unknown }).result, errMsg: 'cloud.callFunction:ok', requestID: 'emulator' };
    },
  };
  return route;
}

export const MINIPROGRAM_ROOT = path.join(__dirname, '..', '..', 'miniprogram');

/** Cloud calls sent and not yet answered: what a component is usually waiting for. */
const inFlight = new Set<Promise<unknown>>();

function underway<T>(call: Promise<T>): Promise<T> {
  inFlight.add(call);
  const done = () => inFlight.delete(call);
  call.then(done, done);
  return call;
}

/**
 * Waits until `check` passes (async work inside a component), or fails with its last
 * error. While a cloud call is under way it awaits the emulator's answer, however long a
 * busy machine takes, instead of a clock; only the component's own work after the
 * answers (rendering, a timer of its own) spends the `ms` budget.
 */
export async function eventually(check: () => void | Promise<void>, ms = 5000): Promise<void> {
  let budget = ms;
  for (;;) {
    try {
      await check();
      return;
    } catch (err) {
      if (inFlight.size > 0) {
        await Promise.allSettled([...inFlight]);
        continue;
      }
      if (budget <= 0) throw err;
      const started = Date.now();
      await new Promise((r) => setTimeout(r, 10));
      budget -= Date.now() - started;
    }
  }
}

/**
 * An attribute as the template bound it (camelCased, with its real type: `{{false}}`
 * is the boolean false). The rendered DOM does not carry built-in components' props.
 */
export function attr(node: { toJSON(): unknown }, name: string): unknown {
  const json = node.toJSON() as { attrs?: Array<{ name: string; value: unknown }> };
  return json.attrs?.find((a) => a.name === name)?.value;
}
