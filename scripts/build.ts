/**
 * `npm run build`: bundles each cloud function (every folder of `cloudfunctions/`
 * with an `index.ts`, never `_shared`) into `build/cloudfunctions/<name>/` with
 * index.js, config.json and a package.json with nothing to install — the folder the
 * CloudBase CLI and WeChat DevTools deploy, and the one the emulator runs.
 *
 * The login path is a cold-start path, so the bundle is built to load fast:
 * - the packages of wx-server-sdk's tree that the product never reaches are left out
 *   (scripts/bundle-policy.ts: each one is a stand-in that throws, naming it, on use);
 * - module wrappers are plain functions rather than arrows (see `plainModuleWrappers`).
 * What each bundle still contains is written to build/bundle-report/<name>.json and
 * checked against scripts/bundle-manifest.json by scripts/bundle-contents.test.ts.
 */
import { build, type Metafile, type Plugin } from 'esbuild';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { createHash, randomUUID } from 'node:crypto';
import { basename, dirname, join, sep } from 'node:path';
import * as ts from 'typescript';
import { LEFT_OUT, packageOf, type LeftOut } from './bundle-policy';

export const ROOT = join(__dirname, '..');
export const SOURCE_DIR = join(ROOT, 'cloudfunctions');
export const BUILD_DIR = join(ROOT, 'build', 'cloudfunctions');
/** Outside the deployed folder (cloudbaserc functionRoot is build/cloudfunctions). */
export const REPORT_DIR = join(ROOT, 'build', 'bundle-report');

/** Cloud function names: folders with an entry point, `_`-prefixed folders excluded. */
export function functionNames(sourceDir = SOURCE_DIR): string[] {
  return readdirSync(sourceDir)
    .filter((name) => !name.startsWith('_') && !name.startsWith('.'))
    .filter((name) => statSync(join(sourceDir, name)).isDirectory() && existsSync(join(sourceDir, name, 'index.ts')))
    .sort();
}

const LEFT_OUT_NAMESPACE = 'left-out';

/** The stand-in for a left-out package: any use throws an error naming it and why it is out. */
export function leftOutStandIn(fn: string, module: string, why: string): string {
  const message = `${module} is left out of the ${fn} bundle (${why}); a product path reached it: see scripts/bundle-policy.ts`;
  return `const message = ${JSON.stringify(message)};
const fail = () => { throw new Error(message); };
module.exports = new Proxy(function leftOut() {}, {
  get(_, key) { if (key === '__esModule' || typeof key === 'symbol') return undefined; fail(); },
  apply: fail, construct: fail, has: fail, ownKeys: fail, set: fail, defineProperty: fail,
});`;
}

function leaveOut(fn: string, leftOut: readonly LeftOut[]): Plugin {
  const escape = (s: string) => s.replace(/[/.]/g, '\\$&');
  // A package is matched by its name as required; a file inside one by where it resolves.
  const packages = leftOut.filter((l) => !l.module.endsWith('.js'));
  const files = leftOut.filter((l) => l.module.endsWith('.js'));
  return {
    name: 'leave-out',
    setup(pluginBuild) {
      if (packages.length) {
        const filter = new RegExp(`^(${packages.map((p) => escape(p.module)).join('|')})(/.*)?$`);
        pluginBuild.onResolve({ filter }, (args) => ({ path: args.path, namespace: LEFT_OUT_NAMESPACE }));
      }
      if (files.length) {
        // Required as `./dir/name`, `./dir/name.js`, or `./dir` for an index.js.
        const names = files.map((f) => (basename(f.module) === 'index.js' ? basename(dirname(f.module)) : basename(f.module, '.js')));
        const filter = new RegExp(`(^|/)(${names.map(escape).join('|')})(/index)?(\\.js)?$`);
        pluginBuild.onResolve({ filter }, async (args) => {
          if ((args.pluginData as { probe?: boolean } | undefined)?.probe) return undefined;
          const resolved = await pluginBuild.resolve(args.path, {
            kind: args.kind,
            importer: args.importer,
            resolveDir: args.resolveDir,
            pluginData: { probe: true },
          });
          const entry = files.find((f) => resolved.path.split(sep).join('/').endsWith(`/node_modules/${f.module}`));
          return entry ? { path: entry.module, namespace: LEFT_OUT_NAMESPACE } : undefined;
        });
      }
      pluginBuild.onLoad({ filter: /.*/, namespace: LEFT_OUT_NAMESPACE }, (args) => {
        const entry = leftOut.find((p) => args.path === p.module || args.path.startsWith(`${p.module}/`))!;
        return { loader: 'js', contents: leftOutStandIn(fn, args.path, entry.why) };
      });
    },
  };
}

/** Whether `this`, `arguments`, `super` or `new.target` in `body` would mean the enclosing scope's. */
function usesEnclosingBinding(body: ts.Node): boolean {
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (
      node.kind === ts.SyntaxKind.ThisKeyword ||
      node.kind === ts.SyntaxKind.SuperKeyword ||
      ts.isMetaProperty(node) ||
      (ts.isIdentifier(node) && node.text === 'arguments')
    ) {
      found = true;
      return;
    }
    // Functions, methods, class static blocks and field initialisers have a `this` of their
    // own (and functions their own `arguments`); a computed name is still evaluated outside.
    const ownThis =
      ts.isFunctionDeclaration(node) ||
      ts.isFunctionExpression(node) ||
      ts.isMethodDeclaration(node) ||
      ts.isConstructorDeclaration(node) ||
      ts.isAccessor(node) ||
      ts.isClassStaticBlockDeclaration(node) ||
      ts.isPropertyDeclaration(node);
    if (ownThis) {
      const name = (node as { name?: ts.Node }).name;
      if (name && ts.isComputedPropertyName(name)) visit(name);
      return;
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(body, visit);
  return found;
}

/**
 * esbuild wraps each CommonJS module of a bundle in an arrow function given to its
 * `__commonJS` helper. Every module of these bundles runs at load, and V8 loads them
 * measurably faster (about a tenth of the SDK's load time in `npm run bench`) when
 * the wrapper is a plain `function`. The two behave the same when the body uses no
 * `this`, `arguments`, `super` or `new.target` of its own (esbuild already rewrites a
 * module's top-level `this` to `exports`); a wrapper that does is kept as it is.
 */
export function plainModuleWrappers(code: string): { code: string; converted: number; kept: number } {
  // The minified helper: var R=(t,e)=>()=>{try{return e||t((e={exports:{}}).exports,e),e.exports}...
  const helper = /var ([\w$]+)=\(([\w$]+),([\w$]+)\)=>\(\)=>\{try\{return \3\|\|\2\(\(\3=\{exports:\{\}\}\)\.exports,\3\)/.exec(code)?.[1];
  if (!helper) return { code, converted: 0, kept: 0 };
  const source = ts.createSourceFile('bundle.js', code, ts.ScriptTarget.Latest, false, ts.ScriptKind.JS);
  const edits: Array<{ start: number; end: number; text: string }> = [];
  let kept = 0;
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === helper && node.arguments.length === 1) {
      const wrapper = node.arguments[0]!;
      if (ts.isArrowFunction(wrapper) && ts.isBlock(wrapper.body) && !wrapper.modifiers?.length) {
        if (usesEnclosingBinding(wrapper.body)) kept += 1;
        else
          edits.push({
            start: wrapper.getStart(source),
            end: wrapper.body.getStart(source),
            text: `function(${wrapper.parameters.map((p) => p.getText(source)).join(',')})`,
          });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  let out = code;
  for (const edit of edits.sort((a, b) => b.start - a.start)) out = out.slice(0, edit.start) + edit.text + out.slice(edit.end);
  return { code: out, converted: edits.length, kept };
}

/**
 * `plainModuleWrappers` parses the whole bundle (about a second each); a rebuild of
 * unchanged sources (every test run starts with one) reuses the last result, kept per
 * function beside its report.
 */
function plainModuleWrappersCached(name: string, text: string, reportDir: string): ReturnType<typeof plainModuleWrappers> {
  // Keyed on the transform's own code as well, so a change to it is never served stale.
  const hash = createHash('sha256').update(String(plainModuleWrappers)).update(String(usesEnclosingBinding)).update(text).digest('hex');
  const cacheFile = join(reportDir, `${name}.wrappers-cache.json`);
  try {
    const cached = JSON.parse(readFileSync(cacheFile, 'utf8')) as { hash: string; result: ReturnType<typeof plainModuleWrappers> };
    if (cached.hash === hash) return cached.result;
  } catch {
    // no usable cache: compute
  }
  const result = plainModuleWrappers(text);
  writeAtomically(cacheFile, JSON.stringify({ hash, result }));
  return result;
}

/** What one bundle holds: bytes per package (`(project)` for our own code) and the stand-ins. */
export interface BundleReport {
  name: string;
  bytes: number;
  packages: Record<string, number>;
  leftOut: string[];
  wrappers: { converted: number; kept: number };
}

function reportOf(name: string, bytes: number, metafile: Metafile, wrappers: BundleReport['wrappers']): BundleReport {
  const output = Object.values(metafile.outputs)[0]!;
  const packages: Record<string, number> = {};
  const leftOut = new Set<string>();
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    if (input.startsWith(`${LEFT_OUT_NAMESPACE}:`)) {
      leftOut.add(input.slice(LEFT_OUT_NAMESPACE.length + 1));
      continue;
    }
    const pkg = packageOf(input) ?? '(project)';
    packages[pkg] = (packages[pkg] ?? 0) + bytesInOutput;
  }
  const sorted = Object.fromEntries(Object.entries(packages).sort(([a], [b]) => a.localeCompare(b)));
  return { name, bytes, packages: sorted, leftOut: [...leftOut].sort(), wrappers };
}

/**
 * Replaces one file atomically (write a temporary file, then rename), so an emulator or
 * a test run loading the bundle while another build runs never sees half a file.
 */
function writeAtomically(path: string, contents: string | Uint8Array): void {
  const tmp = `${path}.${process.pid}.${randomUUID()}.tmp`;
  writeFileSync(tmp, contents);
  renameSync(tmp, path);
}

export interface BuildOptions {
  sourceDir?: string;
  outDir?: string;
  reportDir?: string;
  /** What to leave out (default: scripts/bundle-policy.ts); tests widen it to show a reached stand-in fails. */
  leftOut?: readonly LeftOut[];
}

export async function buildFunction(
  name: string,
  options: BuildOptions = {},
): Promise<{ name: string; bytes: number; report: BundleReport }> {
  const sourceDir = options.sourceDir ?? SOURCE_DIR;
  const outDir = join(options.outDir ?? BUILD_DIR, name);
  const reportDir = options.reportDir ?? REPORT_DIR;
  mkdirSync(outDir, { recursive: true });
  mkdirSync(reportDir, { recursive: true });
  const result = await build({
    entryPoints: [join(sourceDir, name, 'index.ts')],
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
    plugins: [leaveOut(name, options.leftOut ?? LEFT_OUT)],
    write: false,
  });
  const [output] = result.outputFiles;
  if (!output || result.outputFiles.length !== 1) throw new Error(`${name}: expected one output file`);
  const { code, converted, kept } = plainModuleWrappersCached(name, output.text, reportDir);
  writeAtomically(output.path, code);
  const configSource = join(sourceDir, name, 'config.json');
  writeAtomically(join(outDir, 'config.json'), existsSync(configSource) ? readFileSync(configSource) : '{}\n');
  // Everything is in index.js: the cloud side has nothing to install.
  writeAtomically(
    join(outDir, 'package.json'),
    `${JSON.stringify({ name, version: '1.0.0', private: true, main: 'index.js' }, null, 2)}\n`,
  );
  const bytes = Buffer.byteLength(code);
  const report = reportOf(name, bytes, result.metafile, { converted, kept });
  writeAtomically(join(reportDir, `${name}.json`), `${JSON.stringify(report, null, 2)}\n`);
  return { name, bytes, report };
}

export async function buildAll(options: BuildOptions = {}): Promise<Array<{ name: string; bytes: number; report: BundleReport }>> {
  const names = functionNames(options.sourceDir);
  const outDir = options.outDir ?? BUILD_DIR;
  // A function whose sources are gone must not linger in the build (or be deployed).
  if (existsSync(outDir))
    for (const stale of readdirSync(outDir)) if (!names.includes(stale)) rmSync(join(outDir, stale), { recursive: true, force: true });
  return Promise.all(names.map((name) => buildFunction(name, options)));
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
