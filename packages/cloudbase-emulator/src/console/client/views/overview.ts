/**
 * Overview: the environment, each function with its cold and warm starts and a button per
 * timer trigger (timers never fire on their own), and each collection with its queries,
 * documents examined and the queries no declared index served.
 */
import type { ConsoleOverview } from '../../api';
import { api, duration, errorText, h, replace, table } from '../dom';
import { showEnvironment } from '../shell';

/** What the last timer button did (kept across the redraw that follows it). */
let fireStatus = '';

/** The answer of a timer's POST /v1/functions/:name/triggers/:trigger: the function's own, an envelope or not. */
function outcomeOf(result: unknown): string {
  if (result && typeof result === 'object' && 'ok' in result) {
    const envelope = result as { ok: unknown; error?: { code?: unknown } };
    if (envelope.ok === false) return String(envelope.error?.code ?? 'failed');
    if (envelope.ok === true) return 'OK';
  }
  return 'done';
}

export async function renderOverview(el: HTMLElement): Promise<void> {
  const o = await api<ConsoleOverview>('GET', '/console/api/overview');
  showEnvironment(o);
  const fire = async (fn: string, trigger: string, out: HTMLElement) => {
    out.textContent = '…';
    try {
      const r = await api<{ result?: unknown }>(
        'POST',
        `/v1/functions/${encodeURIComponent(fn)}/triggers/${encodeURIComponent(trigger)}`,
        {},
      );
      fireStatus = `${fn}/${trigger} fired: ${outcomeOf(r.result)}`;
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
