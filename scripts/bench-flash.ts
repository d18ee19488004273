/**
 * `npm run bench -- --flash`: a flash crowd against the emulator. N new users each
 * open the app (`auth.session`), tap the phone button (a code minted: one WeChat
 * charge) and bind (`auth.bindPhone`), `--concurrency` of them in flight; a client
 * resends the same code when told to (UPSTREAM_UNAVAILABLE, RATE_LIMITED,
 * WECHAT_THROTTLED, INTERNAL, or a failed call), as the mini program does, and stops at
 * PHONE_CODE_INVALID. Then ONE cron run, and the billing invariants:
 *
 * - every code WeChat exchanged is counted, and only those (by record id, sha256(appid:code));
 * - usage_daily equals the counted records; nothing owed or pending is left after the run;
 * - every other billed tap is explained by its record (refused, unknown, …) or was never sent;
 * - nobody is bound twice or to another user's number.
 *
 * Profiles (`--profile clean|stress|both`, default both):
 *   clean   no faults
 *   stress  12% database write errors (insert and update), WeChat busy (-1) 8%,
 *           throttled (45011) 2%, slow (1–6 s) 8% — seeded (`--seed`, default 3)
 *
 *   --users N (1000)  --concurrency N (100)  --containers N (per function; default the emulator's)
 *
 * Prints throughput, p50/p95/p99 of each call, the outcome counts and every violation;
 * exits 1 when an invariant does not hold.
 */
import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';
import { buildAll } from './build';
import { DEFAULT_CONTAINERS_PER_FUNCTION, Emulator } from '../packages/cloudbase-emulator/src/emulator';
import { QUICKPHONE_PROJECT } from './lib/emulator-plugin';
import { loadavg } from 'node:os';

interface Envelope {
  ok: boolean;
  data?: { phoneMasked?: string };
  error?: { code: string; message: string };
}
interface ChargeDoc {
  _id: string;
  openid: string;
  exchange: string;
  failure: string | null;
  billable: boolean | null;
  counted: boolean | null;
  notCounted: string | null;
  leaseUntil: string;
}

// FUNCTION_FAILED: the call itself failed (a timeout, a lost connection): the client retries the same code.
const RESEND_CODES = new Set(['UPSTREAM_UNAVAILABLE', 'RATE_LIMITED', 'WECHAT_THROTTLED', 'INTERNAL', 'FUNCTION_FAILED']);
const MAX_SENDS = 6;

function stressFaults(seed: number) {
  return [
    { target: 'db:insertDocument', errcode: 1, rate: 0.12, seed },
    { target: 'db:modifyDocument', errcode: 1, rate: 0.12, seed: seed + 1 },
    { target: 'openapi:phonenumber.getPhoneNumber', errcode: -1, rate: 0.08, seed: seed + 2 },
    { target: 'openapi:phonenumber.getPhoneNumber', errcode: 45011, rate: 0.02, seed: seed + 3 },
    { target: 'openapi:phonenumber.getPhoneNumber', delayMs: 1000, delayMaxMs: 6000, rate: 0.08, seed: seed + 4 },
  ];
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function timings(ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  return `p50 ${percentile(s, 50)} ms, p95 ${percentile(s, 95)} ms, p99 ${percentile(s, 99)} ms (${s.length} calls)`;
}

async function json<T>(url: string, method: string, body?: unknown): Promise<T> {
  const res = await fetch(url, {
    method,
    // The emulator's /v1 API takes JSON only, bodiless POSTs included (its cross-site guard).
    headers: method === 'GET' ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return (await res.json()) as T;
}

export interface FlashResult {
  profile: string;
  seed: number;
  users: number;
  concurrency: number;
  seconds: number;
  bindsPerSecond: number;
  session: string;
  bindPhone: string;
  outcomes: { [k: string]: number };
  violations: string[];
}

async function crowd(
  emu: Emulator,
  url: string,
  profile: 'clean' | 'stress',
  opts: { users: number; concurrency: number; seed: number; containers: number },
) {
  await json(`${url}/v1/reset`, 'POST');
  const invoke = (data: object, openid: string) =>
    json<{ result?: Envelope; error?: { code: string } }>(`${url}/v1/functions/auth/invoke`, 'POST', {
      data,
      context: { OPENID: openid },
    }).then((r) => r.result ?? { ok: false, error: { code: 'FUNCTION_FAILED', message: r.error?.code ?? '' } });
  const sessionMs: number[] = [];
  const bindMs: number[] = [];
  const outcomes: { [k: string]: number } = {};
  const note = (k: string): void => {
    outcomes[k] = (outcomes[k] ?? 0) + 1;
  };
  const minted = new Map<string, { code: string; phone: string }>();

  async function user(i: number): Promise<void> {
    const openid = `o_flash_${i}`;
    const phone = `139${String(i).padStart(8, '0')}`;
    for (let tries = 1; ; tries++) {
      const t0 = Date.now();
      const s = await invoke({ $url: 'session' }, openid);
      sessionMs.push(Date.now() - t0);
      if (s.ok) break;
      note(`session ${s.error?.code}`);
      if (tries >= 3) return;
      await pause(200 * tries);
    }
    const { code } = await json<{ code: string }>(`${url}/v1/wechat/phone-codes`, 'POST', { phoneNumber: phone, openid });
    minted.set(openid, { code, phone });
    for (let send = 1; send <= MAX_SENDS; send++) {
      const t0 = Date.now();
      const b = await invoke({ $url: 'bindPhone', code }, openid);
      bindMs.push(Date.now() - t0);
      if (b.ok) {
        note(send === 1 ? 'bound at the first send' : 'bound after a resend');
        return;
      }
      note(`bindPhone ${b.error?.code}`);
      if (!RESEND_CODES.has(b.error?.code ?? '')) return;
      await pause(500 * send);
    }
    note('gave up resending');
  }

  // Warm: as many auth and cron containers as the crowd will use, started before the clock runs.
  const warm = Math.min(opts.concurrency, opts.containers);
  await Promise.all(Array.from({ length: warm }, (_, i) => invoke({ $url: 'session' }, `o_warm_${i}`)));
  await json(`${url}/v1/functions/cron/triggers/hourly`, 'POST');
  await json(`${url}/v1/reset`, 'POST');
  if (profile === 'stress') for (const f of stressFaults(opts.seed)) await json(`${url}/v1/faults`, 'POST', f);

  const started = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: opts.concurrency }, async () => {
      while (next < opts.users) await user(next++);
    }),
  );
  const seconds = (Date.now() - started) / 1000;
  await json(`${url}/v1/faults`, 'DELETE');

  // One cron run, past every lease (a record's lease is 15 s: move the clock, not the wall).
  clockOffset += 60_000;
  const cron = await json<{ result: { ok: boolean; data?: unknown; error?: unknown } }>(`${url}/v1/functions/cron/triggers/hourly`, 'POST');
  const violations: string[] = [];
  if (!cron.result.ok) violations.push(`cron failed: ${JSON.stringify(cron.result.error)}`);

  const { codes } = await json<{ codes: Array<{ code: string; openid: string; used: boolean }> }>(`${url}/v1/wechat/charges`, 'GET');
  const records = new Map((await json<{ docs: ChargeDoc[] }>(`${url}/v1/db/phone_charges`, 'GET')).docs.map((r) => [r._id, r]));
  const usage = (await json<{ docs: Array<{ count: number }> }>(`${url}/v1/db/usage_daily`, 'GET')).docs.reduce((n, d) => n + d.count, 0);
  const users = (await json<{ docs: Array<{ _id: string; phone: { phoneNumber: string } | null }> }>(`${url}/v1/db/users`, 'GET')).docs;

  const idOf = (code: string) => createHash('sha256').update(`${emu.appid}:${code}`).digest('hex');
  let exchanged = 0;
  const explained: { [k: string]: number } = {};
  for (const c of codes) {
    const r = records.get(idOf(c.code));
    if (c.used) exchanged += 1;
    if (c.used && r?.counted !== true)
      violations.push(`exchanged, not counted: ${c.openid} (${r ? `${r.exchange}/${r.failure}/${r.notCounted}` : 'no record'})`);
    if (!c.used && r?.counted === true) violations.push(`counted, never exchanged: ${c.openid}`);
    if (!c.used) {
      const why = r ? `not exchanged: ${r.exchange}/${r.failure ?? '-'}/${r.notCounted ?? '-'}` : 'never sent';
      explained[why] = (explained[why] ?? 0) + 1;
    }
  }
  const counted = [...records.values()].filter((r) => r.counted === true).length;
  if (counted !== usage) violations.push(`usage_daily ${usage} ≠ counted records ${counted}`);
  for (const r of records.values()) {
    if (r.billable === true && r.counted !== true) violations.push(`owed after the cron run: ${r.openid}`);
    if (r.exchange === 'pending') violations.push(`pending after the cron run: ${r.openid}`);
  }
  const owners = new Map<string, string>();
  for (const u of users) {
    if (!u.phone) continue;
    const mine = minted.get(u._id);
    if (mine?.phone !== u.phone.phoneNumber) violations.push(`${u._id} bound to a number not minted for them`);
    if (owners.has(u.phone.phoneNumber)) violations.push(`${u.phone.phoneNumber.slice(0, 3)}**** bound to two users`);
    owners.set(u.phone.phoneNumber, u._id);
  }
  const bound = users.filter((u) => u.phone).length;
  return {
    profile,
    seed: opts.seed,
    users: opts.users,
    concurrency: opts.concurrency,
    seconds: Math.round(seconds * 10) / 10,
    bindsPerSecond: Math.round((bound / seconds) * 10) / 10,
    session: timings(sessionMs),
    bindPhone: timings(bindMs),
    outcomes: {
      'billed (codes minted)': codes.length,
      'exchanged by WeChat': exchanged,
      'counted records': counted,
      usage_daily: usage,
      'users bound': bound,
      ...outcomes,
      ...explained,
    },
    violations,
  } satisfies FlashResult;
}

/** How far the run has moved the emulator's clock (cron runs past every lease). */
let clockOffset = 0;

export async function flashBench(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv.filter((a) => a !== '--flash'),
    options: {
      users: { type: 'string', default: '1000' },
      concurrency: { type: 'string', default: '100' },
      seed: { type: 'string', default: '3' },
      profile: { type: 'string', default: 'both' },
      containers: { type: 'string' },
      'no-build': { type: 'boolean', default: false },
    },
  });
  const containers = values.containers ? Number(values.containers) : DEFAULT_CONTAINERS_PER_FUNCTION;
  const opts = { users: Number(values.users), concurrency: Number(values.concurrency), seed: Number(values.seed), containers };
  const profiles = values.profile === 'both' ? (['clean', 'stress'] as const) : [values.profile as 'clean' | 'stress'];
  if (!values['no-build']) await buildAll();
  const emu = new Emulator({
    ...QUICKPHONE_PROJECT,
    port: 0,
    dataDir: null,
    clock: () => Date.now() + clockOffset,
    maxContainersPerFunction: containers,
    env: { ...process.env, QUICKPHONE_LOG: 'off' },
  });
  const url = await emu.start();
  let failed = false;
  try {
    for (const profile of profiles) {
      const r = await crowd(emu, url, profile, opts);
      console.log(
        `\n${profile}: ${r.users} users, ${r.concurrency} in flight, ${containers} containers per function, seed ${r.seed} (load average ${loadavg()[0]!.toFixed(1)})`,
      );
      console.log(`  ${r.seconds} s, ${r.bindsPerSecond} binds/s`);
      console.log(`  session    ${r.session}`);
      console.log(`  bindPhone  ${r.bindPhone}`);
      for (const [k, v] of Object.entries(r.outcomes)) console.log(`  ${k.padEnd(44)} ${v}`);
      console.log(`  violations after one cron run: ${r.violations.length}`);
      for (const v of r.violations.slice(0, 30)) console.log(`    ${v}`);
      if (r.violations.length) failed = true;
    }
  } finally {
    await emu.stop();
  }
  if (failed) process.exitCode = 1;
}
