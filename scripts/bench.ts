/**
 * `npm run bench`: the numbers behind "the login path is a cold-start path".
 *
 * - bundle size of every function;
 * - cold load of the built `auth` bundle as a whole process, the way the cloud starts
 *   one: `node -e "require('<bundle>')"` with the function's environment (module load
 *   and cloud.init), against a naive function that requires wx-server-sdk from
 *   node_modules (the shape of Tencent's own sample) and a bare `node -e ""`, the three
 *   in turn in the same run (so machine noise hits all alike), median and spread;
 * - `auth.bindPhone` as the first call through a cold emulator container (tap to
 *   bound), and warm under 50 concurrent users, p50/p95;
 * - `auth.session` latency through the emulator, warm, p50/p95;
 * - database operations per `auth.session`, from the emulator's `/v1/stats`;
 * - `auth.bindPhone` latency (a fresh code each time) and its database operations;
 * - `admin.usage.summary` with 100k charges stored, against a naive summary that
 *   aggregates `phone_charges` directly (what you would write without daily counters);
 * - `admin.quota.status` over the same year (the ledger, forecast and advice) and one
 *   `cron` run, with their database operations.
 *
 * Prints a table and writes bench/results.json. Timings vary by machine; compare
 * ratios, and runs on the same machine. On a shared, busy machine rely on the
 * interleaved medians and ratios, not single times.
 *
 *   BENCH_FUNCTIONS_DIR=<dir>  measure bundles built elsewhere (e.g. an older build) instead of building
 *   BENCH_OUT=<file>           write the results there instead of bench/results.json
 *
 * `npm run bench -- --scale`: the data-size bench instead (scripts/bench-scale.ts).
 * `npm run bench -- --flash`: a flash crowd of new users and the billing invariants
 * after one cron run instead (scripts/bench-flash.ts).
 * `npm run bench -- --push`: what a refusal costs on the provider's push URL (scripts/bench-push.ts).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildAll, BUILD_DIR } from './build';
import { PROJECT_ROOT } from './lib/cloudbaserc';
import { Emulator } from '../packages/cloudbase-emulator/src/emulator';
import { QUICKPHONE_PROJECT } from './lib/emulator-plugin';
import { chinaDay } from '../cloudfunctions/_shared/domain/china-time';

/** The real wx-server-sdk in this process, pointed at the emulator (as the tests do). */
function connectSdk(url: string, envId: string) {
  Object.assign(process.env, {
    TENCENTCLOUD_RUNENV: 'SCF',
    TENCENTCLOUD_SECRETID: 'bench',
    TENCENTCLOUD_SECRETKEY: 'bench',
    TENCENTCLOUD_REGION: 'ap-shanghai',
    SCF_NAMESPACE: envId,
    TCB_ENV: envId,
  });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const cloud = require('wx-server-sdk') as typeof import('wx-server-sdk');
  cloud.init({ env: envId, serviceUrl: `${url}/admin` } as Parameters<typeof cloud.init>[0]);
  return cloud;
}

const COLD_RUNS = Number(process.env.BENCH_COLD_RUNS ?? 9);
const FIRST_CALL_RUNS = Number(process.env.BENCH_FIRST_CALL_RUNS ?? 5);
const CONCURRENT_USERS = 50;
const CONCURRENT_ROUNDS = Number(process.env.BENCH_CONCURRENT_ROUNDS ?? 4);
const WARM_CALLS = Number(process.env.BENCH_WARM_CALLS ?? 200);

// What a function process has in the cloud, so the SDK initialises as it would there.
const CONTAINER_ENV = {
  PATH: process.env.PATH ?? '',
  TENCENTCLOUD_RUNENV: 'SCF',
  TENCENTCLOUD_SECRETID: 'bench',
  TENCENTCLOUD_SECRETKEY: 'bench',
  TENCENTCLOUD_REGION: 'ap-shanghai',
  TCB_ENV: 'bench',
  SCF_NAMESPACE: 'bench',
  TCB_CONTEXT_CNFG: JSON.stringify({ URL: 'http://127.0.0.1:9/admin' }),
  NODE_ENV: 'production',
};

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

const round = (n: number, digits = 1) => Number(n.toFixed(digits));
const fmtSpread = (s: { p50: number; min: number; max: number }) => `${s.p50} ms [${s.min}–${s.max}]`;

/**
 * One whole process `node -e <script>` with the function's environment: wall
 * milliseconds, and the CPU milliseconds (user + system) the process itself used, which
 * other load on a shared machine disturbs less (printed by the process as it ends).
 */
function wholeProcess(script: string): { wall: number; cpu: number } {
  const report = `;process.on('exit',()=>{const u=process.cpuUsage();process.stdout.write(String((u.user+u.system)/1000))})`;
  const t0 = performance.now();
  const res = spawnSync(process.execPath, ['-e', script + report], { env: CONTAINER_ENV, encoding: 'utf8' });
  const wall = performance.now() - t0;
  if (res.status !== 0) throw new Error(`node -e ${script} failed: ${res.stderr}`);
  return { wall, cpu: Number(res.stdout) };
}

const sortedOf = (xs: number[]) => [...xs].sort((a, b) => a - b);
const spread = (xs: number[]) => {
  const s = sortedOf(xs);
  return { p50: round(percentile(s, 50)), min: round(s[0]!), max: round(s[s.length - 1]!) };
};

/** Sizes of the bundles in a folder of built functions. */
function bundleSizes(dir: string): Array<{ name: string; bytes: number }> {
  return readdirSync(dir)
    .filter((name) => statSync(join(dir, name, 'index.js'), { throwIfNoEntry: false })?.isFile())
    .sort()
    .map((name) => ({ name, bytes: statSync(join(dir, name, 'index.js')).size }));
}

async function main(): Promise<void> {
  const functionsDir = process.env.BENCH_FUNCTIONS_DIR ?? BUILD_DIR;
  const built = process.env.BENCH_FUNCTIONS_DIR ? bundleSizes(functionsDir) : await buildAll();
  const bundles = Object.fromEntries(built.map((b) => [b.name, b.bytes]));

  // Cold load as whole processes, the three in turn (after one unmeasured round) so
  // machine noise hits all alike; the ratio is the bundle's median over the naive one's.
  const authEntry = join(functionsDir, 'auth', 'index.js');
  const naiveEntry = join(PROJECT_ROOT, 'bench', 'naive-function', 'index.js');
  const requireScript = (entry: string) => `require(${JSON.stringify(entry)})`;
  const bundled: Array<{ wall: number; cpu: number }> = [];
  const naive: Array<{ wall: number; cpu: number }> = [];
  const bare: Array<{ wall: number; cpu: number }> = [];
  for (let i = -1; i < COLD_RUNS; i++) {
    const b = wholeProcess(requireScript(authEntry));
    const n = wholeProcess(requireScript(naiveEntry));
    const e = wholeProcess('');
    if (i < 0) continue;
    bundled.push(b);
    naive.push(n);
    bare.push(e);
  }
  const wallOf = (xs: Array<{ wall: number }>) => xs.map((x) => x.wall);
  const cpuOf = (xs: Array<{ cpu: number }>) => xs.map((x) => x.cpu);
  const median = (xs: number[]) => percentile(sortedOf(xs), 50);
  const pairRatios = bundled.map((b, i) => b.wall / naive[i]!.wall);

  // bindPhone as the first call through a cold container: a user taps the phone button
  // after a quiet period (the emulator is fresh each time, so its auth container is too).
  const firstBind: number[] = [];
  for (let i = 0; i < FIRST_CALL_RUNS; i++) {
    const fresh = new Emulator({ ...QUICKPHONE_PROJECT, port: 0, dataDir: null, env: {}, functionsDir });
    const freshUrl = await fresh.start();
    const code = fresh.sandbox.mint({ phoneNumber: '13800138000', openid: 'o_first' }).code;
    const t0 = performance.now();
    const res = await fetch(`${freshUrl}/v1/functions/auth/invoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ data: { $url: 'bindPhone', code, kind: 'quick' }, context: { OPENID: 'o_first' } }),
    });
    const body = (await res.json()) as { result?: { ok?: boolean } };
    firstBind.push(performance.now() - t0);
    await fresh.stop();
    if (!body.result?.ok) throw new Error(`first bindPhone failed: ${JSON.stringify(body)}`);
  }

  // Warm latency and database operations through the emulator.
  const emulator = new Emulator({ ...QUICKPHONE_PROJECT, port: 0, dataDir: null, env: {}, functionsDir });
  const url = await emulator.start();
  const call = async (openid: string, data: Record<string, unknown>) => {
    const res = await fetch(`${url}/v1/functions/auth/invoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ data, context: { OPENID: openid } }),
    });
    const body = (await res.json()) as { result?: { ok?: boolean } };
    if (!body.result?.ok) throw new Error(`${String(data.$url)} failed: ${JSON.stringify(body)}`);
  };
  const invoke = (openid: string) => call(openid, { $url: 'session' });
  const opsOf = async (run: () => Promise<void>) => {
    emulator.stats.clear();
    await run();
    const actions = emulator.stats.actionCounts();
    return { total: Object.values(actions).reduce((a, b) => a + b, 0), actions };
  };
  const mintFor = (openid: string, i: number) =>
    emulator.sandbox.mint({ phoneNumber: `1380000${String(i).padStart(4, '0')}`, openid }).code;
  const started = performance.now();
  await invoke('o_bench_cold');
  const firstCallMs = performance.now() - started;
  const newUserOps = await opsOf(() => invoke('o_bench_new'));
  const returningUserOps = await opsOf(() => invoke('o_bench_new'));
  const latencies: number[] = [];
  for (let i = 0; i < WARM_CALLS; i++) {
    const t0 = performance.now();
    await invoke(`o_bench_${i % 20}`);
    latencies.push(performance.now() - t0);
  }
  latencies.sort((a, b) => a - b);

  // bindPhone: each user binds a fresh code (the per-user daily limit is 5).
  const BIND_CALLS = Math.min(WARM_CALLS, 200);
  // Operations in the usual case: the user opened a session first and the day's counter exists.
  await invoke('o_bind_ops');
  await call('o_bind_warmup', { $url: 'bindPhone', code: mintFor('o_bind_warmup', 9998), kind: 'quick' });
  const bindOps = await opsOf(() => call('o_bind_ops', { $url: 'bindPhone', code: mintFor('o_bind_ops', 9999), kind: 'quick' }));
  const bindLatencies: number[] = [];
  for (let i = 0; i < BIND_CALLS; i++) {
    const openid = `o_bind_${i}`;
    await invoke(openid);
    const code = mintFor(openid, i);
    const t0 = performance.now();
    await call(openid, { $url: 'bindPhone', code, kind: 'quick' });
    bindLatencies.push(performance.now() - t0);
  }
  bindLatencies.sort((a, b) => a - b);

  // bindPhone under 50 concurrent users, warm: every container the pool will start is
  // started first; then rounds of 50 users who opened a session each bind a fresh code.
  await Promise.all(Array.from({ length: CONCURRENT_USERS }, (_, i) => invoke(`o_conc_warm_${i}`)));
  const concurrentBind: number[] = [];
  for (let round = 0; round < CONCURRENT_ROUNDS; round++) {
    const users = Array.from({ length: CONCURRENT_USERS }, (_, i) => `o_conc_${round}_${i}`);
    await Promise.all(users.map((openid) => invoke(openid)));
    const codes = users.map((openid, i) => mintFor(openid, 5000 + round * CONCURRENT_USERS + i));
    await Promise.all(
      users.map(async (openid, i) => {
        const t0 = performance.now();
        await call(openid, { $url: 'bindPhone', code: codes[i]!, kind: 'quick' });
        concurrentBind.push(performance.now() - t0);
      }),
    );
  }
  concurrentBind.sort((a, b) => a - b);
  const authContainers = emulator.containerStats().auth?.cold ?? 0;

  // Usage summary over a year of history: 100k charges spread over 365 China days.
  const CHARGES = Number(process.env.BENCH_CHARGES ?? 100_000);
  emulator.reset();
  const dayMs = 24 * 3600 * 1000;
  const counters = new Map<string, { day: string; kind: 'quick' | 'realtime'; count: number }>();
  for (let i = 0; i < CHARGES; i++) {
    const at = new Date(Date.now() - (i % 365) * dayMs);
    const kind = i % 4 === 0 ? 'realtime' : 'quick';
    const day = chinaDay(at);
    emulator.store.put('phone_charges', {
      _id: `bench_${i}`,
      kind,
      chargedAt: at,
      day,
      month: day.slice(0, 7),
      exchange: 'ok',
      costFen: kind === 'quick' ? 3 : 4,
    });
    const key = `${day}:${kind}`;
    const c = counters.get(key) ?? { day, kind, count: 0 };
    c.count += 1;
    counters.set(key, c);
  }
  for (const [key, c] of counters) emulator.store.put('usage_daily', { _id: key, ...c });
  const adminRoute = async (route: string) => {
    const res = await fetch(`${url}/v1/functions/admin/invoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ data: { $url: route }, context: { OPENID: 'o_bench_admin' } }),
    });
    const body = (await res.json()) as { result?: { ok?: boolean } };
    if (!body.result?.ok) throw new Error(`${route} failed: ${JSON.stringify(body)}`);
  };
  const adminCall = () => adminRoute('usage.summary');
  await emulator.store.put('admins', { _id: 'o_bench_admin', addedBy: 'bench', addedAt: new Date() });
  await adminCall(); // warm the container
  const summaryOps = await opsOf(adminCall);
  const summaryTimes: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    await adminCall();
    summaryTimes.push(performance.now() - t0);
  }
  summaryTimes.sort((a, b) => a - b);
  // quota.status over the same year: the ledger reads one kind's counters and its packs.
  await adminRoute('quota.status');
  const quotaOps = await opsOf(() => adminRoute('quota.status'));
  const quotaTimes: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    await adminRoute('quota.status');
    quotaTimes.push(performance.now() - t0);
  }
  quotaTimes.sort((a, b) => a - b);
  // One cron run (timer), without WeChat credentials: recount, breakers, ledger, alerts.
  const fireCron = async () => {
    const res = await fetch(`${url}/v1/functions/cron/triggers/hourly`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
    });
    if (!res.ok) throw new Error(`cron failed: HTTP ${res.status}`);
  };
  await fireCron();
  const cronStart = performance.now();
  const cronOps = await opsOf(fireCron);
  const cronMs = performance.now() - cronStart;
  // The naive way, through the real SDK against the same emulator: group every charge by month and kind.
  const cloud = connectSdk(url, emulator.envId);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const db = cloud.database() as unknown as { collection(n: string): { aggregate(): any } };
  const naiveTimes: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    await db
      .collection('phone_charges')
      .aggregate()
      .group({ _id: { month: '$month', kind: '$kind' }, n: { $sum: 1 } })
      .end();
    naiveTimes.push(performance.now() - t0);
  }
  naiveTimes.sort((a, b) => a - b);
  await emulator.stop();

  const results = {
    at: new Date().toISOString(),
    node: process.version,
    bundles: Object.fromEntries(Object.entries(bundles).map(([k, v]) => [k, { bytes: v, kib: round(v / 1024) }])),
    coldLoad: {
      method:
        'whole process: node -e "require(<bundle>)" with the function environment; bundle, naive function and bare node in turn; wall ms',
      runs: COLD_RUNS,
      bundledAuthMs: spread(wallOf(bundled)),
      naiveFunctionMs: spread(wallOf(naive)),
      bareNodeMs: spread(wallOf(bare)),
      bundledOverNaive: round(median(wallOf(bundled)) / median(wallOf(naive)), 2),
      pairRatio: { p50: round(median(pairRatios), 2), min: round(Math.min(...pairRatios), 2), max: round(Math.max(...pairRatios), 2) },
      cpuMs: {
        bundledAuth: spread(cpuOf(bundled)),
        naiveFunction: spread(cpuOf(naive)),
        bareNode: spread(cpuOf(bare)),
        bundledOverNaive: round(median(cpuOf(bundled)) / median(cpuOf(naive)), 2),
      },
    },
    session: {
      firstCallMs: round(firstCallMs),
      warm: { calls: WARM_CALLS, p50Ms: round(percentile(latencies, 50), 2), p95Ms: round(percentile(latencies, 95), 2) },
      dbOpsNewUser: newUserOps,
      dbOpsReturningUser: returningUserOps,
    },
    usageSummary: {
      charges: CHARGES,
      p50Ms: round(percentile(summaryTimes, 50), 2),
      dbOps: summaryOps,
      naiveAggregateP50Ms: round(percentile(naiveTimes, 50), 2),
      naiveOverSummary: round(percentile(naiveTimes, 50) / percentile(summaryTimes, 50), 1),
    },
    quotaStatus: { charges: CHARGES, p50Ms: round(percentile(quotaTimes, 50), 2), dbOps: quotaOps },
    cronRun: { ms: round(cronMs), dbOps: cronOps },
    bindPhone: {
      firstCallColdMs: { runs: FIRST_CALL_RUNS, ...spread(firstBind) },
      concurrent: {
        users: CONCURRENT_USERS,
        calls: concurrentBind.length,
        containers: authContainers,
        p50Ms: round(percentile(concurrentBind, 50), 1),
        p95Ms: round(percentile(concurrentBind, 95), 1),
      },
      calls: BIND_CALLS,
      p50Ms: round(percentile(bindLatencies, 50), 2),
      p95Ms: round(percentile(bindLatencies, 95), 2),
      // Database actions only; the code exchange is one wx.openApi call besides.
      gatewayOps: bindOps,
    },
  };

  const out = process.env.BENCH_OUT ?? join(PROJECT_ROOT, 'bench', 'results.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);

  const rows: Array<[string, string]> = [
    ...Object.entries(results.bundles).map(([name, b]): [string, string] => [`bundle ${name}`, `${b.kib} KiB`]),
    [`cold load, bundled auth, whole process (median [min–max] of ${COLD_RUNS})`, fmtSpread(results.coldLoad.bundledAuthMs)],
    ['cold load, naive wx-server-sdk function, whole process', fmtSpread(results.coldLoad.naiveFunctionMs)],
    ['cold load, bare node -e ""', fmtSpread(results.coldLoad.bareNodeMs)],
    [
      'bundled / naive (ratio of medians; pairwise median [min–max])',
      `${results.coldLoad.bundledOverNaive} (${results.coldLoad.pairRatio.p50} [${results.coldLoad.pairRatio.min}–${results.coldLoad.pairRatio.max}])`,
    ],
    [
      '  the same in CPU time (user + system) of each process',
      `${fmtSpread(results.coldLoad.cpuMs.bundledAuth)} vs ${fmtSpread(results.coldLoad.cpuMs.naiveFunction)} (bare ${fmtSpread(results.coldLoad.cpuMs.bareNode)}): ${results.coldLoad.cpuMs.bundledOverNaive}`,
    ],
    [`auth.bindPhone first call, cold container (median [min–max] of ${FIRST_CALL_RUNS})`, fmtSpread(results.bindPhone.firstCallColdMs)],
    [
      `auth.bindPhone, ${CONCURRENT_USERS} concurrent users, warm (p50 / p95 of ${concurrentBind.length}, ${authContainers} containers)`,
      `${results.bindPhone.concurrent.p50Ms} / ${results.bindPhone.concurrent.p95Ms} ms`,
    ],
    ['auth.session first call (cold container)', `${results.session.firstCallMs} ms`],
    [`auth.session warm (p50 / p95 of ${WARM_CALLS})`, `${results.session.warm.p50Ms} / ${results.session.warm.p95Ms} ms`],
    [
      'db ops per auth.session, new user',
      `${newUserOps.total} (${Object.entries(newUserOps.actions)
        .map(([a, n]) => `${a.replace('database.', '')} ${n}`)
        .join(', ')})`,
    ],
    [
      'db ops per auth.session, returning user',
      `${returningUserOps.total} (${Object.entries(returningUserOps.actions)
        .map(([a, n]) => `${a.replace('database.', '')} ${n}`)
        .join(', ')})`,
    ],
    [`auth.bindPhone (p50 / p95 of ${BIND_CALLS})`, `${results.bindPhone.p50Ms} / ${results.bindPhone.p95Ms} ms`],
    [`admin.usage.summary with ${CHARGES} charges (p50)`, `${results.usageSummary.p50Ms} ms, ${summaryOps.total} db op(s)`],
    [
      'naive aggregate over phone_charges (p50)',
      `${results.usageSummary.naiveAggregateP50Ms} ms (${results.usageSummary.naiveOverSummary}× slower)`,
    ],
    [`admin.quota.status with ${CHARGES} charges (p50)`, `${results.quotaStatus.p50Ms} ms, ${quotaOps.total} db op(s)`],
    ['cron run (timer, no WeChat credentials)', `${results.cronRun.ms} ms, ${cronOps.total} db op(s)`],
    [
      'gateway calls per bindPhone (user and day exist)',
      `${bindOps.total} (${Object.entries(bindOps.actions)
        .map(([a, n]) => `${a.replace('database.', '')} ${n}`)
        .join(', ')})`,
    ],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
  console.log(`\nwritten to ${out}`);
}

if (require.main === module) {
  // --scale: the data-size bench (scripts/bench-scale.ts), on its own.
  // --push: the push URL's refusals.
  // --flash: the flash-crowd bench (scripts/bench-flash.ts), on its own.
  // Loaded only when asked for: each pulls in its own inputs.
  const run = process.argv.includes('--scale')
    ? // eslint-disable-next-line @typescript-eslint/no-require-imports
      () => (require('./bench-scale') as typeof import('./bench-scale')).scaleBench(process.argv.slice(2))
    : process.argv.includes('--flash')
      ? // eslint-disable-next-line @typescript-eslint/no-require-imports
        () => (require('./bench-flash') as typeof import('./bench-flash')).flashBench(process.argv.slice(2))
      : process.argv.includes('--push')
        ? // eslint-disable-next-line @typescript-eslint/no-require-imports
          () => (require('./bench-push') as typeof import('./bench-push')).pushBench(process.argv.slice(2))
        : main;
  run().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
