/**
 * The emulator's web console, on the emulator's own loopback port: `GET /` is the page,
 * `/console/app.js` its script (bundled from ./client, with the project's plug-in views,
 * by esbuild on first request and kept in memory), `/console/api/...` the JSON the page
 * needs beyond the emulator's `/v1` API, and `/console/api/events` the live invocation
 * log (server-sent events). The console's own views are any CloudBase project's
 * (overview, data, functions, faults, messages, export/import); a project's plug-in
 * (./plugin.ts) adds routes and views of its own.
 *
 * Everything this file answers is masked (./mask.ts), a plug-in's answers too: the page
 * never holds a raw phone number. See docs/emulator.md "Console".
 */
import { EJSON } from 'bson';
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { Emulator, PersistedState } from '../emulator';
import { checkLocalJsonRequest, HttpError, readBody, readJsonObject, sendJson } from '../http-util';
import type { ConsoleCall, ConsoleImport, ConsoleOverview } from './api';
import { collections, deleteDocument, page, putDocument } from './data';
import { maskDeep } from './mask';
import { callFunction, textField, type ConsolePlugin } from './plugin';

const CLIENT_DIR = join(__dirname, 'client');

/** The client script per set of plug-in entries, built once per process (about 20 ms). */
const bundles = new Map<string, Promise<string>>();

/**
 * The page's script: the console's shell and views (client/main.ts), then each plug-in
 * entry (which registers its views), then the start. One bundle, so a plug-in's views
 * share the shell's modules (registerView, the live log) rather than copies of them.
 */
function clientBundle(entries: string[]): Promise<string> {
  const key = entries.join('\n');
  let bundle = bundles.get(key);
  if (bundle) return bundle;
  const contents = [
    `import { startConsole } from './main';`,
    ...entries.map((entry) => `import ${JSON.stringify(entry)};`),
    'startConsole();',
  ].join('\n');
  bundle = build({
    stdin: { contents, resolveDir: CLIENT_DIR, sourcefile: 'console-entry.ts', loader: 'ts' },
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    logLevel: 'silent',
  }).then((r) => r.outputFiles[0]!.text);
  bundles.set(key, bundle);
  bundle.catch(() => bundles.delete(key));
  return bundle;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function send(res: ServerResponse, type: string, body: string | Buffer, extra: Record<string, string> = {}): void {
  res.writeHead(200, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store', ...extra });
  res.end(body);
}

/** JSON with dates as `{ "$date": … }` (what PUT /v1/db accepts back), masked. */
function sendMasked(res: ServerResponse, value: unknown): void {
  sendJson(res, 200, maskDeep(EJSON.serialize(value, { relaxed: true })));
}

export async function serveConsole(emu: Emulator, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const plugin: ConsolePlugin = emu.consolePlugin ?? {};
  const path = url.pathname;
  if (req.method === 'GET' && path === '/') {
    const title = escapeHtml(plugin.title ?? 'cloudbase-emulator');
    return send(res, 'text/html; charset=utf-8', readFileSync(join(CLIENT_DIR, 'index.html'), 'utf8').replaceAll('{{title}}', title));
  }
  if (req.method === 'GET' && path === '/console/app.js')
    return send(res, 'text/javascript; charset=utf-8', await clientBundle(plugin.clientEntries ?? []));
  checkLocalJsonRequest(req);
  const route = `${req.method} ${path}`;
  if (route === 'GET /console/api/overview') return sendMasked(res, overview(emu));
  if (route === 'GET /console/api/events') return streamEvents(emu, req, res);
  if (route === 'GET /console/api/faults') return sendMasked(res, { faults: emu.faults.list() });
  if (route === 'GET /console/api/messages') return sendMasked(res, { messages: emu.wechat.subscribeMessages.messages() });
  if (route === 'POST /console/api/invoke') return sendMasked(res, await invoke(emu, await readJsonObject(req)));
  if (route === 'GET /console/api/export') return sendExport(emu, res);
  if (route === 'POST /console/api/import') return sendJson(res, 200, await importState(emu, req));
  if (route === 'GET /console/api/db') return sendMasked(res, collections(emu));
  const db = /^\/console\/api\/db\/([^/]+)(?:\/([^/]+))?$/.exec(path);
  if (db) {
    const collection = decodeURIComponent(db[1]!);
    if (req.method === 'GET' && !db[2]) return sendMasked(res, page(emu, collection, url.searchParams));
    if (req.method === 'PUT' && db[2])
      return sendMasked(res, putDocument(emu, collection, decodeURIComponent(db[2]), await readJsonObject(req)));
    if (req.method === 'DELETE' && db[2]) return sendMasked(res, deleteDocument(emu, collection, decodeURIComponent(db[2])));
  }
  const added = plugin.routes?.find((r) => req.method === r.method && path === `/console/api/${r.path}`);
  if (added) {
    const body = req.method === 'POST' ? await readJsonObject(req) : {};
    return sendMasked(res, await added.handle({ emu, query: url.searchParams, body }));
  }
  throw new HttpError(404, 'NOT_FOUND', `no console route for ${req.method} ${path}`);
}

function overview(emu: Emulator): ConsoleOverview {
  const containers = emu.containerStats();
  return {
    envId: emu.envId,
    appid: emu.appid,
    url: emu.url,
    dataDir: emu.dataDir,
    startedAt: new Date(emu.startedAt).toISOString(),
    uptimeMs: Date.now() - emu.startedAt,
    functions: emu.functionNames().map((name) => ({
      name,
      cold: containers[name]?.cold ?? 0,
      warm: containers[name]?.warm ?? 0,
      timerTriggers: emu.timerTriggers(name) ?? [],
    })),
    collections: collections(emu).collections,
    faults: emu.faults.list().length,
    queries: emu.store.queryStats(),
    unindexedQueries: emu.store.unindexedQueries(),
  };
}

function streamEvents(emu: Emulator, req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
  const write = (entry: unknown) => res.write(`data: ${JSON.stringify(entry)}\n\n`);
  for (const entry of emu.invocationLog.recent()) write(entry);
  const unsubscribe = emu.invocationLog.subscribe(write);
  const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
  ping.unref();
  req.on('close', () => {
    clearInterval(ping);
    unsubscribe();
  });
}

async function invoke(emu: Emulator, body: Record<string, unknown>): Promise<ConsoleCall> {
  const fn = textField(body.fn, 'fn')!;
  const data = body.data ?? {};
  if (data === null || typeof data !== 'object' || Array.isArray(data))
    throw new HttpError(400, 'INVALID_ARGUMENT', 'data must be a JSON object');
  return callFunction(
    emu,
    fn,
    textField(body.route, 'route', false),
    data as Record<string, unknown>,
    textField(body.openid, 'openid', false),
  );
}

/** The whole state as a download (raw numbers included: it is the user's own local data, as `--export-on-exit` writes it). */
function sendExport(emu: Emulator, res: ServerResponse): void {
  const name = `${emu.envId}-export-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
  send(res, 'application/json; charset=utf-8', EJSON.stringify(emu.exportState(), undefined, 1, { relaxed: true }), {
    'content-disposition': `attachment; filename="${name}"`,
  });
}

async function importState(emu: Emulator, req: IncomingMessage): Promise<ConsoleImport> {
  let state: PersistedState;
  try {
    state = EJSON.parse((await readBody(req)).toString('utf8'), { relaxed: true }) as PersistedState;
    emu.importState(state);
  } catch (err) {
    throw new HttpError(400, 'INVALID_ARGUMENT', `import: ${(err as Error).message}`);
  }
  return { collections: Object.keys(state.collections).length, phoneCodes: state.phoneCodes?.length ?? 0 };
}
