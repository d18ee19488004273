/**
 * The emulator's one loopback HTTP port: the SDK's gateway (`POST /admin`), WeChat's
 * HTTP APIs (`/wechat/...`), the console (`/`, `/console/...`), CloudBase HTTP access to
 * the functions (`/http/...`) and the emulator's own API (`/v1/...`, emulator/api.ts).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { apiRoutes } from './api';
import { serveConsole } from './console/server';
import type { Emulator } from './emulator';
import { checkLocalJsonRequest, HttpError, readJson, readJsonObject, readMultipart, sendError, sendJson } from './http-util';
import { HTTP_ACCESS_PREFIX, serveHttpAccess } from './wechat/provider-http';

export const LOOPBACK = '127.0.0.1';

/** Listens on loopback only (the emulator has no authentication); answers the base URL. */
export async function listen(emu: Emulator, port: number): Promise<{ server: Server; baseUrl: string }> {
  const server = createServer((req, res) => {
    route(emu, req, res).catch((err: unknown) => sendError(res, err));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, LOOPBACK, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return { server, baseUrl: `http://${LOOPBACK}:${address.port}` };
}

export async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

async function route(emu: Emulator, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', emu.url);
  if (url.pathname === '/admin' && req.method === 'POST') return serveGateway(emu, req, res);
  if (url.pathname.startsWith('/wechat/')) return emu.wechat.serve(req, res, url);
  if (url.pathname === '/' || url.pathname.startsWith('/console/')) return serveConsole(emu, req, res, url);
  if (url.pathname.startsWith(`${HTTP_ACCESS_PREFIX}/`)) return serveHttpAccess(emu.httpAccessHost(), req, res, url);
  // Every /v1 route: the console's guards (loopback Host, JSON writes), before anything is read or done.
  if (url.pathname.startsWith('/v1/')) checkLocalJsonRequest(req);
  for (const r of apiRoutes) {
    if (r.method !== req.method) continue;
    const match = r.pattern.exec(url.pathname);
    if (!match) continue;
    const body = req.method === 'POST' || req.method === 'PUT' ? await readJson(req) : undefined;
    const { status, value } = await r.handle(emu, { params: match.groups ?? {}, body, query: url.searchParams });
    return sendJson(res, status, value);
  }
  throw new HttpError(404, 'NOT_FOUND', `no route for ${req.method} ${url.pathname}`);
}

async function serveGateway(emu: Emulator, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const type = req.headers['content-type'] ?? '';
  let reply;
  if (type.startsWith('multipart/form-data')) {
    const { fields, files } = await readMultipart(req);
    reply = await emu.gateway.handle(fields, files);
  } else {
    reply = await emu.gateway.handle(await readJsonObject(req));
  }
  res.writeHead(200, { 'content-type': reply.contentType });
  res.end(reply.body);
}
