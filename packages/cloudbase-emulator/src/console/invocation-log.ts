/**
 * The live log behind the console's Functions view: one entry per invocation
 * (function, route, caller, source, duration, envelope code) and the functions' own
 * output lines, kept in a short ring and pushed to listeners (the console's SSE
 * stream). Entries are masked here, so no listener ever sees a raw phone number.
 */
import type { LogEntry } from './api';
import { maskText } from './mask';

// The entries are the console API's (api.ts): the page reads exactly what is pushed.
export type { LogEntry };
export type InvocationEntry = Extract<LogEntry, { type: 'invocation' }>;
export type LogLineEntry = Extract<LogEntry, { type: 'log' }>;

const KEEP = 500;
const MAX_LINE = 2000;

/** The envelope code of a function's answer: `{ ok: true }` → "OK", `{ ok: false, error: { code } }` → code. */
export function envelopeCode(outcome: { ok: boolean; result?: unknown }): string | null {
  if (!outcome.ok) return 'FUNCTION_FAILED';
  const r = outcome.result as { ok?: unknown; error?: { code?: unknown } } | null | undefined;
  if (r && typeof r === 'object' && r.ok === true) return 'OK';
  if (r && typeof r === 'object' && r.ok === false) return typeof r.error?.code === 'string' ? r.error.code : 'ERROR';
  return null;
}

export class InvocationLog {
  private entries: LogEntry[] = [];
  private seq = 0;
  private listeners = new Set<(entry: LogEntry) => void>();

  invocation(fields: Omit<InvocationEntry, 'type' | 'seq' | 'at'>): void {
    this.push({ type: 'invocation', seq: 0, at: '', ...fields, caller: fields.caller === null ? null : maskText(fields.caller) });
  }

  line(fn: string, line: string): void {
    this.push({ type: 'log', seq: 0, at: '', fn, line: maskText(line.length > MAX_LINE ? `${line.slice(0, MAX_LINE)}…` : line) });
  }

  recent(): LogEntry[] {
    return [...this.entries];
  }

  subscribe(listener: (entry: LogEntry) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private push(entry: LogEntry): void {
    entry.seq = ++this.seq;
    entry.at = new Date().toISOString();
    this.entries.push(entry);
    if (this.entries.length > KEEP) this.entries.splice(0, this.entries.length - KEEP);
    for (const listener of this.listeners) listener(entry);
  }
}
