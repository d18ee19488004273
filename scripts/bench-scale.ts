/**
 * `npm run bench -- --scale [--charges N] [--users N] [--runs N]`: does the product stay
 * flat as the data grows? Seeds `phone_charges` (default 1,000,000) and `users` (default
 * 100,000) through the emulator's import (`importState`, what `npm start -- --import`
 * does, without the file), in strict-index mode, then times the calls a merchant's day
 * makes — auth.session, auth.bindPhone, admin usage.summary, usage.list (the first page
 * and a page half-way down), quota.status and one cron run — p50/p95 and the documents
 * the emulator examined per call (GET /v1/stats `queries`), beside the same at 1,000
 * charges. Loopback only; writes bench/scale.json. A query's candidates come from the
 * index its plan chose (packages/cloudbase-emulator/src/store/sorted-index.ts), so wall time follows what a
 * call examines rather than the collection's size; each index is built at its first
 * use, in the warm-up call.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BUILD_DIR, buildAll } from './build';
import { PROJECT_ROOT } from './lib/cloudbaserc';
import { Emulator } from '../packages/cloudbase-emulator/src/emulator';
import { QUICKPHONE_PROJECT } from './lib/emulator-plugin';
import { chinaDay } from '../cloudfunctions/_shared/domain/china-time';
import { percentile } from './bench';

const DAY_MS = 24 * 3600 * 1000;
const APPID = 'wx5eed1e0c0ffee001';
const ADMIN = 'o_scale_admin';

interface Figures {
  p50: number;
  p95: number;
  examined: number;
  unindexed: number;
}

/** One year of charges, newest first by index (charge i is i steps before now), all counted. */
function seed(charges: number, users: number, now: number) {
  const step = Math.max(1, Math.floor((365 * DAY_MS) / charges));
  const phoneCharges: Array<Record<string, unknown>> = new Array(charges);
  const counters = new Map<string, { _id: string; day: string; kind: 'quick' | 'realtime'; count: number }>();
  for (let i = 0; i < charges; i++) {
    const at = new Date(now - DAY_MS / 24 - i * step);
    const kind = i % 4 === 0 ? 'realtime' : 'quick';
    const day = chinaDay(at);
    const openid = `o_u_${i % users}`;
    phoneCharges[i] = {
      _id: `c_${String(i).padStart(8, '0')}`,
      appid: APPID,
      openid,
      kind,
      costFen: kind === 'quick' ? 3 : 4,
      chargedAt: at,
      day,
      month: day.slice(0, 7),
      exchange: 'ok',
      failure: null,
      errcode: null,
      attempts: 1,
      leaseUntil: at,
      billable: true,
      maybeUsed: false,
      counted: true,
      phoneMasked: '138****0000',
    };
    const id = `${day}:${kind}`;
    const c = counters.get(id) ?? { _id: id, day, kind, count: 0 };
    c.count += 1;
    counters.set(id, c);
  }
  const created = new Date(now - 400 * DAY_MS);
  const userDocs = Array.from({ length: users }, (_, i) => ({
    _id: `o_u_${i}`,
    _openid: `o_u_${i}`,
    appid: APPID,
    createdAt: created,
    updatedAt: created,
    phone: null,
  }));
  return { phoneCharges, userDocs, usageDaily: [...counters.values()], step };
}

async function measureAt(charges: number, users: number, runs: number, functionsDir: string): Promise<Record<string, Figures>> {
  const now = Date.now();
  const emulator = new Emulator({ ...QUICKPHONE_PROJECT, port: 0, dataDir: null, env: {}, functionsDir, strictIndexes: true });
  const url = await emulator.start();
  const t0 = performance.now();
  const { phoneCharges, userDocs, usageDaily, step } = seed(charges, users, now);
  emulator.importState({
    version: 1,
    collections: {
      phone_charges: phoneCharges as never,
      users: userDocs as never,
      usage_daily: usageDaily as never,
      admins: [{ _id: ADMIN, addedBy: 'bench', addedAt: new Date(now - DAY_MS) }] as never,
    },
    phoneCodes: [],
  });
  const seedMs = performance.now() - t0;
  console.error(`  seeded ${charges} charges, ${users} users in ${(seedMs / 1000).toFixed(1)} s`);

  const invoke = async (fn: string, data: Record<string, unknown>, openid: string) => {
    const res = await fetch(`${url}/v1/functions/${fn}/invoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ data, context: { OPENID: openid } }),
    });
    const body = (await res.json()) as { result?: { ok?: boolean } };
    if (!body.result?.ok) throw new Error(`${fn}.${String(data.$url)} failed: ${JSON.stringify(body).slice(0, 500)}`);
    return body.result;
  };
  const totals = () => {
    let examined = 0;
    let unindexed = 0;
    for (const q of Object.values(emulator.store.queryStats())) {
      examined += q.examined;
      unindexed += q.unindexed;
    }
    return { examined, unindexed };
  };
  /** Warm once, then `n` timed runs of `run(i)`: latency percentiles and examined per call. */
  const measure = async (n: number, run: (i: number) => Promise<unknown>): Promise<Figures> => {
    await run(-1);
    const before = totals();
    const times: number[] = [];
    for (let i = 0; i < n; i++) {
      const s = performance.now();
      await run(i);
      times.push(performance.now() - s);
    }
    const after = totals();
    times.sort((a, b) => a - b);
    const round = (x: number) => Math.round(x * 10) / 10;
    return {
      p50: round(percentile(times, 50)),
      p95: round(percentile(times, 95)),
      examined: round((after.examined - before.examined) / n),
      unindexed: after.unindexed - before.unindexed,
    };
  };

  const deep = Math.floor(charges / 2);
  const deepCursor = Buffer.from(
    JSON.stringify({ at: new Date(now - DAY_MS / 24 - deep * step).toISOString(), id: `c_${String(deep).padStart(8, '0')}` }),
  ).toString('base64url');
  const user = (i: number) => `o_u_${(i + 7) % users}`;
  const out: Record<string, Figures> = {};
  out['auth.session'] = await measure(runs, (i) => invoke('auth', { $url: 'session' }, user(i)));
  out['auth.bindPhone'] = await measure(runs, async (i) => {
    const openid = user(1000 + i);
    const code = emulator.sandbox.mint({ phoneNumber: `139${String(i + 2).padStart(8, '0')}`, openid }).code;
    return invoke('auth', { $url: 'bindPhone', code, kind: 'quick' }, openid);
  });
  out['usage.summary'] = await measure(runs, () => invoke('admin', { $url: 'usage.summary' }, ADMIN));
  out['usage.list (first page)'] = await measure(runs, () => invoke('admin', { $url: 'usage.list' }, ADMIN));
  out[`usage.list (page at ${deep.toLocaleString('en')})`] = await measure(runs, () =>
    invoke('admin', { $url: 'usage.list', cursor: deepCursor }, ADMIN),
  );
  out['quota.status'] = await measure(runs, () => invoke('admin', { $url: 'quota.status' }, ADMIN));
  out['cron (hourly)'] = await measure(Math.max(3, Math.floor(runs / 4)), async () => {
    const res = await fetch(`${url}/v1/functions/cron/triggers/hourly`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
    });
    if (!res.ok) throw new Error(`cron failed: HTTP ${res.status}`);
  });
  await emulator.stop();
  return out;
}

export async function scaleBench(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      scale: { type: 'boolean' },
      charges: { type: 'string', default: '1000000' },
      users: { type: 'string', default: '100000' },
      runs: { type: 'string', default: '20' },
    },
  });
  const charges = Number(values.charges);
  const users = Number(values.users);
  const runs = Number(values.runs);
  if (!(charges >= 1000 && users >= 1000 && runs >= 1)) throw new Error('--charges and --users: at least 1000; --runs: at least 1');
  const functionsDir = process.env.BENCH_FUNCTIONS_DIR ?? BUILD_DIR;
  if (!process.env.BENCH_FUNCTIONS_DIR) await buildAll();
  const small = await measureAt(1000, 1000, runs, functionsDir);
  const large = await measureAt(charges, users, runs, functionsDir);
  const label = `${charges.toLocaleString('en')} charges / ${users.toLocaleString('en')} users`;
  console.log(`\n| call | 1,000 charges: p50 / p95 ms | examined per call | ${label}: p50 / p95 ms | examined per call |`);
  console.log('| --- | --- | --- | --- | --- |');
  const smallRows = Object.entries(small);
  Object.entries(large).forEach(([name, l], k) => {
    const [, s] = smallRows[k]!;
    const un = (f: Figures) => (f.unindexed ? ` (${f.unindexed} unindexed)` : '');
    console.log(
      `| ${name.replace(/ \(page at .*\)/, ' (deep page)')} | ${s.p50} / ${s.p95} | ${s.examined}${un(s)} | ${l.p50} / ${l.p95} | ${l.examined}${un(l)} |`,
    );
  });
  const file = join(PROJECT_ROOT, 'bench', 'scale.json');
  mkdirSync(join(PROJECT_ROOT, 'bench'), { recursive: true });
  writeFileSync(
    file,
    JSON.stringify(
      { at: new Date().toISOString(), runs, small: { charges: 1000, users: 1000, calls: small }, large: { charges, users, calls: large } },
      null,
      2,
    ) + '\n',
  );
  console.log(`\nwritten to ${file}`);
}
