/**
 * Test harness: an emulator on a free loopback port, and a client for its HTTP API.
 *
 * - `startEmulator()` runs it in the test process (Node tests).
 * - `spawnEmulator()` runs it as a child process, the way `npm start` does; component
 *   tests use this because their jsdom world is no place for a server.
 *
 * Both run in strict-index mode unless told otherwise (`strictIndexes: false`, or
 * `CLOUDBASE_EMULATOR_STRICT_INDEXES: '0'` in a spawned one's env).
 *
 * Each test file starts one in beforeAll and stops it in afterAll, so no process or
 * handle outlives the file. The client uses node:http so it works in both worlds.
 */
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import path from 'node:path';
import type { Emulator, EmulatorOptions } from '../../packages/cloudbase-emulator/src/emulator';

export interface EmulatorClient {
  url: string;
  /**
   * Calls a function as the mini program would (`wx.cloud.callFunction`), answering its
   * `result` untyped: a product route is called through `callRoute` (support/envelope.ts),
   * typed from the contract; this is for functions outside it (an emulator test's own
   * project) and for asserting on what any call answers.
   */
  call(name: string, data: Record<string, unknown>, openid?: string | null): Promise<unknown>;
  /** Raw HTTP call to the emulator API. */
  http<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  mintCode(request: {
    phoneNumber: string;
    openid?: string;
    kind?: 'quick' | 'realtime';
    countryCode?: string;
    ttlMs?: number;
    appid?: string;
  }): Promise<string>;
  docs<T = Record<string, unknown>>(collection: string): Promise<T[]>;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export interface TestEmulator extends EmulatorClient {
  emulator: Emulator;
}

function httpJson<T>(base: string, method: string, urlPath: string, body?: unknown): Promise<{ status: number; body: T }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    // Every write is JSON, a bodiless POST too: the emulator refuses any other (a cross-site form could send it).
    const headers: Record<string, string | number> = {
      ...(method === 'GET' ? {} : { 'content-type': 'application/json' }),
      ...(payload === undefined ? {} : { 'content-length': Buffer.byteLength(payload) }),
    };
    // agent: false — a fresh connection each time, so no keep-alive socket outlives a test.
    const req = request(`${base}${urlPath}`, { method, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode ?? 0, body: (text ? JSON.parse(text) : undefined) as T });
        } catch (err) {
          reject(err);
        }
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

export function emulatorClient(url: string, stop: () => Promise<void>): EmulatorClient {
  const http = <T>(method: string, urlPath: string, body?: unknown) => httpJson<T>(url, method, urlPath, body);
  return {
    url,
    http,
    async call(name: string, data: Record<string, unknown>, openid: string | null = 'o_test_user') {
      const { status, body } = await http<{ result: unknown }>('POST', `/v1/functions/${name}/invoke`, {
        data,
        context: openid ? { OPENID: openid } : {},
      });
      if (status !== 200) throw new Error(`invoke ${name} failed with HTTP ${status}: ${JSON.stringify(body)}`);
      return body.result;
    },
    async mintCode(req) {
      const { status, body } = await http<{ code: string }>('POST', '/v1/wechat/phone-codes', req);
      if (status !== 200) throw new Error(`mint failed: ${JSON.stringify(body)}`);
      return body.code;
    },
    async docs<T>(collection: string) {
      const { body } = await http<{ docs: T[] }>('GET', `/v1/db/${collection}`);
      return body.docs;
    },
    async reset() {
      await http('POST', '/v1/reset');
    },
    stop,
  };
}

/** An in-process emulator (needs a Node test environment). */
export async function startEmulator(options: EmulatorOptions = {}): Promise<TestEmulator> {
  // Required lazily: jsdom test files import this module only for spawnEmulator.
  type EmulatorModule = typeof import('../../packages/cloudbase-emulator/src/emulator');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Emulator } = require('../../packages/cloudbase-emulator/src/emulator') as EmulatorModule;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { QUICKPHONE_PROJECT } = require('../../scripts/lib/emulator-plugin') as typeof import('../../scripts/lib/emulator-plugin');
  // Strict indexes by default: a product query no database-indexes/ entry serves fails
  // (DATABASE_TIMEOUT). Tests of the emulator's own unindexed paths pass strictIndexes: false.
  const emulator = new Emulator({ ...QUICKPHONE_PROJECT, port: 0, dataDir: null, env: {}, strictIndexes: true, ...options });
  const url = await emulator.start();
  return { ...emulatorClient(url, () => emulator.stop()), emulator };
}

/**
 * An emulator in a child process, as `npm start` runs it but without building; in
 * memory unless `dataDir` is given. `stop` sends SIGTERM (`signal` to choose another).
 */
export function spawnEmulator(
  options: { env?: Record<string, string>; dataDir?: string; signal?: NodeJS.Signals; withoutOpenapiPermission?: boolean } = {},
): Promise<EmulatorClient> {
  const root = path.join(__dirname, '..', '..');
  const storage = options.dataDir ? [] : ['--in-memory'];
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(root, 'scripts', 'start.ts'),
      '--port',
      '0',
      ...storage,
      '--no-build',
      '--quiet',
      ...(options.withoutOpenapiPermission ? ['--without-openapi-permission'] : []),
    ],
    {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? '',
        CLOUDBASE_EMULATOR_STRICT_INDEXES: '1',
        ...(options.dataDir ? { CLOUDBASE_EMULATOR_DATA_DIR: options.dataDir } : {}),
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const match = /quickphone emulator on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (match) {
        child.stdout.removeAllListeners('data');
        child.stdout.resume();
        resolve(
          emulatorClient(match[1]!, async () => {
            child.kill(options.signal ?? 'SIGTERM');
            await exited;
          }),
        );
      }
    });
    child.once('exit', (code) => reject(new Error(`emulator exited early (code ${code}): ${err || out}`)));
  });
}
