/**
 * What each function bundle contains and why, and what happens when a product path
 * reaches a part that was left out. The bundles checked are the ones jest's global
 * setup built, the same ones every end-to-end test runs.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build as esbuild } from 'esbuild';
import { buildFunction, BUILD_DIR, functionNames, leftOutStandIn, plainModuleWrappers } from './build';
import { checkBundles, describeBundles, loadManifest, readReports } from './bundle-contents';
import { LEFT_OUT, packageOf } from './bundle-policy';
import { startEmulator } from '../test/support/emulator';

// What a function process has on SCF (docs.cloudbase.net: TENCENTCLOUD_RUNENV=SCF is built in).
const SCF_ENV = {
  PATH: process.env.PATH ?? '',
  NODE_ENV: 'production',
  TENCENTCLOUD_RUNENV: 'SCF',
  TENCENTCLOUD_SECRETID: 'test',
  TENCENTCLOUD_SECRETKEY: 'test',
  TENCENTCLOUD_REGION: 'ap-shanghai',
  TCB_ENV: 'test-env',
  SCF_NAMESPACE: 'test-env',
  TCB_CONTEXT_CNFG: JSON.stringify({ URL: 'http://127.0.0.1:9/admin' }),
};

describe('every bundle', () => {
  test('contains only packages the manifest explains, leaves out what the policy says, and stays within the size bound', () => {
    const reports = readReports();
    expect(reports.map((r) => r.name)).toEqual(functionNames());
    expect(checkBundles(reports)).toEqual([]);
    const report = describeBundles(reports);
    for (const { module } of LEFT_OUT) expect(report).toContain(module);
  });

  test('loads in a fresh process with a function environment and exports main', () => {
    for (const name of functionNames()) {
      const res = spawnSync(
        process.execPath,
        [
          '-e',
          `const m = require(${JSON.stringify(join(BUILD_DIR, name, 'index.js'))}); if (typeof m.main !== 'function') process.exit(3);`,
        ],
        { env: SCF_ENV, encoding: 'utf8' },
      );
      expect({ name, status: res.status, stderr: res.stderr }).toEqual({ name, status: 0, stderr: '' });
    }
  });
});

describe('the manifest check', () => {
  const base = {
    name: 'auth',
    bytes: 400 * 1024,
    packages: { 'wx-server-sdk': 1, '(project)': 1 },
    leftOut: LEFT_OUT.map((l) => l.module),
    wrappers: { converted: 10, kept: 0 },
  };
  const manifest = { maxKiB: 500, packages: { 'wx-server-sdk': 'the SDK', '(project)': 'ours' } };

  test('names an unexplained package, a left-out package bundled for real, an oversize bundle and a stale entry', () => {
    expect(checkBundles([base], manifest)).toEqual([]);
    const problems = checkBundles([{ ...base, bytes: 501 * 1024, packages: { ...base.packages, 'left-pad': 1, 'mime-db': 280 } }], {
      ...manifest,
      packages: { ...manifest.packages, semver: 'why' },
    });
    expect(problems).toEqual([
      'auth: 501.0 KiB, over the 500 KiB bound',
      expect.stringContaining('auth: contains left-pad, which scripts/bundle-manifest.json does not explain'),
      'auth: contains mime-db, which scripts/bundle-policy.ts leaves out',
      'scripts/bundle-manifest.json explains semver, which no bundle contains any more; drop it',
    ]);
  });

  test('names a left-out package nothing requires any more', () => {
    expect(checkBundles([{ ...base, leftOut: base.leftOut.filter((m) => m !== 'axios') }], manifest)).toEqual([
      'auth: nothing requires axios any more; drop it from scripts/bundle-policy.ts',
    ]);
  });

  test('the committed manifest gives a reason for each package', () => {
    for (const [pkg, why] of Object.entries(loadManifest().packages))
      expect({ pkg, why: why.trim().length > 0 }).toEqual({ pkg, why: true });
  });

  test('packages are named by their innermost node_modules folder', () => {
    expect(packageOf('node_modules/@cloudbase/node-sdk/node_modules/bson/lib/bson.js')).toBe('bson');
    expect(packageOf('node_modules/wx-server-sdk/index.js')).toBe('wx-server-sdk');
    expect(packageOf('cloudfunctions/auth/index.ts')).toBeNull();
  });
});

describe('a left-out stand-in', () => {
  const load = () => {
    const module = { exports: {} as Record<string | symbol, unknown> };
    new Function('module', leftOutStandIn('auth', 'mime-db', 'a media type table'))(module);
    return module.exports as Record<string | symbol, unknown> & (() => unknown);
  };

  test('can be required and interop-checked, but any use throws naming the package, the bundle and the policy', () => {
    const standIn = load();
    // What require + __importDefault/__importStar do at load time must not throw.
    expect(standIn.__esModule).toBeUndefined();
    expect(standIn[Symbol.toPrimitive]).toBeUndefined();
    const message = 'mime-db is left out of the auth bundle (a media type table); a product path reached it: see scripts/bundle-policy.ts';
    expect(() => standIn['application/json']).toThrow(message);
    expect(() => standIn.default).toThrow(message);
    expect(() => standIn()).toThrow(message);
    expect(() => new (standIn as unknown as new () => unknown)()).toThrow(message);
    expect(() => 'lookup' in standIn).toThrow(message);
    expect(() => Object.keys(standIn)).toThrow(message);
  });

  test('reached on a product path fails that call loudly in the end-to-end run, naming the package', async () => {
    // Build auth leaving out bson as well, which every database call needs, and run it.
    const dir = mkdtempSync(join(tmpdir(), 'quickphone-bundle-'));
    const logs: string[] = [];
    try {
      await buildFunction('auth', {
        outDir: join(dir, 'functions'),
        reportDir: join(dir, 'report'),
        leftOut: [...LEFT_OUT, { module: 'bson', why: 'for this test' }],
      });
      const t = await startEmulator({ functionsDir: join(dir, 'functions'), onLog: (_fn, line) => logs.push(line) });
      try {
        expect(await t.call('auth', { $url: 'session' }, 'o_alice')).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
        expect(await t.docs('users')).toEqual([]);
      } finally {
        await t.stop();
      }
      expect(logs.join('\n')).toContain('bson is left out of the auth bundle (for this test)');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('plain module wrappers', () => {
  // A bundle built as the functions are, from modules given here.
  async function bundle(modules: Record<string, string>): Promise<string> {
    const result = await esbuild({
      entryPoints: ['entry'],
      bundle: true,
      platform: 'node',
      target: 'node18',
      format: 'cjs',
      minify: true,
      keepNames: true,
      write: false,
      logLevel: 'silent',
      plugins: [
        {
          name: 'virtual',
          setup(b) {
            b.onResolve({ filter: /.*/ }, (args) => ({ path: args.path.replace(/^\.\//, ''), namespace: 'virtual' }));
            b.onLoad({ filter: /.*/, namespace: 'virtual' }, (args) => ({ contents: modules[args.path]!, loader: 'js' }));
          },
        },
      ],
    });
    return result.outputFiles[0]!.text;
  }
  const run = (code: string) => {
    const module = { exports: {} as { result?: unknown } };
    new Function('module', 'exports', 'require', code)(module, module.exports, require);
    return module.exports.result;
  };

  test('become plain functions and behave the same', async () => {
    const code = await bundle({
      entry:
        "const a = require('./a'); const b = require('./b'); module.exports.result = [a.twice(21), new b.Counter().next(), b.Counter.name, b.self === module.exports ? 'no' : 'yes'];",
      a: 'exports.twice = (n) => n * 2;',
      b: 'class Counter { n = 0; next() { return ++this.n; } } exports.Counter = Counter; exports.self = this;',
    });
    const plain = plainModuleWrappers(code);
    expect(plain.converted).toBe(2);
    expect(plain.kept).toBe(0);
    expect(plain.code).not.toBe(code);
    expect(run(plain.code)).toEqual(run(code));
    expect(run(plain.code)).toEqual([42, 1, 'Counter', 'yes']);
  });

  test('a wrapper whose body uses its enclosing arguments is kept an arrow', async () => {
    const code = await bundle({
      entry: "module.exports.result = require('./a').count;",
      a: 'exports.count = arguments.length;',
    });
    const plain = plainModuleWrappers(code);
    expect(plain).toMatchObject({ converted: 0, kept: 1 });
    expect(run(plain.code)).toBe(run(code));
  });

  test('code without the helper is left as it is', () => {
    expect(plainModuleWrappers('console.log(1)')).toEqual({ code: 'console.log(1)', converted: 0, kept: 0 });
  });
});
