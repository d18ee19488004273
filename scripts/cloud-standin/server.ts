/**
 * A stand-in for the Tencent Cloud API on 127.0.0.1, for the deploy and doctor tests:
 * the project's real `tcb` (@cloudbase/cli) and real @cloudbase/manager-node reach it
 * through `redirect.cjs` (preloaded) and trust it through a CA made at test time
 * (`certificates.ts`). It checks every TC3 signature against the one API key it knows,
 * keeps one environment's state (`state.ts`, `actions.ts`), logs every call, and can
 * refuse any action on cue. The CLI's OAuth device-code login and its analytics beacon
 * are answered too, so that a test can see (and fail on) a login attempt.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ACTIONS, CloudError, type ActionContext } from './actions';
import { makeTestCa } from './certificates';
import { cosStore } from './cos';
import { doctorByInvoke } from './invoke';
import { emptyState, type StandinState } from './state';
import { checkTc3 } from './tc3';

export interface CallLogEntry {
  host: string;
  kind: 'action' | 'cos' | 'device-login' | 'analytics' | 'other';
  /** The API action (X-TC-Action), for kind "action". */
  action?: string;
  region?: string;
  params?: Record<string, unknown>;
  /** For kind "cos": method, key and query. */
  request?: string;
  /** The error code answered, if any ("ignored on cue" for a success that changed nothing). */
  error?: string;
}

export interface Refusal {
  action: string;
  /** null: answer success and do nothing (an accepted call that does not take). */
  code: string | null;
  message: string;
  /** How many calls to refuse; then the action works again. */
  times: number;
}

export interface Standin {
  state: StandinState;
  calls: CallLogEntry[];
  /** Environment for a process that must reach the stand-in instead of the cloud. */
  childEnv: Record<string, string>;
  refuse(action: string, code?: string, message?: string, times?: number): void;
  /** Answers the next `times` calls of `action` with success and changes nothing. */
  ignore(action: string, times?: number): void;
  /** Forgets every refusal not yet used. */
  clearRefusals(): void;
  stop(): Promise<void>;
}

export interface StandinOptions {
  envId: string;
  region?: string;
  secretId: string;
  secretKey: string;
  /** What auth answers to SCF Invoke; by default the doctor route's answer for a CLI-deployed auth. */
  invoke?: ActionContext['invoke'];
}

const REDIRECT = join(__dirname, 'redirect.cjs');

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

export async function startStandin(options: StandinOptions): Promise<Standin> {
  const dir = mkdtempSync(join(tmpdir(), 'quickphone-standin-'));
  const ca = makeTestCa(dir);
  const state = emptyState(options.envId, options.region);
  const calls: CallLogEntry[] = [];
  const cos = cosStore();
  const refusals: Refusal[] = [];
  let clock = Date.UTC(2026, 0, 1);
  const ctx: ActionContext = {
    state,
    cos,
    now() {
      clock += 1000;
      return new Date(clock + 8 * 3600_000).toISOString().replace('T', ' ').slice(0, 19);
    },
    invoke: options.invoke ?? doctorByInvoke(state),
  };

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const host = String(req.headers.host ?? '').replace(/:\d+$/, '');
      const action = req.headers['x-tc-action'] ? String(req.headers['x-tc-action']) : undefined;
      if (req.url?.includes('/oauth/device/')) {
        calls.push({ host, kind: 'device-login' });
        return reply(res, 400, { error: 'access_denied', error_description: 'the stand-in refuses interactive logins' });
      }
      if (host.endsWith('beacon.qq.com')) {
        calls.push({ host, kind: 'analytics' });
        return reply(res, 200, { result: 200 });
      }
      const bucket = /^(.+)\.cos\.[a-z0-9-]+\.myqcloud\.com$/.exec(host)?.[1];
      if (bucket) {
        calls.push({ host, kind: 'cos', request: cos.handle(req, body, res, bucket) });
        return;
      }
      if (!action) {
        calls.push({ host, kind: 'other' });
        return reply(res, 404, { error: `the stand-in does not serve ${req.method} ${host}${req.url}` });
      }
      let params: Record<string, unknown> = {};
      try {
        params = body.length ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : {};
      } catch {
        /* answered below as a bad request */
      }
      const entry: CallLogEntry = { host, kind: 'action', action, region: String(req.headers['x-tc-region'] ?? ''), params };
      calls.push(entry);
      const requestId = `standin-${calls.length}`;
      const fail = (code: string, message: string) => {
        entry.error = code;
        reply(res, 200, { Response: { Error: { Code: code, Message: message }, RequestId: requestId } });
      };
      const signed = checkTc3(req.method ?? 'POST', req.url ?? '/', req.headers, body, { [options.secretId]: options.secretKey });
      if (!signed.ok) return fail(signed.code!, signed.message!);
      if (entry.region && entry.region !== state.region && action !== 'DescribeEnvs')
        return fail('ResourceNotFound.Env', `环境 ${state.envId} 不在地域 ${entry.region} (it is in ${state.region})`);
      const refusal = refusals.find((r) => r.action === action && r.times > 0);
      if (refusal) {
        refusal.times--;
        if (refusal.code === null) {
          entry.error = 'ignored on cue';
          return reply(res, 200, { Response: { RequestId: requestId } });
        }
        return fail(refusal.code, refusal.message);
      }
      const run = ACTIONS[action];
      if (!run) return fail('InvalidAction', `The stand-in does not answer ${action}.`);
      try {
        reply(res, 200, { Response: { ...run(params, ctx), RequestId: requestId } });
      } catch (err) {
        if (err instanceof CloudError) return fail(err.code, err.message);
        fail('InternalError', (err as Error).message);
      }
    });
  }

  const tlsServer = https.createServer({ SNICallback: (name, cb) => cb(null, ca.contextFor(name)) }, handle);
  const httpServer = http.createServer(handle);
  const listen = (server: http.Server) =>
    new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
  const [tlsPort, httpPort] = [await listen(tlsServer), await listen(httpServer)];
  return {
    state,
    calls,
    childEnv: {
      NODE_OPTIONS: `--require ${REDIRECT}`,
      NODE_EXTRA_CA_CERTS: ca.caFile,
      QUICKPHONE_STANDIN_TLS_PORT: String(tlsPort),
      QUICKPHONE_STANDIN_HTTP_PORT: String(httpPort),
    },
    refuse(action, code = 'FailedOperation', message = `refused on cue by the test`, times = 1) {
      refusals.push({ action, code, message, times });
    },
    ignore(action, times = 1) {
      refusals.push({ action, code: null, message: '', times });
    },
    clearRefusals() {
      refusals.length = 0;
    },
    async stop() {
      tlsServer.closeAllConnections();
      httpServer.closeAllConnections();
      await Promise.all([new Promise((r) => tlsServer.close(r)), new Promise((r) => httpServer.close(r))]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
