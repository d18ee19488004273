/**
 * Test harness: an in-memory emulator on a free loopback port, and small clients for
 * its HTTP API. Each test file starts one in beforeAll and stops it in afterAll, so no
 * process or handle outlives the file.
 */
import { Emulator, type EmulatorOptions } from '../../emulator/emulator';

export interface TestEmulator {
  emulator: Emulator;
  url: string;
  /** Calls a function as the mini program would (`wx.cloud.callFunction`), answering its `result`. */
  call<T = unknown>(name: string, data: Record<string, unknown>, openid?: string | null): Promise<T>;
  /** Raw HTTP call to the emulator API. */
  http<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  mintCode(request: { phoneNumber: string; openid?: string; kind?: 'quick' | 'realtime'; countryCode?: string; ttlMs?: number; appid?: string }): Promise<string>;
  docs<T = Record<string, unknown>>(collection: string): Promise<T[]>;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<TestEmulator> {
  const emulator = new Emulator({ port: 0, dataDir: null, env: {}, ...options });
  const url = await emulator.start();

  async function http<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as T };
  }

  return {
    emulator,
    url,
    http,
    async call<T>(name: string, data: Record<string, unknown>, openid: string | null = 'o_test_user') {
      const { status, body } = await http<{ result: T; error?: unknown }>('POST', `/v1/functions/${name}/invoke`, {
        data,
        context: openid ? { OPENID: openid } : {},
      });
      if (status !== 200) throw new Error(`invoke ${name} failed with HTTP ${status}: ${JSON.stringify(body)}`);
      return body.result;
    },
    async mintCode(request) {
      const { status, body } = await http<{ code: string }>('POST', '/v1/wechat/phone-codes', request);
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
    stop: () => emulator.stop(),
  };
}
