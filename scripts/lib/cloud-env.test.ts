import { cpSync, mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCloudEnv, writeCloudEnv } from './cloud-env';

const ROOT = join(__dirname, '..', '..');

test('the deploy writes the environment into miniprogram/cloud-env.ts, once', () => {
  const root = mkdtempSync(join(tmpdir(), 'quickphone-cloud-env-'));
  try {
    mkdirSync(join(root, 'miniprogram'));
    cpSync(join(ROOT, 'miniprogram', 'cloud-env.ts'), join(root, 'miniprogram', 'cloud-env.ts'));
    expect(writeCloudEnv('prod-4g1a2b3c', root)).toBe(true);
    expect(readCloudEnv(root)).toBe('prod-4g1a2b3c');
    expect(writeCloudEnv('prod-4g1a2b3c', root)).toBe(false);
    expect(() => writeCloudEnv("x'; alert(1); '", root)).toThrow(/not an environment id/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('app.ts initialises wx.cloud with that environment', () => {
  jest.isolateModules(() => {
    const calls: Array<{ api: string; args: unknown[] }> = [];
    const fn =
      (api: string) =>
      (...args: unknown[]) => {
        calls.push({ api, args });
        return api === 'callFunction' ? Promise.reject(new Error('offline')) : undefined;
      };
    const wxStub = new Proxy({} as Record<string, unknown>, {
      get: (_t, k: string) => (k === 'cloud' ? new Proxy({}, { get: (_c, m: string) => fn(m) }) : fn(k)),
    });
    let app: { onLaunch(): void } | undefined;
    Object.assign(globalThis, { wx: wxStub, App: (config: { onLaunch(): void }) => (app = config), getApp: () => app });
    jest.doMock(join(ROOT, 'miniprogram', 'cloud-env'), () => ({ CLOUD_ENV: 'prod-4g1a2b3c' }));
    // After jest.doMock, the app module must be loaded now, not hoisted like an import.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(join(ROOT, 'miniprogram', 'app'));
    app!.onLaunch();
    expect(calls.find((c) => c.api === 'init')?.args[0]).toEqual({ env: 'prod-4g1a2b3c', traceUser: true });
  });
});
