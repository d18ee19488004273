/** The console's tiny DOM and HTTP helpers (no framework: the page is a handful of tables and forms). */

type Child = Node | string | number | null | undefined | false | Child[];
type Attrs = Record<string, string | number | boolean | null | undefined | ((e: Event) => void)>;

/** h('button', { onclick: f, 'data-testid': 'x' }, 'Label') */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') el.addEventListener(key.replace(/^on/, ''), value);
    else if (key === 'value' && 'value' in el) (el as HTMLInputElement).value = String(value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

export function replace(el: Element, ...children: Child[]): void {
  el.textContent = '';
  append(el, children);
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** JSON over fetch; an HTTP error becomes an ApiError with the emulator's code and message. */
export async function api<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    // The emulator takes writes only as JSON, a bodiless POST too (its guard against cross-site forms).
    headers: method === 'GET' ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  const value = text ? JSON.parse(text) : undefined;
  if (!res.ok) throw new ApiError(res.status, value?.error?.code ?? `HTTP_${res.status}`, value?.error?.message ?? text);
  return value as T;
}

export function errorText(err: unknown): string {
  return err instanceof ApiError ? `${err.code}: ${err.message}` : err instanceof Error ? err.message : String(err);
}

export function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

/** A date from the API ({ $date } or ISO string) as local "YYYY-MM-DD HH:MM:SS". */
export function when(value: unknown): string {
  const raw = value && typeof value === 'object' && '$date' in (value as object) ? (value as { $date: string }).$date : value;
  if (typeof raw !== 'string' && typeof raw !== 'number') return '';
  const d = new Date(raw);
  if (Number.isNaN(d.getTime())) return String(raw);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

export function duration(ms: number): string {
  const s = Math.floor(ms / 1000);
  const parts = [
    Math.floor(s / 86400) && `${Math.floor(s / 86400)}d`,
    Math.floor(s / 3600) % 24 && `${Math.floor(s / 3600) % 24}h`,
    Math.floor(s / 60) % 60 && `${Math.floor(s / 60) % 60}m`,
    `${s % 60}s`,
  ];
  return parts.filter(Boolean).join(' ');
}

export function table(head: Array<string | [string, string]>, rows: Node[], attrs: Attrs = {}): HTMLTableElement {
  return h(
    'table',
    attrs,
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        head.map((c) => (Array.isArray(c) ? h('th', { class: c[1] }, c[0]) : h('th', {}, c))),
      ),
    ),
    h('tbody', {}, rows),
  );
}

export function pill(text: string, tone: 'ok' | 'bad' | 'warn' | '' = ''): HTMLElement {
  return h('span', { class: `pill ${tone}` }, text);
}
