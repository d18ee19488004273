/**
 * The emulator's web console, on the emulator's own loopback port: `GET /` is the page,
 * `/console/app.js` its script (bundled from ./client by esbuild on first request,
 * kept in memory), `/console/api/...` the JSON the page needs beyond the emulator's
 * `/v1` API, and `/console/api/events` the live invocation log (server-sent events).
 *
 * Everything this file answers is masked (./mask.ts): the page never holds a raw phone
 * number. The billing view reuses what exists — WeChat's sandbox ledger and usage, the
 * `phone_charges` and `usage_daily` collections, and the admin function's
 * `usage.summary`, `quota.status` and `settings.get` routes called as an admin — and
 * only lines them up. See docs/emulator.md "Console".
 */
import { EJSON } from 'bson';
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { chargeId } from '../../../../cloudfunctions/_shared/domain/charge';
import { fenToYuan, PRICE_FEN } from '../../../../cloudfunctions/_shared/domain/pricing';
import type { Emulator, PersistedState } from '../emulator';
import type { OutputOf, RouteName } from '../../../../miniprogram/contract';
import { HIDDEN_BECAUSE_TEXT } from '../../../../miniprogram/services/hidden-because';
import type { AdminAnswer, ConsoleBilling, ConsoleCall, ConsoleOverview, ConsolePage, ConsolePlay, PlayStep } from './api';
import { checkLocalJsonRequest, HttpError, readBody, readJsonObject, sendJson } from '../http-util';
import type { PhoneKind } from '../wechat/phone-sandbox';
import { usageAnswer } from '../wechat/usage-ledger';
import { maskDeep, restoreMasked } from './mask';

const KINDS: PhoneKind[] = ['quick', 'realtime'];
const MAX_PAGE = 200;
const MAINLAND_MOBILE = /^1[3-9]\d{9}$/;

let bundle: Promise<string> | null = null;

/** The client script, built once per process (about 20 ms). */
function clientBundle(): Promise<string> {
  bundle ??= build({
    entryPoints: [join(__dirname, 'client', 'main.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    logLevel: 'silent',
  }).then((r) => r.outputFiles[0]!.text);
  bundle.catch(() => {
    bundle = null;
  });
  return bundle;
}

function send(res: ServerResponse, type: string, body: string | Buffer, extra: Record<string, string> = {}): void {
  res.writeHead(200, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store', ...extra });
  res.end(body);
}

/** JSON with dates as `{ "$date": … }` (what PUT /v1/db accepts back), masked. */
function sendMasked(res: ServerResponse, value: unknown): void {
  sendJson(res, 200, maskDeep(EJSON.serialize(value, { relaxed: true })));
}

export async function serveConsole(emu: Emulator, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const path = url.pathname;
  if (req.method === 'GET' && path === '/')
    return send(res, 'text/html; charset=utf-8', readFileSync(join(__dirname, 'client', 'index.html')));
  if (req.method === 'GET' && path === '/console/app.js') return send(res, 'text/javascript; charset=utf-8', await clientBundle());
  checkLocalJsonRequest(req);
  const route = `${req.method} ${path}`;
  if (route === 'GET /console/api/overview') return sendMasked(res, overview(emu));
  if (route === 'GET /console/api/events') return streamEvents(emu, req, res);
  if (route === 'GET /console/api/billing') return sendMasked(res, await billing(emu, url.searchParams.get('admin')));
  if (route === 'GET /console/api/faults') return sendMasked(res, { faults: emu.faults.list() });
  if (route === 'POST /console/api/invoke') return sendMasked(res, await invoke(emu, await readJsonObject(req)));
  if (route === 'POST /console/api/play') return sendMasked(res, await play(emu, await readJsonObject(req)));
  if (route === 'GET /console/api/export') {
    const name = `quickphone-export-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
    return send(res, 'application/json; charset=utf-8', EJSON.stringify(emu.exportState(), undefined, 1, { relaxed: true }), {
      'content-disposition': `attachment; filename="${name}"`,
    });
  }
  if (route === 'POST /console/api/import') {
    let state: PersistedState;
    try {
      state = EJSON.parse((await readBody(req)).toString('utf8'), { relaxed: true }) as PersistedState;
      emu.importState(state);
    } catch (err) {
      throw new HttpError(400, 'INVALID_ARGUMENT', `import: ${(err as Error).message}`);
    }
    return sendJson(res, 200, { collections: Object.keys(state.collections).length, phoneCodes: state.phoneCodes?.length ?? 0 });
  }
  if (route === 'GET /console/api/db')
    return sendMasked(res, {
      collections: emu.store.collectionNames().map((name) => ({ name, count: emu.store.find(name, {}, UNTRACKED).length })),
    });
  const db = /^\/console\/api\/db\/([^/]+)(?:\/([^/]+))?$/.exec(path);
  if (db) {
    const collection = decodeURIComponent(db[1]!);
    if (req.method === 'GET' && !db[2]) return sendMasked(res, page(emu, collection, url.searchParams));
    if (req.method === 'PUT' && db[2])
      return sendMasked(res, putDocument(emu, collection, decodeURIComponent(db[2]), await readJsonObject(req)));
    if (req.method === 'DELETE' && db[2]) return sendMasked(res, deleteDocument(emu, collection, decodeURIComponent(db[2])));
  }
  throw new HttpError(404, 'NOT_FOUND', `no console route for ${req.method} ${path}`);
}

// ---- overview ------------------------------------------------------------------

/** The console's own reads are not the product's: they stay out of the query counts and strict mode. */
const UNTRACKED = { untracked: true } as const;

function adminCandidates(emu: Emulator): string[] {
  const fromEnv = (emu.envVar('ADMIN_OPENIDS') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const fromDb = emu.store.hasCollection('admins')
    ? emu.store.find('admins', {}, { sort: [['_id', 1]], untracked: true }).map((d) => String(d._id))
    : [];
  return [...new Set([...fromEnv, ...fromDb])];
}

function overview(emu: Emulator): ConsoleOverview {
  const containers = emu.containerStats();
  return {
    envId: emu.envId,
    appid: emu.appid,
    url: emu.url,
    dataDir: emu.dataDir,
    startedAt: new Date(emu.startedAt).toISOString(),
    uptimeMs: Date.now() - emu.startedAt,
    functions: emu.functionNames().map((name) => ({
      name,
      cold: containers[name]?.cold ?? 0,
      warm: containers[name]?.warm ?? 0,
      timerTriggers: emu.timerTriggers(name) ?? [],
    })),
    collections: emu.store.collectionNames().map((name) => ({ name, count: emu.store.find(name, {}, UNTRACKED).length })),
    faults: emu.faults.list().length,
    admins: adminCandidates(emu),
    queries: emu.store.queryStats(),
    unindexedQueries: emu.store.unindexedQueries(),
  };
}

function streamEvents(emu: Emulator, req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
  const write = (entry: unknown) => res.write(`data: ${JSON.stringify(entry)}\n\n`);
  for (const entry of emu.invocationLog.recent()) write(entry);
  const unsubscribe = emu.invocationLog.subscribe(write);
  const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
  ping.unref();
  req.on('close', () => {
    clearInterval(ping);
    unsubscribe();
  });
}

// ---- functions -----------------------------------------------------------------

function text(value: unknown, name: string, required = true): string | undefined {
  if (value === undefined || value === '') {
    if (required) throw new HttpError(400, 'INVALID_ARGUMENT', `${name} is required`);
    return undefined;
  }
  if (typeof value !== 'string') throw new HttpError(400, 'INVALID_ARGUMENT', `${name} must be a string`);
  return value;
}

/** Runs a function as the mini program would, `$url` = route, as the given OPENID. */
async function call(
  emu: Emulator,
  fn: string,
  route: string | undefined,
  data: Record<string, unknown>,
  openid: string | undefined,
): Promise<ConsoleCall> {
  const started = Date.now();
  const outcome = await emu.invoke(fn, route ? { ...data, $url: route } : data, openid ? { OPENID: openid } : {});
  if (outcome.notFound) throw new HttpError(404, 'FUNCTION_NOT_FOUND', `no function named "${fn}"`);
  return { ok: outcome.ok, result: outcome.result, error: outcome.ok ? undefined : outcome.error, durationMs: Date.now() - started };
}

async function invoke(emu: Emulator, body: Record<string, unknown>): Promise<ConsoleCall> {
  const fn = text(body.fn, 'fn')!;
  const data = body.data ?? {};
  if (data === null || typeof data !== 'object' || Array.isArray(data))
    throw new HttpError(400, 'INVALID_ARGUMENT', 'data must be a JSON object');
  return call(emu, fn, text(body.route, 'route', false), data as Record<string, unknown>, text(body.openid, 'openid', false));
}

/** A stable pretend number per openid, so "the same user" taps with the same phone. */
function numberFor(openid: string): string {
  const digits = BigInt(`0x${createHash('sha256').update(openid).digest('hex').slice(0, 15)}`)
    .toString()
    .padStart(8, '0')
    .slice(-8);
  return `138${digits}`;
}

type PhoneLogin = OutputOf<'auth', 'session'>['phoneLogin'];

/** What auth.session told the app about the button; null when the session failed (the app then shows no paid button). */
function phoneLoginOf(session: ConsoleCall): PhoneLogin | null {
  const envelope = session.result as Envelope | undefined;
  return envelope?.ok ? (envelope.data as OutputOf<'auth', 'session'>).phoneLogin : null;
}

/**
 * Plays the mini program's phone button for one user (components/quick-login). A tap
 * opens the app first (auth.session) and honours its answer: a hidden button is not
 * tapped, and a shown one is the component the session names. With quota left the tap
 * mints a code (WeChat charges) and sends it to auth.bindPhone; without, the button
 * fails with errno 1400001 and the client reports it. `attacker-tap` taps whatever the
 * app shows, as a modified client could: WeChat bills that code too, which is what the
 * server's checks are for. A denial is reported as such.
 */
async function play(emu: Emulator, body: Record<string, unknown>): Promise<ConsolePlay> {
  const openid = text(body.openid, 'openid')!;
  const action = body.action;
  const claimedKind = body.kind === undefined ? 'quick' : body.kind;
  if (claimedKind !== 'quick' && claimedKind !== 'realtime')
    throw new HttpError(400, 'INVALID_ARGUMENT', 'kind must be "quick" or "realtime"');
  const phoneNumber = text(body.phoneNumber, 'phoneNumber', false) ?? numberFor(openid);
  if (!MAINLAND_MOBILE.test(phoneNumber))
    throw new HttpError(400, 'INVALID_ARGUMENT', 'phoneNumber must be a mainland mobile number (11 digits starting 13–19)');
  const steps: PlayStep[] = [];
  const report = async (type: 'deny' | 'no-quota', errno: number | undefined, errMsg: string) => {
    const data: Record<string, unknown> = { type, errMsg };
    if (errno !== undefined) data.errno = errno;
    steps.push({ step: `auth.reportPhoneEvent ${type}`, ...(await call(emu, 'auth', 'reportPhoneEvent', data, openid)) });
  };
  if (action === 'tap' || action === 'attacker-tap') {
    const session = await call(emu, 'auth', 'session', {}, openid);
    steps.push({ step: 'auth.session', ...session });
    const login = phoneLoginOf(session);
    let kind: PhoneKind = claimedKind;
    if (action === 'attacker-tap') {
      const shown = login === null ? 'the app would not show' : login.show ? 'the app shows' : `the app hides ("${login.hiddenBecause}")`;
      steps.push({ step: `As an attacker would: a modified client taps the button ${shown}; WeChat bills the code all the same` });
    } else if (!login) {
      steps.push({ step: 'The app shows no paid button while auth.session fails; nothing minted, nothing charged' });
      return { openid, steps };
    } else if (!login.show) {
      const why = login.hiddenBecause ? ` (hiddenBecause "${login.hiddenBecause}": ${HIDDEN_BECAUSE_TEXT[login.hiddenBecause]})` : '';
      steps.push({ step: `The app hides the phone button${why}; nothing minted, nothing charged` });
      return { openid, steps };
    } else {
      kind = login.kind;
    }
    const minted = emu.mintPhoneCode({ phoneNumber, openid, kind, appid: emu.appid });
    if (!minted) {
      steps.push({ step: 'WeChat: button fails, errno 1400001 (no quota left), nothing charged' });
      await report('no-quota', 1400001, 'getPhoneNumber:fail no permission');
    } else {
      steps.push({ step: 'WeChat: user approved, code minted (one charge)', code: `${minted.code.slice(0, 8)}…`, phone: phoneNumber });
      steps.push({ step: 'auth.bindPhone', ...(await call(emu, 'auth', 'bindPhone', { code: minted.code, kind }, openid)) });
    }
  } else if (action === 'deny') {
    steps.push({ step: 'WeChat: user denied the sheet, nothing charged' });
    await report('deny', undefined, 'getPhoneNumber:fail user deny');
  } else if (action === 'no-quota') {
    steps.push({ step: 'WeChat: button fails, errno 1400001, nothing charged' });
    await report('no-quota', 1400001, 'getPhoneNumber:fail no permission');
  } else {
    throw new HttpError(400, 'INVALID_ARGUMENT', 'action must be "tap", "attacker-tap", "deny" or "no-quota"');
  }
  return { openid, steps };
}

// ---- data ----------------------------------------------------------------------

function page(emu: Emulator, collection: string, query: URLSearchParams): ConsolePage {
  if (!emu.store.hasCollection(collection)) throw new HttpError(404, 'COLLECTION_NOT_FOUND', `no collection "${collection}"`);
  const offset = Math.max(0, Number.parseInt(query.get('offset') ?? '0', 10) || 0);
  const limit = Math.min(MAX_PAGE, Math.max(1, Number.parseInt(query.get('limit') ?? '20', 10) || 20));
  const all = emu.store.find(collection, {}, { sort: [['_id', 1]], untracked: true });
  // Documents of one collection differ in shape (optional fields, old records): the
  // columns are every top-level field any of them has, in order of first appearance.
  const fields = [...new Set(['_id', ...all.flatMap((d) => Object.keys(d))])];
  return { collection, total: all.length, offset, limit, fields, docs: all.slice(offset, offset + limit) };
}

/** Deletes one document by _id (the console's Delete); 404 when there is none. */
function deleteDocument(emu: Emulator, collection: string, id: string): { deleted: string } {
  if (!emu.store.hasCollection(collection)) throw new HttpError(404, 'COLLECTION_NOT_FOUND', `no collection "${collection}"`);
  if (emu.store.remove(collection, { _id: id }, false) === 0) throw new HttpError(404, 'NOT_FOUND', `no document "${id}" in ${collection}`);
  return { deleted: id };
}

/** As PUT /v1/db/:collection/:id, with masked values put back to what is stored. */
function putDocument(emu: Emulator, collection: string, id: string, body: Record<string, unknown>) {
  const edited = EJSON.deserialize(body, { relaxed: true }) as Record<string, unknown>;
  if (edited._id !== undefined && edited._id !== id)
    throw new HttpError(400, 'INVALID_ARGUMENT', "the document's _id differs from the one in the path");
  const stored = emu.store.hasCollection(collection) ? emu.store.find(collection, { _id: id }, UNTRACKED)[0] : undefined;
  const doc = (stored ? restoreMasked(edited, stored) : edited) as Record<string, unknown>;
  try {
    emu.store.put(collection, { ...doc, _id: id });
  } catch (err) {
    throw new HttpError(400, 'INVALID_ARGUMENT', (err as Error).message);
  }
  return { saved: id };
}

// ---- billing -------------------------------------------------------------------

type Envelope = { ok?: boolean; data?: unknown; error?: { code?: string; message?: string } };

/** An admin route's data (as the contract types it), or its error as `{ error }` (the view shows either). */
async function adminRoute<U extends RouteName<'admin'>>(
  emu: Emulator,
  admin: string | null,
  route: U,
  data: Record<string, unknown> = {},
): Promise<AdminAnswer<OutputOf<'admin', U>>> {
  if (!admin) return { error: { code: 'NO_ADMIN', message: 'no admin OPENID: set ADMIN_OPENIDS or add one in the billing view' } };
  const outcome = await emu.invoke('admin', { ...data, $url: route }, { OPENID: admin });
  if (outcome.notFound) return { error: { code: 'FUNCTION_NOT_FOUND', message: 'no admin function' } };
  if (!outcome.ok) return { error: { code: 'FUNCTION_FAILED', message: outcome.error ?? 'function failed' } };
  const envelope = outcome.result as Envelope;
  if (envelope?.ok) return envelope.data as OutputOf<'admin', U>;
  return { error: { code: envelope?.error?.code ?? 'UNKNOWN', message: envelope?.error?.message ?? 'not an envelope' } };
}

const yuan = (calls: Record<PhoneKind, number>) => fenToYuan(calls.quick * PRICE_FEN.quick + calls.realtime * PRICE_FEN.realtime);
const zero = (): Record<PhoneKind, number> => ({ quick: 0, realtime: 0 });
const perKind = <T>(f: (kind: PhoneKind) => T): Record<PhoneKind, T> => ({ quick: f('quick'), realtime: f('realtime') });

/** A phone_charges record, read defensively: records written by older code lack the newer fields. */
interface ChargeDoc {
  _id: string;
  kind?: PhoneKind;
  exchange?: string;
  failure?: string | null;
  /** Whether WeChat billed it as far as the function can tell (null: the exchange has not settled). */
  billable?: boolean | null;
  maybeUsed?: boolean;
  counted?: boolean | null;
  /** Why it is not counted: "invalid-code", "count-failed". */
  notCounted?: string | null;
  phoneMasked?: string | null;
  chargedAt?: Date;
  openid?: string;
}

/** Whether a record is in usage_daily: true, false, or null (not known). */
function countedOf(c: ChargeDoc): boolean | null {
  return c.counted === true || c.counted === false ? c.counted : null;
}

/** Whether a record is a charge on our books; a record from before `billable` existed counts as one once exchanged. */
function billableOf(c: ChargeDoc): boolean | null {
  if (c.billable === true || c.billable === false) return c.billable;
  return c.exchange === 'ok' ? true : null;
}

function reasonOf(c: ChargeDoc): string | null {
  return typeof c.notCounted === 'string' ? c.notCounted : null;
}

async function billing(emu: Emulator, requestedAdmin: string | null): Promise<ConsoleBilling> {
  const admins = adminCandidates(emu);
  const admin = requestedAdmin || admins[0] || null;
  const docs = <T>(name: string) =>
    emu.store.hasCollection(name) ? (emu.store.find(name, {}, { sort: [['_id', 1]], untracked: true }) as unknown as T[]) : [];
  const charges = docs<ChargeDoc>('phone_charges');
  const chargesById = new Map(charges.map((c) => [c._id, c]));
  const matched = new Set<string>();

  // WeChat's side: every minted code of this mini program is one charge.
  const wechatByKind = zero();
  const wechatExchanged = zero();
  const codes = emu.sandbox
    .snapshot()
    .filter((c) => c.appid === emu.appid)
    .sort((a, b) => a.issuedAt - b.issuedAt)
    .map((c) => {
      wechatByKind[c.kind] += 1;
      if (c.used) wechatExchanged[c.kind] += 1;
      const ours = chargesById.get(chargeId(emu.appid, c.code));
      if (ours) matched.add(ours._id);
      return {
        at: new Date(c.issuedAt).toISOString(),
        kind: c.kind,
        openid: c.openid,
        code: `${c.code.slice(0, 8)}…`,
        exchanged: c.used,
        exchangeAttempts: c.exchanges,
        ours: ours
          ? {
              id: `${ours._id.slice(0, 8)}…`,
              exchange: ours.exchange ?? null,
              failure: ours.failure ?? null,
              billable: billableOf(ours),
              maybeUsed: ours.maybeUsed === true,
              counted: countedOf(ours),
              reason: reasonOf(ours),
              phoneMasked: ours.phoneMasked ?? null,
            }
          : null,
      };
    });

  // Our side: the charge ledger and its daily counters.
  const oursByKind = zero();
  const countedByKind = zero();
  const counted = { true: 0, false: 0, unknown: 0 };
  const billable = { true: 0, false: 0, unknown: 0 };
  const byExchange: Record<string, number> = {};
  /** Per kind: refused by WeChat, exchange not settled, billable but not yet counted. */
  const gaps = { quick: { refused: 0, unsettled: 0, uncounted: 0 }, realtime: { refused: 0, unsettled: 0, uncounted: 0 } };
  for (const c of charges) {
    const kind: PhoneKind = c.kind === 'realtime' ? 'realtime' : 'quick';
    oursByKind[kind] += 1;
    const k = countedOf(c);
    const b = billableOf(c);
    counted[k === true ? 'true' : k === false ? 'false' : 'unknown'] += 1;
    billable[b === true ? 'true' : b === false ? 'false' : 'unknown'] += 1;
    if (k === true) countedByKind[kind] += 1;
    else if (b === false) gaps[kind].refused += 1;
    else if (b === null) gaps[kind].unsettled += 1;
    else gaps[kind].uncounted += 1;
    const ex = c.exchange ?? 'unknown';
    byExchange[ex] = (byExchange[ex] ?? 0) + 1;
  }
  const dailyByKind = zero();
  const usageDaily = docs<{ _id: string; day?: string; kind?: PhoneKind; count?: number }>('usage_daily');
  for (const d of usageDaily)
    if ((d.kind === 'quick' || d.kind === 'realtime') && typeof d.count === 'number') dailyByKind[d.kind] += d.count;
  const orphans = charges
    .filter((c) => !matched.has(c._id))
    .map((c) => ({
      id: `${c._id.slice(0, 8)}…`,
      kind: c.kind,
      at: c.chargedAt,
      exchange: c.exchange ?? null,
      billable: billableOf(c),
      counted: countedOf(c),
      reason: reasonOf(c),
    }));

  // One after another: one warm admin container serves the view, as one admin's page would.
  const summary = await adminRoute(emu, admin, 'usage.summary');
  const settings = await adminRoute(emu, admin, 'settings.get');
  const quotaQuick = await adminRoute(emu, admin, 'quota.status', { kind: 'quick' });
  const quotaRealtime = await adminRoute(emu, admin, 'quota.status', { kind: 'realtime' });

  const quota = { quick: quotaQuick, realtime: quotaRealtime };
  /** This month's correction cron booked (admin quota.status): shown beside usage_daily, never added to it. */
  const correctionOf = (kind: PhoneKind) => {
    const q = quota[kind];
    return 'error' in q ? null : (q.reconciliation?.correction ?? null);
  };
  const explanations: string[] = [];
  for (const kind of KINDS) {
    const mintedNoRecord = codes.filter((c) => c.kind === kind && !c.ours).length;
    const recordNoCode = orphans.filter((o) => (o.kind ?? 'quick') === kind).length;
    const { refused, unsettled, uncounted } = gaps[kind];
    const dailyVsCounted = dailyByKind[kind] - countedByKind[kind];
    if (mintedNoRecord)
      explanations.push(
        `${kind}: ${mintedNoRecord} code(s) WeChat charged never reached auth.bindPhone (the user left, or the request was lost before the charge was recorded) — billed, not in phone_charges.`,
      );
    if (recordNoCode)
      explanations.push(
        `${kind}: ${recordNoCode} charge record(s) match no code in WeChat's ledger (data imported or edited, or WeChat's side was reset).`,
      );
    if (refused)
      explanations.push(
        `${kind}: ${refused} code(s) WeChat refused at the exchange (invalid, expired, used or another user's): kept for audit with counted: false and not on our books, though WeChat's ledger still holds the tap.`,
      );
    if (unsettled)
      explanations.push(
        `${kind}: ${unsettled} record(s) whose exchange has not settled (WeChat busy, or still in flight): not counted until the same code is sent again or the cron settles them.`,
      );
    if (uncounted)
      explanations.push(
        `${kind}: ${uncounted} billable record(s) not yet in usage_daily (the increment failed); the cron's recount adds them, so the summary is low until then.`,
      );
    if (dailyVsCounted)
      explanations.push(
        `${kind}: usage_daily holds ${dailyVsCounted > 0 ? `${dailyVsCounted} more` : `${-dailyVsCounted} fewer`} than the records marked counted (records removed or edited by hand).`,
      );
  }
  for (const kind of KINDS) {
    const c = correctionOf(kind);
    if (c?.count)
      explanations.push(
        `${kind}: cron's reconciliation booked a correction of ${c.count > 0 ? '+' : ''}${c.count} for ${c.month} (WeChat used ${c.wechatUsed}, counted ${c.localCounted}; ${c.unknownRecords} record(s) whose outcome is unknown stand behind it) — so counted + corrections = WeChat's figure; kept beside usage_daily and the cost, not added to them.`,
      );
  }
  if (!explanations.length) explanations.push('WeChat’s ledger, phone_charges and usage_daily agree.');

  return {
    appid: emu.appid,
    admin,
    admins,
    wechat: {
      byKind: wechatByKind,
      total: wechatByKind.quick + wechatByKind.realtime,
      exchanged: wechatExchanged,
      listValueYuan: yuan(wechatByKind),
      codes,
      usage: perKind((k) => usageAnswer(emu.usage(emu.appid, k))),
    },
    ours: {
      byKind: oursByKind,
      total: charges.length,
      counted,
      countedByKind,
      billable,
      byExchange,
      usageDaily: { byKind: dailyByKind, days: usageDaily.length },
      listValueYuan: yuan(oursByKind),
      orphans,
      summary,
      quota,
      breaker: 'error' in settings ? null : settings.breaker,
      settingsError: 'error' in settings ? settings.error : null,
    },
    difference: {
      byKind: perKind((k) => ({
        wechat: wechatByKind[k],
        ours: oursByKind[k],
        counted: countedByKind[k],
        usageDaily: dailyByKind[k],
        wechatMinusOurs: wechatByKind[k] - oursByKind[k],
        wechatMinusDaily: wechatByKind[k] - dailyByKind[k],
        correction: correctionOf(k)?.count ?? null,
      })),
      /** WeChat's charges at list price minus what usage_daily counts at list price. */
      yuan: fenToYuan(
        (wechatByKind.quick - dailyByKind.quick) * PRICE_FEN.quick + (wechatByKind.realtime - dailyByKind.realtime) * PRICE_FEN.realtime,
      ),
      explanations,
    },
  };
}
