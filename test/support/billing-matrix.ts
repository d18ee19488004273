/**
 * The billing fault matrix (issue 10), shared by `test/billing-invariants.test.ts`
 * and `npm run soak`: many users sending real codes (some twice at once), strangers
 * sending other users' codes first, attackers and users sending junk, random database
 * and WeChat faults, then one cron run. Seeded, so a failing seed replays the same
 * plan (the interleaving of concurrent requests still varies; the invariants must
 * hold for every one). Returns the figures and every invariant that did not hold.
 */
import type { EmulatorClient } from './emulator';
import { callData, callRoute, fireHourlyTimer } from './envelope';
import { seeded } from '../../packages/cloudbase-emulator/src/faults';
import { DEFAULT_APPID } from '../../packages/cloudbase-emulator/src/emulator';
import { chargeId } from '../../cloudfunctions/_shared/domain/charge';

interface Charge {
  _id: string;
  openid: string;
  firstSentBy?: string | null;
  kind: 'quick' | 'realtime';
  exchange: string;
  billable: boolean | null;
  counted: boolean | null;
}
interface User {
  _id: string;
  phone: { phoneNumber: string } | null;
}
interface WeChatCharges {
  total: number;
  byKind: { quick: number; realtime: number };
  codes: Array<{ code: string; kind: 'quick' | 'realtime'; openid: string | null; exchanges: number; used: boolean }>;
}

interface MatrixOptions {
  seed: number;
  users: number;
  attackers: number;
  /** An admin openid (ADMIN_OPENIDS of the emulator). */
  boss: string;
  /** The emulator's PHONE_CODE_FAILURES_PER_USER_PER_DAY. */
  limit: number;
  /**
   * Database writes that fail after landing (the emulator's `answerLost`), as a timeout
   * does, instead of failing before: every other database write fault. Off by default,
   * so a seed replays the plan it always did.
   */
  lostAnswers?: boolean;
}

export interface MatrixFigures {
  seed: number;
  /** WeChat's bill: codes minted (each one a tap WeChat charged for). */
  billed: number;
  counted: number;
  usage: number;
  summary: number;
  records: number;
  sends: number;
  junkSent: number;
  faults: number;
  refusedForLimit: number;
  recountedByCron: number;
  finishedByCron: number;
  ms: number;
}

/** The emulator's seeded generator (mulberry32): a seed replays a run. */
export const rng = seeded;

/** Database and WeChat faults on the charge path. Timeouts are left out: an unanswered exchange of junk counts by design. */
const FAULT_TARGETS = [
  'db:insertDocument:phone_charges',
  'db:getDocument:phone_charges',
  'db:modifyDocument:phone_charges',
  'db:modifyDocument:usage_daily',
  'db:insertDocument:usage_daily',
  'db:getDocument:users',
  'db:modifyDocument:users',
  'db:getDocument:settings',
  'openapi:phonenumber.getPhoneNumber',
];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** A code shaped like WeChat's that WeChat never issued. */
const junk = (n: number) => `${'f'.repeat(40)}${String(n).padStart(8, '0')}`;

export async function runMatrix(em: EmulatorClient, options: MatrixOptions): Promise<{ figures: MatrixFigures; violations: string[] }> {
  const started = Date.now();
  const { seed, boss, limit } = options;
  const random = rng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  let sends = 0;
  const bind = (code: string, openid: string) => {
    sends += 1;
    return callRoute(em, 'auth', 'bindPhone', { code }, openid);
  };
  /** The mini program: the same code again on UPSTREAM_UNAVAILABLE or WECHAT_THROTTLED. */
  const sendLikeTheClient = async (code: string, openid: string) => {
    let answer = await bind(code, openid);
    for (
      let i = 0;
      i < 12 && !answer.ok && (answer.error.code === 'UPSTREAM_UNAVAILABLE' || answer.error.code === 'WECHAT_THROTTLED');
      i++
    ) {
      await sleep(20 + Math.floor(random() * 60));
      answer = await bind(code, openid);
    }
    return answer;
  };

  const owners = Array.from({ length: options.users }, (_, i) => `o_m${seed}_${String(i).padStart(4, '0')}`);
  const attackers = Array.from({ length: options.attackers }, (_, i) => `o_x${seed}_${i}`);
  const kinds = new Map(owners.map((o) => [o, random() < 0.3 ? ('realtime' as const) : ('quick' as const)]));
  // Each owner opened a session that showed them their kind of button.
  for (const o of owners)
    await em.http('PUT', `/v1/db/users/${o}`, {
      _openid: o,
      appid: null,
      phone: null,
      phoneOffer: { kind: kinds.get(o), at: new Date().toISOString() },
    });
  const codesPerOwner = new Map(owners.map((o) => [o, random() < 0.25 ? 2 : 1]));
  const realTotal = [...codesPerOwner.values()].reduce((a, b) => a + b, 0);
  // A daily cap one above the real charges: a single counted junk code would trip it.
  await callData(em, 'admin', 'settings.update', { version: 0, patch: { phoneCapture: { dailyCap: realTotal + 1 } } }, boss);

  let faults = 0;
  const addFaults = async () => {
    for (let i = 0; i < 3; i++) {
      const target = pick(FAULT_TARGETS);
      // Drawn without the generator: a lost answer must not change the seed's plan.
      const lost = options.lostAnswers === true && faults % 2 === 0 && !target.startsWith('db:get');
      const spec = target.startsWith('openapi')
        ? { errcode: pick([-1, -1, 45011]) }
        : { errcode: 1, ...(lost ? { answerLost: true } : {}) };
      await em.http('POST', '/v1/faults', { target, times: 1 + Math.floor(random() * 2), ...spec });
      faults += 1;
    }
  };
  const lastNumber = new Map<string, string>();
  /** Every code each owner was issued, to find its record and WeChat's entry in the violation report. */
  const codesOf = new Map<string, string[]>();
  /** What each owner's last code last answered, and its record id prefix, for the violation report. */
  const lastAnswer = new Map<string, string>();
  let junkSent = 0;
  let refusedForLimit = 0;
  let serial = 0;
  const jobs: Array<Promise<unknown>> = [];
  for (const owner of owners) {
    jobs.push(
      (async () => {
        await sleep(Math.floor(random() * 200));
        for (let c = 0; c < codesPerOwner.get(owner)!; c++) {
          const phoneNumber = `139${String(seed % 100).padStart(2, '0')}${String(serial++).padStart(6, '0')}`;
          const code = await em.mintCode({ phoneNumber, openid: owner, kind: kinds.get(owner) });
          lastNumber.set(owner, phoneNumber);
          codesOf.set(owner, [...(codesOf.get(owner) ?? []), code]);
          const sent: Array<Promise<unknown>> = [];
          // A stranger sometimes sends the code first, or at the same time.
          if (random() < 0.2) sent.push(sendLikeTheClient(code, pick(attackers)));
          if (random() < 0.25) await addFaults();
          const copies = random() < 0.3 ? 2 : 1; // a double tap on a slow network
          for (let k = 0; k < copies; k++) sent.push(sendLikeTheClient(code, owner));
          await Promise.all(sent);
          // Still no answer (faults outlasting the retries): "重新提交" sends it again.
          for (let k = 0; k < 3; k++) {
            const final = await sendLikeTheClient(code, owner);
            lastAnswer.set(owner, final.ok ? 'ok' : `${final.error.code}: ${final.error.message}`);
            if (final.ok) break;
          }
        }
        // Some real users send junk too (below their limit).
        if (random() < 0.2) {
          junkSent += 1;
          await bind(junk(Math.floor(random() * 1e8)), owner);
        }
      })(),
    );
  }
  for (const attacker of attackers) {
    jobs.push(
      (async () => {
        for (let i = 0; i < limit + 3; i++) {
          junkSent += 1;
          const res = await bind(junk(Math.floor(random() * 1e8)), attacker);
          if (!res.ok && res.error.code === 'RATE_LIMITED') refusedForLimit += 1;
          if (random() < 0.3) await addFaults();
        }
      })(),
    );
  }
  await Promise.all(jobs);
  await em.http('DELETE', '/v1/faults');

  const cron = await fireHourlyTimer(em);
  if (!cron.ok) throw new Error(`cron failed: ${cron.error.code}`);
  const bill = (await em.http<WeChatCharges>('GET', '/v1/wechat/charges')).body;
  const records = await em.docs<Charge>('phone_charges');
  const usage = await em.docs<{ kind: string; count: number }>('usage_daily');
  const summary = await callRoute(em, 'admin', 'usage.summary', {}, boss);
  const settings = await callRoute(em, 'admin', 'settings.get', {}, boss);
  if (!summary.ok || !settings.ok) throw new Error('admin reads failed');
  const counted = records.filter((r) => r.counted === true);

  const userDocs = await em.docs<User>('users');
  const violations: string[] = [];
  for (const kind of ['quick', 'realtime'] as const) {
    const billed = bill.byKind[kind];
    const c = counted.filter((r) => r.kind === kind).length;
    const u = usage.filter((d) => d.kind === kind).reduce((s, d) => s + d.count, 0);
    const sm = summary.data.totals[kind];
    if (c !== billed || u !== billed || sm !== billed)
      violations.push(
        `${kind}: WeChat billed ${billed}, counted records ${c}, usage_daily ${u}, summary ${sm}`,
        ...uncountedEvidence(kind, bill, records, userDocs),
      );
  }
  for (const owner of owners) {
    const user = userDocs.find((u) => u._id === owner);
    const phone = user?.phone?.phoneNumber;
    if (phone !== lastNumber.get(owner))
      violations.push(
        `${owner} has ${mask(phone)}, was issued ${mask(lastNumber.get(owner))}; last answer ${lastAnswer.get(owner)}`,
        ...ownerEvidence(owner, codesOf.get(owner) ?? [], records, user, bill),
      );
  }
  for (const u of userDocs) if (u.phone && !owners.includes(u._id)) violations.push(`${u._id} got a number without a code of their own`);
  if (settings.data.breaker.tripped) violations.push(`breaker tripped: ${settings.data.breaker.reason}`);
  for (const r of records) {
    if (r.exchange === 'pending')
      violations.push(`record ${r._id.slice(0, 8)} still pending after cron: ${JSON.stringify({ ...r, _id: undefined })}`);
    if (r.counted === true && r.billable !== true) violations.push(`record ${r._id.slice(0, 8)} counted but not billable`);
  }
  return {
    violations,
    figures: {
      seed,
      billed: bill.total,
      counted: counted.length,
      usage: usage.reduce((s, d) => s + d.count, 0),
      summary: summary.data.totals.quick + summary.data.totals.realtime,
      records: records.length,
      sends,
      junkSent,
      faults,
      refusedForLimit,
      recountedByCron: cron.data.recounted,
      finishedByCron: (cron.data.finished?.bound ?? 0) + (cron.data.finished?.refused ?? 0) + (cron.data.finished?.unknown ?? 0),
      ms: Date.now() - started,
    },
  };
}

/** A number as the product shows it (first 3 and last 4 digits): the report never prints one whole. */
const mask = (phone: string | undefined) => (phone ? `${phone.slice(0, 3)}****${phone.slice(-4)}` : 'no number');

/** Each code WeChat billed at `kind` whose record is not counted at it, with its evidence. */
function uncountedEvidence(kind: 'quick' | 'realtime', bill: WeChatCharges, records: Charge[], users: User[]): string[] {
  const countedIds = new Set(records.filter((r) => r.counted === true && r.kind === kind).map((r) => r._id));
  const missing = bill.codes.filter((c) => c.kind === kind && !countedIds.has(chargeId(DEFAULT_APPID, c.code)));
  return missing.flatMap((c) => [
    `  billed at ${kind}, not counted at it: issued to ${c.openid ?? 'nobody'}`,
    ...codeEvidence(
      [c.code],
      records,
      bill,
      users.find((u) => u._id === c.openid),
    ),
  ]);
}

/**
 * What a broken owner invariant needs to be explained: for each of the owner's codes,
 * WeChat's entry (exchanges, used) and the record wherever it ended — under the owner,
 * a stranger or a first sender — plus the owner's other records and user document.
 */
function ownerEvidence(owner: string, codes: string[], records: Charge[], user: User | undefined, bill: WeChatCharges): string[] {
  const ids = new Set(codes.map((c) => chargeId(DEFAULT_APPID, c)));
  const others = records.filter((r) => (r.openid === owner || r.firstSentBy === owner) && !ids.has(r._id));
  return [
    ...others.map((r) => `  other record ${r._id.slice(0, 8)} ${JSON.stringify({ ...r, _id: undefined })}`),
    ...codeEvidence(codes, records, bill, user),
  ];
}

/** Each code's WeChat entry and record (wherever it ended), then the user document, numbers masked. */
function codeEvidence(codes: string[], records: Charge[], bill: WeChatCharges, user: User | undefined): string[] {
  const lines = codes.map((code) => {
    const id = chargeId(DEFAULT_APPID, code);
    const wechat = bill.codes.find((c) => c.code === code);
    const record = records.find((r) => r._id === id);
    const entry = wechat ? { exchanges: wechat.exchanges, used: wechat.used } : null;
    return `  code …${code.slice(-6)}: WeChat ${JSON.stringify(entry)}; record ${id.slice(0, 8)} ${JSON.stringify(record ? { ...record, _id: undefined } : null)}`;
  });
  // Every mainland number in it (phoneNumber, purePhoneNumber) masked; hex ids left alone.
  lines.push(`  user ${JSON.stringify(user ?? null).replace(/(?<![0-9a-f])1\d{10}(?![0-9a-f])/g, (n) => mask(n))}`);
  return lines;
}
