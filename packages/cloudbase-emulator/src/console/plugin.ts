/**
 * What a project hands the console to show its own parts (quickphone: the billing view
 * and "play a user", scripts/console-plugin/). The console itself knows CloudBase and
 * WeChat only: overview, data, functions and their live log, faults, messages,
 * export/import. A plug-in adds
 * - routes under `/console/api/<path>`: the console checks the request (loopback Host,
 *   JSON writes), parses a POST body as a JSON object, and sends the answer masked
 *   (./mask.ts) as relaxed EJSON, as it does its own;
 * - browser modules bundled into the page after the console's views: each registers its
 *   views with `registerView` (./client/shell.ts) and draws with ./client/dom.ts.
 *
 * Everything here is the plug-in's whole toolkit on the server side, so a plug-in imports
 * this file and the Emulator type, nothing deeper.
 */
import type { Emulator } from '../emulator';
import { HttpError } from '../http-util';
import type { ConsoleCall } from './api';

export { HttpError };

export interface ConsoleRequest {
  emu: Emulator;
  query: URLSearchParams;
  /** A POST's JSON object body; `{}` for a GET. */
  body: Record<string, unknown>;
}

export interface ConsoleRoute {
  method: 'GET' | 'POST';
  /** The path under `/console/api/`, e.g. `billing`. */
  path: string;
  /** The answer (sent masked); throw HttpError for a refusal the page shows. */
  handle(req: ConsoleRequest): unknown;
}

export interface ConsolePlugin {
  /** The page's title and heading, e.g. "quickphone emulator" (default "cloudbase-emulator"). */
  title?: string;
  /** The views it adds, as the start banner lists them, e.g. ["billing", "play a user"]. */
  views?: string[];
  routes?: ConsoleRoute[];
  /** Absolute paths of the browser modules that register the plug-in's views. */
  clientEntries?: string[];
}

/** A request field that must be a string (or may be left out, when not `required`); a 400 otherwise. */
export function textField(value: unknown, name: string, required = true): string | undefined {
  if (value === undefined || value === '') {
    if (required) throw new HttpError(400, 'INVALID_ARGUMENT', `${name} is required`);
    return undefined;
  }
  if (typeof value !== 'string') throw new HttpError(400, 'INVALID_ARGUMENT', `${name} must be a string`);
  return value;
}

/**
 * Runs a function as a client would, as the given OPENID (none: an unauthenticated
 * call). `route` goes in as `$url`, the tcb-router convention most CloudBase projects
 * route by. An unknown function is a 404.
 */
export async function callFunction(
  emu: Emulator,
  fn: string,
  route: string | undefined,
  data: Record<string, unknown>,
  openid: string | undefined,
): Promise<ConsoleCall> {
  const started = Date.now();
  const outcome = await emu.invoke(fn, route ? { ...data, $url: route } : data, openid ? { OPENID: openid } : {});
  if (outcome.notFound) throw new HttpError(404, 'FUNCTION_NOT_FOUND', `no function named "${fn}"`);
  return { ok: outcome.ok, result: outcome.result, error: outcome.ok ? undefined : outcome.error, durationMs: Date.now() - started };
}
