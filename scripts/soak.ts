/**
 * `npm run soak`: the billing fault matrix (test/support/billing-matrix.ts) for longer
 * than `npm test` runs it — more users, more attackers, more seeds — against an
 * in-memory emulator on a loopback port, bounded in time. Prints each seed's figures
 * and exits 1 if any invariant failed:
 *
 *   WeChat billed = counted records = usage_daily = admin.usage.summary (per kind),
 *   every owner has the number of their last code, nobody else has one, no breaker
 *   tripped (the daily cap sits one above the real charges), nothing left pending.
 *
 * SOAK_SEEDS (default 6), SOAK_FIRST_SEED (101), SOAK_USERS (100), SOAK_ATTACKERS (10),
 * SOAK_MAX_MINUTES (10), SOAK_LOST_ANSWERS (1: half the database write faults land
 * and lose their answer, as timeouts do).
 *
 * A seed whose run throws (an admin read failing under load) is reported as failed and
 * ends the soak with exit code 1: its abandoned requests would still be running against
 * the emulator, so later seeds would measure them too.
 */
import { buildAll } from './build';
import { Emulator } from '../packages/cloudbase-emulator/src/emulator';
import { QUICKPHONE_PROJECT } from './lib/emulator-plugin';
import { emulatorClient } from '../test/support/emulator';
import { runMatrix, type MatrixFigures } from '../test/support/billing-matrix';

const SEEDS = Number(process.env.SOAK_SEEDS ?? 6);
const FIRST_SEED = Number(process.env.SOAK_FIRST_SEED ?? 101);
const USERS = Number(process.env.SOAK_USERS ?? 100);
const ATTACKERS = Number(process.env.SOAK_ATTACKERS ?? 10);
const MAX_MS = Number(process.env.SOAK_MAX_MINUTES ?? 10) * 60_000;
const LOST_ANSWERS = process.env.SOAK_LOST_ANSWERS === '1';
const BOSS = 'o_soak_boss';
const LIMIT = 5;
/** How long the emulator gets to stop: a thrown run leaves requests in flight that may never end. */
const STOP_MS = 10_000;

/** Stops the emulator, giving up after STOP_MS rather than waiting on abandoned requests. */
async function stopWithin(emulator: Emulator): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      console.error(`the emulator did not stop within ${STOP_MS / 1000} s; exiting anyway`);
      resolve();
    }, STOP_MS);
  });
  await Promise.race([emulator.stop(), late]).finally(() => clearTimeout(timer));
}

async function main(): Promise<void> {
  await buildAll();
  process.env.QUICKPHONE_LOG = 'off';
  const emulator = new Emulator({
    ...QUICKPHONE_PROJECT,
    port: 0,
    dataDir: null,
    env: { ADMIN_OPENIDS: BOSS, PHONE_CODE_FAILURES_PER_USER_PER_DAY: String(LIMIT), QUICKPHONE_LOG: 'off' },
    maxContainersPerFunction: 16,
  });
  const url = await emulator.start();
  if (!/^http:\/\/127\.0\.0\.1:/.test(url)) throw new Error(`refusing to soak anything but loopback: ${url}`);
  const client = emulatorClient(url, () => emulator.stop());
  const started = Date.now();
  const rows: MatrixFigures[] = [];
  let failed = 0;
  try {
    for (let seed = FIRST_SEED; seed < FIRST_SEED + SEEDS; seed++) {
      if (Date.now() - started > MAX_MS) {
        console.log(`time budget of ${MAX_MS / 60_000} min reached after ${rows.length} seeds`);
        break;
      }
      await client.reset();
      const run = await runMatrix(client, {
        seed,
        users: USERS,
        attackers: ATTACKERS,
        boss: BOSS,
        limit: LIMIT,
        lostAnswers: LOST_ANSWERS,
      }).catch((err: unknown) => {
        console.log(`FAIL seed ${seed}: the run threw: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
        return null;
      });
      if (!run) {
        failed += 1;
        break;
      }
      const { figures, violations } = run;
      rows.push(figures);
      const line = `seed ${seed}: billed ${figures.billed} = counted ${figures.counted} = usage_daily ${figures.usage} = summary ${figures.summary}; records ${figures.records}, sends ${figures.sends}, junk ${figures.junkSent} (${figures.refusedForLimit} refused for the limit, not stored), faults ${figures.faults}, cron recounted ${figures.recountedByCron} / finished ${figures.finishedByCron}; ${(figures.ms / 1000).toFixed(1)} s`;
      console.log(violations.length ? `FAIL ${line}` : `ok   ${line}`);
      for (const v of violations) console.log(`     ${v}`);
      if (violations.length) failed += 1;
    }
  } finally {
    await stopWithin(emulator);
  }
  const total = (k: keyof MatrixFigures) => rows.reduce((s, r) => s + (r[k] as number), 0);
  console.log(
    `\n${rows.length} seeds, ${failed} failed: billed ${total('billed')}, counted ${total('counted')}, usage_daily ${total('usage')}, summary ${total('summary')}; ${total('sends')} sends, ${total('junkSent')} junk codes, ${total('faults')} faults; ${((Date.now() - started) / 1000).toFixed(0)} s`,
  );
  process.exitCode = failed ? 1 : 0;
}

// Exits explicitly: requests a failed run abandoned may still hold timers and sockets.
main().then(
  () => process.exit(process.exitCode ?? 0),
  (err: unknown) => {
    console.error('soak failed:', err);
    process.exit(1);
  },
);
