/**
 * `npm run deploy` after its build, for a project folder: what the deploy tests run in a
 * child process (with the stand-in's redirect preloaded), so the real manager-node and
 * the real `tcb` it spawns both talk to the stand-in.
 *
 *   tsx scripts/cloud-standin/deploy-folder.ts <project folder> [--dry-run]
 */
import { deployFolder } from '../deploy';
import { loadDotEnv } from '../lib/cloudbaserc';

const root = process.argv[2]!;
loadDotEnv(root);
deployFolder(root, process.env, { dryRun: process.argv.includes('--dry-run'), log: (line) => console.log(line) }).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  },
);
