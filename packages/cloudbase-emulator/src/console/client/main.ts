/**
 * The emulator console's page: hash-routed views over the emulator's `/v1` API and the
 * console's `/console/api` (emulator/console/server.ts). Plain DOM, no framework; the
 * live log comes over server-sent events and also nudges the billing views to redraw.
 */
import type { Envelope } from '../../../../../miniprogram/contract';
import type {
  ConsoleCall,
  ConsoleCollections,
  ConsoleFaults,
  ConsoleImport,
  ConsoleOverview,
  ConsolePage,
  ConsolePlay,
  LogEntry,
} from '../api';
import { renderBilling, renderBillingStrip } from './billing';
import { renderMessages } from './messages';
import { api, duration, errorText, h, json, pill, replace, table, when } from './dom';

type View = { title: string; render(el: HTMLElement): Promise<void> | void };

const view = document.getElementById('view')!;
const nav = document.getElementById('nav')!;
let current = '';
/** Redraws the current view when an invocation finishes (billing and play watch the ledger move). */
let onInvocation: (() => void) | null = null;

// ---- overview ------------------------------------------------------------------

/** What the last timer button did (kept across the redraw that follows it). */
let fireStatus = '';

async function renderOverview(el: HTMLElement): Promise<void> {
  const o = await api<ConsoleOverview>('GET', '/console/api/overview');
  document.getElementById('env')!.textContent = `env ${o.envId} · appid ${o.appid}`;
  const fire = async (fn: string, trigger: string, out: HTMLElement) => {
    out.textContent = '…';
    try {
      const r = await api<{ result?: Envelope<unknown> | null }>(
        'POST',
        `/v1/functions/${encodeURIComponent(fn)}/triggers/${encodeURIComponent(trigger)}`,
        {},
      );
      fireStatus = `${fn}/${trigger} fired: ${r.result?.ok === false ? r.result.error.code : r.result?.ok ? 'OK' : 'done'}`;
    } catch (err) {
      fireStatus = `${fn}/${trigger}: ${errorText(err)}`;
    }
    await renderOverview(el);
  };
  const uptime = h('dd', {}, duration(o.uptimeMs));
  const started = Date.now() - o.uptimeMs;
  const timer = setInterval(
    () => (document.body.contains(uptime) ? (uptime.textContent = duration(Date.now() - started)) : clearInterval(timer)),
    1000,
  );
  replace(
    el,
    h(
      'div',
      { class: 'card' },
      h(
        'dl',
        { class: 'kv' },
        h('dt', {}, 'environment'),
        h('dd', { 'data-testid': 'env-id' }, o.envId),
        h('dt', {}, 'appid'),
        h('dd', {}, o.appid),
        h('dt', {}, 'URL'),
        h('dd', {}, o.url),
        h('dt', {}, 'data directory'),
        h('dd', {}, o.dataDir ?? 'in memory (not saved)'),
        h('dt', {}, 'uptime'),
        uptime,
        h('dt', {}, 'faults waiting'),
        h('dd', {}, o.faults),
      ),
    ),
    h(
      'div',
      { class: 'cols' },
      h(
        'div',
        { class: 'card' },
        h('h2', {}, 'Functions'),
        h('div', { class: 'muted', 'data-testid': 'fire-status' }, fireStatus),
        table(
          ['function', ['cold starts', 'num'], ['warm starts', 'num'], 'timer triggers'],
          o.functions.map((f) => {
            const out = h('span', { class: 'muted' });
            return h(
              'tr',
              { 'data-testid': `function-${f.name}` },
              h('td', {}, h('strong', {}, f.name)),
              h('td', { class: 'num' }, f.cold ?? 0),
              h('td', { class: 'num' }, f.warm ?? 0),
              h(
                'td',
                {},
                f.timerTriggers.map((t: string) =>
                  h('button', { onclick: () => void fire(f.name, t, out), 'data-testid': `fire-${f.name}-${t}` }, `Fire ${t}`),
                ),
                ' ',
                out,
              ),
            );
          }),
          { 'data-testid': 'functions' },
        ),
      ),
      h(
        'div',
        { class: 'card' },
        h('h2', {}, 'Collections'),
        table(
          ['collection', ['documents', 'num'], ['queries', 'num'], ['examined', 'num'], ['unindexed', 'num']],
          o.collections.map((c) => {
            const q = o.queries[c.name];
            return h(
              'tr',
              { class: 'clickable', onclick: () => (location.hash = `#data/${c.name}`) },
              h('td', {}, c.name),
              h('td', { class: 'num' }, c.count),
              h('td', { class: 'num' }, q?.count ?? 0),
              h('td', { class: 'num' }, q?.examined ?? 0),
              h('td', { class: q?.unindexed ? 'num warn' : 'num' }, q?.unindexed ?? 0),
            );
          }),
          { 'data-testid': 'collections' },
        ),
        unindexedList(o.unindexedQueries),
      ),
    ),
  );
}

/** Queries no declared index served: on CloudBase these are the slow scans that time out under load. */
function unindexedList(queries: ConsoleOverview['unindexedQueries']): HTMLElement {
  if (!queries.length)
    return h('p', { class: 'muted', 'data-testid': 'unindexed' }, 'Every query so far was served by a declared index (database-indexes/).');
  return h(
    'div',
    { 'data-testid': 'unindexed' },
    h('h3', {}, 'Unindexed queries (add an index in database-indexes/)'),
    table(
      ['collection', 'action', 'filter fields', 'sort'],
      [...queries]
        .reverse()
        .map((q) =>
          h('tr', {}, h('td', {}, q.collection), h('td', {}, q.action), h('td', {}, q.fields.join(', ')), h('td', {}, q.sort.join(', '))),
        ),
    ),
  );
}

// ---- data ----------------------------------------------------------------------

const PAGE = 20;

async function renderData(el: HTMLElement, collection = '', offset = 0, message = ''): Promise<void> {
  const { collections } = await api<ConsoleCollections>('GET', '/console/api/db');
  const name = collection || collections[0]?.name || '';
  const editor = h('textarea', { rows: 18, 'data-testid': 'doc-json', spellcheck: 'false' });
  const idInput = h('input', { placeholder: '_id', 'data-testid': 'doc-id' });
  const status = h('span', { class: 'muted', 'data-testid': 'doc-status' }, message);
  const save = async () => {
    try {
      const doc = JSON.parse(editor.value);
      const id = idInput.value.trim() || (typeof doc._id === 'string' ? doc._id : '');
      if (!id) throw new Error('give the document an _id');
      await api('PUT', `/console/api/db/${encodeURIComponent(name)}/${encodeURIComponent(id)}`, { ...doc, _id: id });
      await renderData(el, name, offset, `saved ${id}`);
    } catch (err) {
      status.textContent = errorText(err);
    }
  };
  const remove = async () => {
    const id = idInput.value.trim();
    if (!id) return void (status.textContent = 'pick a document first');
    if (!confirm(`Delete ${id} from ${name}?`)) return;
    try {
      await api('DELETE', `/console/api/db/${encodeURIComponent(name)}/${encodeURIComponent(id)}`);
      await renderData(el, name, offset, `deleted ${id}`);
    } catch (err) {
      status.textContent = errorText(err);
    }
  };
  const resetAll = async () => {
    if (!confirm('Empty every collection, WeChat charges and packs, faults and stats (POST /v1/reset)?')) return;
    try {
      await api('POST', '/v1/reset', {});
      await renderData(el, name, 0, 'everything reset');
    } catch (err) {
      status.textContent = errorText(err);
    }
  };
  const list = h('div', {});
  const side = table(
    ['collection', ['docs', 'num']],
    collections.map((c) =>
      h(
        'tr',
        {
          class: `clickable ${c.name === name ? 'selected' : ''}`,
          onclick: () => (location.hash = `#data/${c.name}`),
          'data-testid': `collection-${c.name}`,
        },
        h('td', {}, c.name),
        h('td', { class: 'num' }, c.count),
      ),
    ),
  );
  replace(
    el,
    h(
      'div',
      { class: 'cols3' },
      h(
        'div',
        { class: 'card' },
        side,
        h(
          'div',
          { class: 'row' },
          h('button', { class: 'danger', onclick: () => void resetAll(), 'data-testid': 'reset-all' }, 'Reset all data'),
        ),
      ),
      h(
        'div',
        {},
        h('div', { class: 'card' }, list),
        h(
          'div',
          { class: 'card' },
          h(
            'div',
            { class: 'row' },
            h('strong', {}, `Document in ${name}`),
            idInput,
            h('button', { class: 'primary', onclick: () => void save(), 'data-testid': 'doc-save' }, 'Save'),
            h(
              'button',
              {
                onclick: () => ((idInput.value = ''), (editor.value = '{\n  \n}'), (status.textContent = 'new document')),
                'data-testid': 'doc-new',
              },
              'New document',
            ),
            h('button', { class: 'danger', onclick: () => void remove(), 'data-testid': 'doc-delete' }, 'Delete'),
            status,
          ),
          editor,
          h(
            'div',
            { class: 'muted' },
            'Saved as PUT /v1/db/… does: the whole document is replaced. Dates as {"$date": "…"}. Masked numbers left as they are keep the stored value.',
          ),
        ),
      ),
    ),
  );
  if (!name) return;
  const page = await api<ConsolePage>('GET', `/console/api/db/${encodeURIComponent(name)}?offset=${offset}&limit=${PAGE}`);
  const keys = page.fields.filter((k) => k !== '_id');
  const cell = (v: unknown) => {
    const s = v && typeof v === 'object' && '$date' in (v as object) ? when(v) : typeof v === 'string' ? v : JSON.stringify(v);
    return s === undefined ? '' : s.length > 60 ? `${s.slice(0, 60)}…` : s;
  };
  replace(
    list,
    h(
      'div',
      { class: 'row' },
      h('strong', {}, name),
      h(
        'span',
        { class: 'muted', 'data-testid': 'page-info' },
        page.total ? `${offset + 1}–${offset + page.docs.length} of ${page.total}` : 'empty',
      ),
      h(
        'button',
        { disabled: offset === 0, onclick: () => void renderData(el, name, Math.max(0, offset - PAGE)), 'data-testid': 'page-prev' },
        '‹ Previous',
      ),
      h(
        'button',
        { disabled: offset + PAGE >= page.total, onclick: () => void renderData(el, name, offset + PAGE), 'data-testid': 'page-next' },
        'Next ›',
      ),
    ),
    table(
      ['_id', ...keys],
      page.docs.map((d) =>
        h(
          'tr',
          {
            class: 'clickable',
            onclick: () => {
              idInput.value = String(d._id);
              editor.value = json(d);
              status.textContent = '';
            },
          },
          h('td', {}, cell(d._id)),
          keys.map((k) => h('td', {}, cell(d[k]))),
        ),
      ),
      { 'data-testid': 'docs' },
    ),
  );
}

// ---- functions -----------------------------------------------------------------

const logRows = h('tbody', {});
const logEntries: LogEntry[] = [];

function logRow(e: LogEntry): HTMLElement {
  if (e.type === 'log')
    return h('tr', { class: 'line' }, h('td', {}, when(e.at).slice(11)), h('td', {}, e.fn), h('td', { colspan: 5 }, e.line));
  const tone = e.code === 'OK' ? 'ok' : e.code === null ? '' : 'bad';
  return h(
    'tr',
    { 'data-testid': 'log-invocation' },
    h('td', {}, when(e.at).slice(11)),
    h('td', {}, h('strong', {}, e.fn)),
    h('td', {}, e.route ?? '—'),
    h('td', {}, e.caller ?? `(${e.source})`),
    h('td', { class: 'num' }, `${e.durationMs} ms${e.cold ? ' cold' : ''}`),
    h('td', {}, pill(e.code ?? 'no envelope', tone)),
  );
}

const READ_ONLY_ADMIN_ROUTES = ['usage.summary', 'usage.list', 'quota.status', 'settings.get', 'admins.list'];

function connectLog(): void {
  const source = new EventSource('/console/api/events');
  let pending: ReturnType<typeof setTimeout> | null = null;
  source.onmessage = (m) => {
    const entry = JSON.parse(m.data);
    if (logEntries.some((e) => e.seq === entry.seq)) return; // a reconnect replays the ring
    logEntries.push(entry);
    if (logEntries.length > 500) logEntries.shift();
    logRows.prepend(logRow(entry));
    while (logRows.children.length > 500) logRows.lastChild!.remove();
    // Read-only admin routes change nothing, and the billing view calls them itself: redrawing on them would loop.
    if (entry.type === 'invocation' && onInvocation && !(entry.fn === 'admin' && READ_ONLY_ADMIN_ROUTES.includes(entry.route))) {
      if (pending) clearTimeout(pending);
      pending = setTimeout(() => onInvocation?.(), 150);
    }
  };
}

async function renderFunctions(el: HTMLElement): Promise<void> {
  const o = await api<ConsoleOverview>('GET', '/console/api/overview');
  const chosen = localStorage.getItem('console.fn') ?? 'auth';
  const fn = h(
    'select',
    { 'data-testid': 'invoke-fn' },
    o.functions.map((f) => h('option', { value: f.name, selected: f.name === chosen }, f.name)),
  );
  const route = h('input', {
    placeholder: '$url, e.g. session',
    'data-testid': 'invoke-route',
    value: localStorage.getItem('console.route') ?? 'session',
  });
  const openid = h('input', {
    placeholder: 'OPENID (empty: none)',
    'data-testid': 'invoke-openid',
    value: localStorage.getItem('console.openid') ?? 'o_console_user',
  });
  const data = h('textarea', { rows: 6, 'data-testid': 'invoke-data', spellcheck: 'false' });
  data.value = '{}';
  const out = h('pre', { 'data-testid': 'invoke-result' });
  const run = async () => {
    localStorage.setItem('console.fn', fn.value);
    localStorage.setItem('console.route', route.value);
    localStorage.setItem('console.openid', openid.value);
    out.textContent = '…';
    try {
      const r = await api<ConsoleCall>('POST', '/console/api/invoke', {
        fn: fn.value,
        route: route.value.trim(),
        openid: openid.value.trim(),
        data: JSON.parse(data.value || '{}'),
      });
      out.textContent = `${r.durationMs} ms\n${json(r.ok ? r.result : { error: r.error })}`;
    } catch (err) {
      out.textContent = errorText(err);
    }
  };
  replace(
    el,
    h(
      'div',
      { class: 'card' },
      h('h2', {}, 'Invoke'),
      h(
        'div',
        { class: 'row' },
        h('label', {}, 'function'),
        fn,
        h('label', {}, 'route'),
        route,
        h('label', {}, 'OPENID'),
        openid,
        h('button', { class: 'primary', onclick: () => void run(), 'data-testid': 'invoke' }, 'Invoke'),
      ),
      h('label', {}, 'data (JSON)'),
      data,
      out,
    ),
    h(
      'div',
      { class: 'card' },
      h('h2', {}, 'Live log'),
      h(
        'div',
        { class: 'log' },
        h(
          'table',
          { 'data-testid': 'live-log' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['time', 'function', 'route', 'caller', 'duration', 'code'].map((c) => h('th', {}, c)),
            ),
          ),
          logRows,
        ),
      ),
    ),
  );
}

// ---- faults --------------------------------------------------------------------

const FAULT_TARGETS = [
  'openapi:phonenumber.getPhoneNumber',
  'db:insertDocument',
  'db:insertDocument:phone_charges',
  'db:modifyDocument',
  'db:getDocument',
  'wechat:/cgi-bin/stable_token',
  'wechat:/wxa/charge/usage/get',
  'openapi:subscribeMessage.send',
  'wechat:/cgi-bin/message/subscribe/send',
  'provider:assign',
  'provider:cancel',
];

async function renderFaults(el: HTMLElement): Promise<void> {
  const { faults } = await api<ConsoleFaults>('GET', '/console/api/faults');
  const target = h('input', {
    list: 'fault-targets',
    placeholder: 'target',
    size: 36,
    'data-testid': 'fault-target',
    value: 'openapi:phonenumber.getPhoneNumber',
  });
  const errcode = h('input', { type: 'number', placeholder: 'errcode', 'data-testid': 'fault-errcode', value: '-1', style: 'width:90px' });
  const delay = h('input', { type: 'number', placeholder: 'delayMs', 'data-testid': 'fault-delay', style: 'width:90px' });
  const times = h('input', { type: 'number', placeholder: 'times', value: '1', min: 1, 'data-testid': 'fault-times', style: 'width:70px' });
  const status = h('span', { class: 'muted', 'data-testid': 'fault-status' });
  const num = (i: HTMLInputElement) => (i.value.trim() === '' ? undefined : Number(i.value));
  const add = async () => {
    try {
      await api('POST', '/v1/faults', { target: target.value.trim(), errcode: num(errcode), delayMs: num(delay), times: num(times) });
      await renderFaults(el);
    } catch (err) {
      status.textContent = errorText(err);
    }
  };
  const clear = async () => {
    await api('DELETE', '/v1/faults');
    await renderFaults(el);
  };
  replace(
    el,
    h(
      'div',
      { class: 'card' },
      h('h2', {}, 'Add a fault'),
      h(
        'div',
        { class: 'row' },
        target,
        h(
          'datalist',
          { id: 'fault-targets' },
          FAULT_TARGETS.map((t) => h('option', { value: t })),
        ),
        errcode,
        delay,
        times,
        h('button', { class: 'primary', onclick: () => void add(), 'data-testid': 'fault-add' }, 'Add'),
        status,
      ),
      h(
        'div',
        { class: 'muted' },
        'Targets as POST /v1/faults: openapi:<api>, db:<action>[:<collection>], wechat:<path>, provider:assign|cancel|push. The next `times` matching calls fail with errcode and/or wait delayMs.',
      ),
    ),
    h(
      'div',
      { class: 'card' },
      h(
        'div',
        { class: 'row' },
        h('h2', {}, `Waiting faults (${faults.length})`),
        h('button', { onclick: () => void clear(), 'data-testid': 'fault-clear' }, 'Clear all'),
      ),
      table(
        ['target', ['errcode', 'num'], ['delayMs', 'num'], ['calls left', 'num']],
        faults.map((f) =>
          h(
            'tr',
            {},
            h('td', {}, f.target),
            h('td', { class: 'num' }, f.errcode ?? '—'),
            h('td', { class: 'num' }, f.delayMs),
            h('td', { class: 'num' }, f.remaining),
          ),
        ),
        { 'data-testid': 'faults' },
      ),
    ),
  );
}

// ---- play a user ---------------------------------------------------------------

async function renderPlay(el: HTMLElement): Promise<void> {
  const openid = h('input', { 'data-testid': 'play-openid', value: localStorage.getItem('console.player') ?? 'o_player_1' });
  const kind = h(
    'select',
    { 'data-testid': 'play-kind' },
    h('option', { value: 'quick' }, 'quick'),
    h('option', { value: 'realtime' }, 'realtime'),
  );
  const out = h('div', { 'data-testid': 'play-result' });
  const strip = h('div', { 'data-testid': 'play-billing' });
  const act = async (action: string) => {
    localStorage.setItem('console.player', openid.value);
    replace(out, h('span', { class: 'muted' }, '…'));
    try {
      const r = await api<ConsolePlay>('POST', '/console/api/play', { openid: openid.value.trim(), action, kind: kind.value });
      replace(
        out,
        r.steps.map((s) => {
          const envelope = s.result as Envelope<{ phoneMasked?: string }> | null | undefined;
          const failed = envelope && !envelope.ok ? envelope.error : null;
          const bound = envelope?.ok ? envelope.data.phoneMasked : undefined;
          const verdict = s.step.startsWith('auth.')
            ? s.ok === false
              ? pill(`FUNCTION_FAILED ${s.error ?? ''}`, 'bad')
              : envelope?.ok
                ? pill('OK', 'ok')
                : pill(failed?.code ?? '?', 'bad')
            : null;
          return h(
            'div',
            { class: 'row', 'data-testid': 'play-step' },
            h('strong', {}, s.step),
            verdict,
            s.phone ? h('span', { class: 'muted' }, `phone ${s.phone}`) : null,
            bound ? h('span', {}, `bound ${bound}`) : null,
            failed?.message ? h('span', { class: 'muted' }, failed.message) : null,
          );
        }),
      );
    } catch (err) {
      replace(out, h('div', { class: 'error' }, errorText(err)));
    }
    await renderBillingStrip(strip);
  };
  replace(
    el,
    h(
      'div',
      { class: 'card' },
      h('h2', {}, 'Play a user'),
      h('div', { class: 'row' }, h('label', {}, 'OPENID'), openid),
      h(
        'div',
        { class: 'row' },
        h('button', { class: 'primary', onclick: () => void act('tap'), 'data-testid': 'play-tap' }, 'Tap the phone button and approve'),
        h('button', { onclick: () => void act('deny'), 'data-testid': 'play-deny' }, 'Deny'),
        h('button', { onclick: () => void act('no-quota'), 'data-testid': 'play-no-quota' }, 'Button fails: no quota (1400001)'),
      ),
      h(
        'div',
        { class: 'muted' },
        'A tap opens the app first (auth.session) and does what the mini program would: a hidden button (capture off, a breaker, already bound) is not tapped, and a shown one is the component the session names. The tap mints a code (WeChat charges here, as the success callback fires) and sends it to auth.bindPhone; without quota left the button fails with errno 1400001 and the client reports it. Deny is reported too, and costs nothing.',
      ),
      h(
        'div',
        { class: 'row' },
        h(
          'button',
          { class: 'danger', onclick: () => void act('attacker-tap'), 'data-testid': 'play-attacker-tap' },
          'Tap anyway, as an attacker would',
        ),
        h('label', {}, 'claiming component'),
        kind,
        h(
          'span',
          { class: 'muted' },
          'A modified client can show a hidden button: WeChat bills that code, and what the server then does is the test.',
        ),
      ),
      out,
    ),
    h('div', { class: 'card' }, h('h2', {}, 'The bill, as it moves ', h('a', { href: '#billing' }, 'full billing view ›')), strip),
  );
  await renderBillingStrip(strip);
  if (document.body.contains(strip)) onInvocation = () => void renderBillingStrip(strip);
}

// ---- export / import -----------------------------------------------------------

function renderTransfer(el: HTMLElement): void {
  const file = h('input', { type: 'file', accept: '.json,application/json', 'data-testid': 'import-file' });
  const status = h('div', { 'data-testid': 'import-status' });
  const load = async () => {
    const chosen = file.files?.[0];
    if (!chosen) return void (status.textContent = 'choose an export file first');
    try {
      const r = await api<ConsoleImport>('POST', '/console/api/import', await chosen.text());
      status.textContent = `imported: ${r.collections} collections, ${r.phoneCodes} phone codes`;
    } catch (err) {
      status.textContent = errorText(err);
    }
  };
  replace(
    el,
    h(
      'div',
      { class: 'card' },
      h('h2', {}, 'Export'),
      h(
        'p',
        {},
        h('a', { href: '/console/api/export', download: '', 'data-testid': 'export' }, 'Download the emulator data'),
        ' — collections, phone codes, quota packs and provider orders, as `npm start` saves them (raw phone numbers included: it is your local data).',
      ),
      h('p', { class: 'muted' }, 'From the command line: npm start -- --export-on-exit ./snapshot  and  npm start -- --import ./snapshot'),
    ),
    h(
      'div',
      { class: 'card' },
      h('h2', {}, 'Import'),
      h(
        'div',
        { class: 'row' },
        file,
        h('button', { class: 'primary', onclick: () => void load(), 'data-testid': 'import' }, 'Replace the emulator data with this file'),
      ),
      status,
    ),
  );
}

// ---- routing -------------------------------------------------------------------

const views: Record<string, View> = {
  overview: { title: 'Overview', render: renderOverview },
  billing: { title: 'Billing', render: renderBilling },
  data: { title: 'Data', render: (el) => renderData(el, decodeURIComponent(location.hash.split('/')[1] ?? '')) },
  functions: { title: 'Functions', render: renderFunctions },
  faults: { title: 'Faults', render: renderFaults },
  messages: { title: 'Messages', render: renderMessages },
  play: { title: 'Play a user', render: renderPlay },
  transfer: { title: 'Export / import', render: renderTransfer },
};

async function show(): Promise<void> {
  const name = location.hash.slice(1).split('/')[0] || 'overview';
  const v = views[name] ?? views.overview!;
  current = name in views ? name : 'overview';
  // A fresh container per visit: a slow render of the view left behind lands in a detached element.
  const el = h('div', {});
  replace(view, el);
  onInvocation = current === 'billing' ? () => void renderBilling(el) : null;
  replace(
    nav,
    Object.entries(views).map(([key, { title }]) =>
      h('a', { href: `#${key}`, class: key === current ? 'active' : '', 'data-testid': `tab-${key}` }, title),
    ),
  );
  try {
    await v.render(el);
  } catch (err) {
    replace(el, h('div', { class: 'error' }, errorText(err)));
  }
}

window.addEventListener('hashchange', () => void show());
connectLog();
void show();
void api<ConsoleOverview>('GET', '/console/api/overview').then(
  (o) => (document.getElementById('env')!.textContent = `env ${o.envId} · appid ${o.appid}`),
);
