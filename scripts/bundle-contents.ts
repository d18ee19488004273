/**
 * What each function bundle contains and why.
 *
 *   npx tsx scripts/bundle-contents.ts     # after `npm run build`
 *
 * prints, per bundle, every package with its size and the reason it is there
 * (scripts/bundle-manifest.json), and every left-out package with the reason it is
 * out (scripts/bundle-policy.ts). `checkBundles` is what scripts/bundle-contents.test.ts
 * asserts: nothing unexplained inside, nothing left out that is not a stand-in, size
 * within the manifest's bound.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { functionNames, REPORT_DIR, type BundleReport } from './build';
import { LEFT_OUT } from './bundle-policy';

export interface BundleManifest {
  maxKiB: number;
  packages: Record<string, string>;
}

export function loadManifest(): BundleManifest {
  return JSON.parse(readFileSync(join(__dirname, 'bundle-manifest.json'), 'utf8')) as BundleManifest;
}

export function readReports(names = functionNames(), dir = REPORT_DIR): BundleReport[] {
  return names.map((name) => {
    const path = join(dir, `${name}.json`);
    if (!existsSync(path)) throw new Error(`no bundle report for ${name} in ${dir}: run \`npm run build\` first`);
    return JSON.parse(readFileSync(path, 'utf8')) as BundleReport;
  });
}

/** Every way the bundles differ from the manifest and the policy; empty when they agree. */
export function checkBundles(reports: BundleReport[], manifest: BundleManifest = loadManifest()): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const r of reports) {
    const kib = r.bytes / 1024;
    if (kib > manifest.maxKiB) problems.push(`${r.name}: ${kib.toFixed(1)} KiB, over the ${manifest.maxKiB} KiB bound`);
    for (const pkg of Object.keys(r.packages)) {
      seen.add(pkg);
      if (LEFT_OUT.some((l) => l.module === pkg)) problems.push(`${r.name}: contains ${pkg}, which scripts/bundle-policy.ts leaves out`);
      else if (!manifest.packages[pkg])
        problems.push(
          `${r.name}: contains ${pkg}, which scripts/bundle-manifest.json does not explain (add it with the reason a product path needs it, or leave it out)`,
        );
    }
    // A stand-in the bundle no longer needs means the policy is stale (an SDK upgrade dropped the dependency).
    if (r.packages['wx-server-sdk'] !== undefined) {
      const standIns = new Set(r.leftOut.map((m) => LEFT_OUT.find((l) => m === l.module || m.startsWith(`${l.module}/`))?.module));
      for (const l of LEFT_OUT)
        if (!standIns.has(l.module))
          problems.push(`${r.name}: nothing requires ${l.module} any more; drop it from scripts/bundle-policy.ts`);
    }
    if (r.wrappers.converted === 0)
      problems.push(`${r.name}: no module wrapper was made a plain function (did esbuild's __commonJS helper change?)`);
  }
  for (const pkg of Object.keys(manifest.packages))
    if (!seen.has(pkg)) problems.push(`scripts/bundle-manifest.json explains ${pkg}, which no bundle contains any more; drop it`);
  return problems;
}

export function describeBundles(reports: BundleReport[], manifest: BundleManifest = loadManifest()): string {
  const lines: string[] = [];
  for (const r of reports) {
    lines.push(
      `${r.name}: ${(r.bytes / 1024).toFixed(1)} KiB (bound ${manifest.maxKiB} KiB), ${r.wrappers.converted} module wrappers as plain functions`,
    );
    const rows = Object.entries(r.packages).sort((a, b) => b[1] - a[1]);
    const width = Math.max(...rows.map(([p]) => p.length));
    for (const [pkg, bytes] of rows)
      lines.push(`  ${pkg.padEnd(width)} ${(bytes / 1024).toFixed(1).padStart(6)} KiB  ${manifest.packages[pkg] ?? '(unexplained)'}`);
    lines.push(`  left out (a stand-in that throws on use): ${r.leftOut.join(', ') || 'none'}`);
  }
  lines.push('', 'why each left-out package is out:');
  for (const l of LEFT_OUT) lines.push(`  ${l.module}: ${l.why}`);
  return lines.join('\n');
}

if (require.main === module) {
  const reports = readReports();
  console.log(describeBundles(reports));
  const problems = checkBundles(reports);
  if (problems.length) {
    console.error(`\n${problems.join('\n')}`);
    process.exit(1);
  }
}
