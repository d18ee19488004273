/**
 * `npm run build`: bundles each cloud function (every folder of `cloudfunctions/`
 * with an `index.ts`, never `_shared`) into `build/cloudfunctions/<name>/` with
 * index.js, config.json and a package.json with nothing to install — the folder the
 * CloudBase CLI and WeChat DevTools deploy, and the one the emulator runs.
 */
import { build, type Plugin } from 'esbuild';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..');
export const SOURCE_DIR = join(ROOT, 'cloudfunctions');
export const BUILD_DIR = join(ROOT, 'build', 'cloudfunctions');

/** Cloud function names: folders with an entry point, `_`-prefixed folders excluded. */
export function functionNames(): string[] {
  return readdirSync(SOURCE_DIR)
    .filter((name) => !name.startsWith('_') && !name.startsWith('.'))
    .filter((name) => statSync(join(SOURCE_DIR, name)).isDirectory() && existsSync(join(SOURCE_DIR, name, 'index.ts')))
    .sort();
}

/**
 * Parts of wx-server-sdk's dependency tree this product never calls: the AI client,
 * the data-model/MySQL client, storage's XML parsing and a streams polyfill. Each is
 * only used lazily (inside a method, or inside the SDK's own try/catch at init), so
 * a stand-in that throws on use keeps the SDK working and takes ~35% off the bundle,
 * which is parse time on every cold start. The emulator tests run these bundles, so a
 * stand-in reached by a code path we use would fail there, not in production.
 */
export const UNUSED_SDK_PARTS = ['@cloudbase/ai', '@cloudbase/app', '@cloudbase/wx-cloud-client-sdk', 'web-streams-polyfill', 'xml2js'];

const leaveOutUnusedSdkParts: Plugin = {
  name: 'leave-out-unused-sdk-parts',
  setup(pluginBuild) {
    const filter = new RegExp(`^(${UNUSED_SDK_PARTS.map((p) => p.replace(/[/.]/g, '\\$&')).join('|')})(/.*)?$`);
    pluginBuild.onResolve({ filter }, (args) => ({ path: args.path, namespace: 'left-out' }));
    pluginBuild.onLoad({ filter: /.*/, namespace: 'left-out' }, (args) => ({
      loader: 'js',
      contents: `const name = ${JSON.stringify(args.path)};
module.exports = new Proxy({}, { get(_, key) {
  if (key === '__esModule' || typeof key === 'symbol') return undefined;
  throw new Error(name + ' is left out of this bundle (see UNUSED_SDK_PARTS in scripts/build.ts)');
} });`,
    }));
  },
};

/**
 * Replaces one file atomically (write a temporary file, then rename), so an emulator or
 * a test run loading the bundle while another build runs never sees half a file.
 */
function writeAtomically(path: string, contents: string | Uint8Array): void {
  const tmp = `${path}.${process.pid}.${randomUUID()}.tmp`;
  writeFileSync(tmp, contents);
  renameSync(tmp, path);
}

export async function buildFunction(name: string): Promise<{ name: string; bytes: number }> {
  const outDir = join(BUILD_DIR, name);
  mkdirSync(outDir, { recursive: true });
  const result = await build({
    entryPoints: [join(SOURCE_DIR, name, 'index.ts')],
    outfile: join(outDir, 'index.js'),
    bundle: true,
    platform: 'node',
    // The cloud runtime is Nodejs18.15.
    target: 'node18',
    format: 'cjs',
    // Smaller code parses faster on a cold start; names stay for readable stack traces.
    minify: true,
    keepNames: true,
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
    plugins: [leaveOutUnusedSdkParts],
    write: false,
  });
  for (const file of result.outputFiles) writeAtomically(file.path, file.contents);
  const configSource = join(SOURCE_DIR, name, 'config.json');
  writeAtomically(join(outDir, 'config.json'), existsSync(configSource) ? readFileSync(configSource) : '{}\n');
  // Everything is in index.js: the cloud side has nothing to install.
  writeAtomically(join(outDir, 'package.json'), `${JSON.stringify({ name, version: '1.0.0', private: true, main: 'index.js' }, null, 2)}\n`);
  const bytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
  return { name, bytes };
}

export async function buildAll(): Promise<Array<{ name: string; bytes: number }>> {
  const names = functionNames();
  // A function whose sources are gone must not linger in the build (or be deployed).
  if (existsSync(BUILD_DIR)) for (const stale of readdirSync(BUILD_DIR)) if (!names.includes(stale)) rmSync(join(BUILD_DIR, stale), { recursive: true, force: true });
  return Promise.all(names.map(buildFunction));
}

if (require.main === module) {
  buildAll()
    .then((built) => {
      for (const { name, bytes } of built) console.log(`built ${name.padEnd(10)} ${(bytes / 1024).toFixed(1)} KiB`);
    })
    .catch((err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    });
}
