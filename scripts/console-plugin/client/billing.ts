/**
 * Billing: WeChat's side (what it charged, code by code) beside ours (phone_charges,
 * usage_daily, the admin summary's cost), the difference and why, then packs and
 * remaining quota per kind and the breaker. The server lines the sources up
 * (GET /console/api/billing); this only draws. Fields other helpers may still add or
 * reshape (counted's reason, costYuan/listValueYuan) are read defensively.
 */
import type { ConsoleBilling, Ejson } from '../api';
import { api, errorText, h, pill, replace, table, when } from '../../../packages/cloudbase-emulator/src/console/client/dom';

type Billing = Ejson<ConsoleBilling>;

/** The admin routes the billing views call themselves: they change nothing, and redrawing on them would loop. */
const READ_ONLY_ADMIN_ROUTES = ['usage.summary', 'usage.list', 'quota.status', 'settings.get', 'admins.list'];

/** Whether an invocation leaves the bill as it was (for watchInvocations). */
export function changesNothing(entry: { fn: string; route: string | null }): boolean {
  return entry.fn === 'admin' && entry.route !== null && READ_ONLY_ADMIN_ROUTES.includes(entry.route);
}

const KINDS = ['quick', 'realtime'] as const;

let adminChoice = localStorage.getItem('console.admin') ?? '';

function errorOf(value: unknown): string | null {
  if (!value || typeof value !== 'object' || !('error' in value)) return null;
  const { code, message } = (value as { error: { code?: string; message?: string } }).error;
  return `${code ?? ''}: ${message ?? ''}`;
}

function countedPill(counted: boolean | null | undefined, reason?: string | null): HTMLElement {
  const title = reason ? ` (${reason})` : '';
  if (counted === true) return pill(`counted${title}`, 'ok');
  if (counted === false) return pill(`not counted${title}`, 'bad');
  return pill(`not yet${title}`, 'warn');
}

/** An admin answer's data; null when it is an error (errorOf tells it). */
function dataOf<A extends object>(answer: A): Exclude<A, { error: unknown }> | null {
  return 'error' in answer ? null : (answer as Exclude<A, { error: unknown }>);
}

function yuanOf(answer: Billing['ours']['summary']): { cost: string | null; list: string | null } {
  const totals = dataOf(answer)?.totals;
  return { cost: totals?.costYuan ?? null, list: totals?.listValueYuan ?? null };
}

function wechatColumn(b: Billing): HTMLElement {
  const w = b.wechat;
  return h(
    'div',
    { class: 'card', 'data-testid': 'wechat-side' },
    h('h2', {}, "WeChat's side — what it bills"),
    h('div', { class: 'big', 'data-testid': 'wechat-total' }, w.total),
    h(
      'div',
      { class: 'muted', 'data-testid': 'wechat-list-value' },
      `list value ¥${w.listValueYuan}, not charged: calls draw on the free trial or packs`,
    ),
    table(
      ['kind', ['charged', 'num'], ['exchanged', 'num'], ['not exchanged', 'num']],
      KINDS.map((k) =>
        h(
          'tr',
          {},
          h('td', {}, k),
          h('td', { class: 'num', 'data-testid': `wechat-${k}` }, w.byKind[k]),
          h('td', { class: 'num' }, w.exchanged[k]),
          h('td', { class: 'num' }, w.byKind[k] - w.exchanged[k]),
        ),
      ),
    ),
    h('h3', {}, 'Quota per kind (usage/get)'),
    table(
      ['kind', ['all', 'num'], ['used', 'num'], ['remaining', 'num'], 'packages'],
      KINDS.map((k) => {
        const u = w.usage[k];
        return h(
          'tr',
          {},
          h('td', {}, k),
          h('td', { class: 'num' }, u.all),
          h('td', { class: 'num' }, u.effectiveUse),
          h('td', { class: 'num', 'data-testid': `wechat-remaining-${k}` }, u.all - u.effectiveUse),
          h(
            'td',
            {},
            u.detailList.map((p) =>
              h(
                'div',
                { class: 'muted' },
                `#${p.pkgId} ${p.skuId} ${p.used}/${p.all} ${['', 'running', 'not started', 'expired'][p.status] ?? p.status}`,
              ),
            ),
          ),
        );
      }),
    ),
  );
}

function oursColumn(b: Billing): HTMLElement {
  const o = b.ours;
  const summaryError = errorOf(o.summary);
  const { cost, list } = yuanOf(o.summary);
  return h(
    'div',
    { class: 'card', 'data-testid': 'our-side' },
    h('h2', {}, 'Ours — phone_charges, usage_daily, summary'),
    h('div', { class: 'big', 'data-testid': 'our-total' }, o.total),
    h('div', { class: 'muted' }, `recorded: list value ¥${o.listValueYuan}, not charged (cost, below, is what the merchant pays)`),
    table(
      ['kind', ['phone_charges', 'num'], ['usage_daily', 'num']],
      KINDS.map((k) =>
        h(
          'tr',
          {},
          h('td', {}, k),
          h('td', { class: 'num', 'data-testid': `ours-${k}` }, o.byKind[k]),
          h('td', { class: 'num', 'data-testid': `daily-${k}` }, o.usageDaily.byKind[k]),
        ),
      ),
    ),
    h(
      'div',
      { class: 'row' },
      h('span', { 'data-testid': 'counted' }, pill(`counted ${o.counted.true}`, 'ok')),
      h('span', { 'data-testid': 'uncounted' }, pill(`uncounted ${o.counted.false}`, o.counted.false ? 'bad' : '')),
      pill(`not settled ${o.counted.unknown}`, o.counted.unknown ? 'warn' : ''),
    ),
    h(
      'div',
      { class: 'row muted' },
      'billable:',
      o.billable ? [pill(`yes ${o.billable.true}`), pill(`refused ${o.billable.false}`), pill(`unknown ${o.billable.unknown}`)] : null,
      ' exchange:',
      Object.entries(o.byExchange).map(([k, n]) => pill(`${k} ${n}`)),
    ),
    h('h3', {}, 'admin usage.summary (last 12 months)'),
    summaryError
      ? h('div', { class: 'error' }, summaryError)
      : h(
          'dl',
          { class: 'kv' },
          h('dt', {}, 'quick / realtime'),
          h('dd', {}, `${dataOf(o.summary)?.totals.quick ?? '?'} / ${dataOf(o.summary)?.totals.realtime ?? '?'}`),
          h('dt', {}, 'cost'),
          h('dd', { 'data-testid': 'summary-cost' }, cost === null ? '—' : `¥${cost}`),
          list !== null && h('dt', {}, 'list value, not charged'),
          list !== null && h('dd', {}, `¥${list}`),
        ),
  );
}

function differenceCard(b: Billing): HTMLElement {
  const d = b.difference;
  return h(
    'div',
    { class: 'card', 'data-testid': 'difference' },
    h('h2', {}, 'Difference'),
    table(
      [
        'kind',
        ['WeChat charged', 'num'],
        ['phone_charges', 'num'],
        ['counted', 'num'],
        ['usage_daily', 'num'],
        ['WeChat − records', 'num'],
        ['WeChat − usage_daily', 'num'],
        ['cron correction (month)', 'num'],
      ],
      KINDS.map((k) => {
        const r = d.byKind[k];
        const delta = r.wechatMinusDaily ?? r.wechat - r.usageDaily;
        return h(
          'tr',
          {},
          h('td', {}, k),
          h('td', { class: 'num' }, r.wechat),
          h('td', { class: 'num' }, r.ours),
          h('td', { class: 'num' }, r.counted ?? '—'),
          h('td', { class: 'num' }, r.usageDaily),
          h('td', { class: `num ${r.wechatMinusOurs ? 'bad' : ''}` }, r.wechatMinusOurs),
          h('td', { class: `num ${delta ? 'warn' : ''}` }, delta),
          h('td', { class: 'num', 'data-testid': `correction-${k}` }, r.correction ?? '—'),
        );
      }),
    ),
    h(
      'div',
      { class: 'row' },
      'WeChat counted beyond usage_daily, at list value (not charged; it uses quota):',
      h('strong', { 'data-testid': 'difference-yuan' }, `¥${d.yuan}`),
    ),
    h(
      'ul',
      { class: 'explain', 'data-testid': 'explanations' },
      d.explanations.map((e: string) => h('li', {}, e)),
    ),
  );
}

function quotaCard(b: Billing): HTMLElement {
  const breaker = b.ours.breaker;
  return h(
    'div',
    { class: 'card', 'data-testid': 'quota' },
    h('h2', {}, 'Our quota ledger (admin quota.status) and breaker'),
    h(
      'div',
      { class: 'row', 'data-testid': 'breaker' },
      'Breaker:',
      breaker
        ? breaker.tripped
          ? pill(`tripped: ${breaker.reason ?? '?'} since ${when(breaker.at)}`, 'bad')
          : pill('armed (not tripped)', 'ok')
        : h('span', { class: 'error' }, errorOf({ error: b.ours.settingsError }) ?? 'unknown'),
    ),
    KINDS.map((k) => {
      const answer = b.ours.quota[k];
      const q = dataOf(answer);
      if (!q) return h('div', {}, h('h3', {}, k), h('div', { class: 'error' }, errorOf(answer) ?? 'no answer'));
      return h(
        'div',
        {},
        h('h3', {}, `${k}: remaining `, h('span', { 'data-testid': `our-remaining-${k}` }, q.remaining)),
        table(
          ['pack', 'source', ['calls', 'num'], ['used', 'num'], 'status', 'starts', 'expires', ['price', 'num']],
          q.packs.map((p) =>
            h(
              'tr',
              {},
              h('td', {}, p.id),
              h('td', {}, p.source),
              h('td', { class: 'num' }, p.calls),
              h('td', { class: 'num' }, p.used),
              h('td', {}, p.status),
              h('td', {}, when(p.startsAt)),
              h('td', {}, when(p.expiresAt)),
              h('td', { class: 'num' }, p.priceYuan == null ? '—' : `¥${p.priceYuan}`),
            ),
          ),
        ),
        q.uncovered ? h('div', { class: 'warn' }, `charges no recorded pack covers: ${q.uncovered}`) : null,
        q.reconciliation
          ? h(
              'div',
              { class: 'muted' },
              `last reconciliation ${when(q.reconciliation.at)}: WeChat used ${q.reconciliation.wechatUsed}, ours ${q.reconciliation.localCharges}, difference ${q.reconciliation.difference}`,
            )
          : null,
      );
    }),
  );
}

function codesCard(b: Billing): HTMLElement {
  const rows = b.wechat.codes
    .slice()
    .reverse()
    .map((c) =>
      h(
        'tr',
        {},
        h('td', {}, when(c.at)),
        h('td', {}, c.kind),
        h('td', {}, c.openid ?? '—'),
        h('td', {}, h('code', {}, c.code)),
        h(
          'td',
          {},
          c.exchanged ? pill('exchanged', 'ok') : pill(c.exchangeAttempts ? `refused ×${c.exchangeAttempts}` : 'not exchanged', 'warn'),
        ),
        c.ours
          ? [
              h(
                'td',
                {},
                pill(c.ours.exchange ?? '?', c.ours.exchange === 'ok' ? 'ok' : c.ours.exchange === 'failed' ? 'bad' : 'warn'),
                c.ours.failure ? ` ${c.ours.failure}` : '',
                c.ours.maybeUsed ? ' maybe used' : '',
                c.ours.billable === false ? ' · not billable' : c.ours.billable === null ? ' · not settled' : '',
              ),
              h('td', {}, countedPill(c.ours.counted, c.ours.reason)),
              h('td', {}, c.ours.phoneMasked ?? '—'),
            ]
          : h('td', { colspan: 3, class: 'bad' }, 'no record in phone_charges'),
      ),
    );
  const orphans = b.ours.orphans.map((o) =>
    h(
      'tr',
      {},
      h('td', {}, when(o.at)),
      h('td', {}, o.kind),
      h('td', {}, o.id),
      h('td', {}, o.exchange),
      h('td', {}, countedPill(o.counted, o.reason)),
    ),
  );
  return h(
    'div',
    { class: 'card' },
    h('h2', {}, 'Charge by charge: WeChat code ↔ our record'),
    table(['charged at', 'kind', 'openid', 'code', 'WeChat', 'our record', 'usage_daily', 'phone'], rows, { 'data-testid': 'codes' }),
    orphans.length
      ? [h('h3', {}, 'Records with no WeChat code'), table(['at', 'kind', 'record', 'exchange', 'usage_daily'], orphans)]
      : null,
  );
}

function adminBar(b: Billing, refresh: () => void): HTMLElement {
  const input = h('input', { value: b.admin ?? '', placeholder: 'admin OPENID', list: 'admin-list', 'data-testid': 'admin-openid' });
  const use = () => {
    adminChoice = input.value.trim();
    localStorage.setItem('console.admin', adminChoice);
    refresh();
  };
  const makeAdmin = async () => {
    await api('PUT', '/console/api/db/admins/o_console', { addedBy: 'console', addedAt: { $date: new Date().toISOString() } });
    adminChoice = 'o_console';
    localStorage.setItem('console.admin', adminChoice);
    refresh();
  };
  return h(
    'div',
    { class: 'row' },
    h('label', {}, 'Admin routes called as'),
    input,
    h(
      'datalist',
      { id: 'admin-list' },
      b.admins.map((a: string) => h('option', { value: a })),
    ),
    h('button', { onclick: use }, 'Use'),
    !b.admins.length ? h('button', { onclick: () => void makeAdmin(), title: 'adds admins/o_console' }, 'Make o_console an admin') : null,
    h('button', { onclick: refresh }, 'Refresh'),
  );
}

async function loadBilling(): Promise<Billing> {
  return api<Billing>('GET', `/console/api/billing${adminChoice ? `?admin=${encodeURIComponent(adminChoice)}` : ''}`);
}

/** The latest draw asked of each element: an older answer arriving late is dropped. */
const latest = new WeakMap<HTMLElement, number>();

function ticket(el: HTMLElement): () => boolean {
  const n = (latest.get(el) ?? 0) + 1;
  latest.set(el, n);
  return () => latest.get(el) === n;
}

export async function renderBilling(el: HTMLElement): Promise<void> {
  const refresh = () => void renderBilling(el);
  const current = ticket(el);
  try {
    const b = await loadBilling();
    if (!current()) return;
    replace(
      el,
      h(
        'div',
        { 'data-testid': 'billing' },
        adminBar(b, refresh),
        h('div', { class: 'cols' }, wechatColumn(b), oursColumn(b)),
        differenceCard(b),
        quotaCard(b),
        codesCard(b),
      ),
    );
  } catch (err) {
    replace(el, h('div', { class: 'error' }, errorText(err)));
  }
}

/** The few figures the Play view keeps in sight while a user plays. */
export async function renderBillingStrip(el: HTMLElement): Promise<void> {
  const current = ticket(el);
  try {
    const b = await loadBilling();
    if (!current()) return;
    replace(
      el,
      table(
        ['', ['WeChat charged', 'num'], ['phone_charges', 'num'], ['usage_daily', 'num'], ['quota left (WeChat)', 'num']],
        KINDS.map((k) =>
          h(
            'tr',
            {},
            h('td', {}, k),
            h('td', { class: 'num', 'data-testid': `strip-wechat-${k}` }, b.wechat.byKind[k]),
            h('td', { class: 'num', 'data-testid': `strip-ours-${k}` }, b.ours.byKind[k]),
            h('td', { class: 'num' }, b.ours.usageDaily.byKind[k]),
            h('td', { class: 'num' }, b.wechat.usage[k].all - b.wechat.usage[k].effectiveUse),
          ),
        ),
      ),
      h(
        'div',
        { class: 'muted' },
        `summary cost ${yuanOf(b.ours.summary).cost ? `¥${yuanOf(b.ours.summary).cost}` : '—'} · breaker ${b.ours.breaker ? (b.ours.breaker.tripped ? `tripped (${b.ours.breaker.reason})` : 'armed') : '?'}`,
      ),
    );
  } catch (err) {
    replace(el, h('div', { class: 'error' }, errorText(err)));
  }
}
