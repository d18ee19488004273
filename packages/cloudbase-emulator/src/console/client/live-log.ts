/**
 * The live log: one server-sent stream (`/console/api/events`) for the page's lifetime,
 * kept as table rows the functions view shows whenever it is open, and handed to whoever
 * listens (the shell, to redraw a view that watches the ledger move).
 */
import type { LogEntry } from '../api';
import { h, pill, when } from './dom';

const KEPT = 500;
const rows = h('tbody', {});
const seen: number[] = [];
const listeners: Array<(entry: LogEntry) => void> = [];

function row(e: LogEntry): HTMLElement {
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

/** The log's rows, newest first (the same element on every visit of the functions view). */
export function logRows(): HTMLElement {
  return rows;
}

export function onLogEntry(listener: (entry: LogEntry) => void): void {
  listeners.push(listener);
}

export function connectLog(): void {
  const source = new EventSource('/console/api/events');
  source.onmessage = (m) => {
    const entry = JSON.parse(m.data) as LogEntry;
    if (seen.includes(entry.seq)) return; // a reconnect replays the ring (the emulator's seq only grows)
    seen.push(entry.seq);
    if (seen.length > KEPT) seen.shift();
    rows.prepend(row(entry));
    while (rows.children.length > KEPT) rows.lastChild!.remove();
    for (const listener of listeners) listener(entry);
    document.body.dataset.logSeq = String(entry.seq);
  };
}
