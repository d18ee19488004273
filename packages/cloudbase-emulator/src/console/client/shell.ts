/**
 * The console page's shell: the views by name (`#name/...` in the URL), the navigation,
 * and redraws when a function runs. The console registers its own views (main.ts); a
 * project's plug-in registers more from its client entries (../plugin.ts) with the same
 * `registerView`, and draws with ./dom.ts.
 */
import type { ConsoleOverview, LogEntry } from '../api';
import { api, errorText, h, replace } from './dom';
import { connectLog, onLogEntry } from './live-log';

export interface ConsoleView {
  /** The navigation's label. */
  title: string;
  /** Draws into `el`, a fresh element per visit; `path` is what follows `#name/` in the URL, decoded. */
  render(el: HTMLElement, path: string): Promise<void> | void;
}

const views = new Map<string, ConsoleView>();

/** Adds a view to the navigation: at the end, or right after the view named `after`. */
export function registerView(name: string, view: ConsoleView, options: { after?: string } = {}): void {
  if (views.has(name)) throw new Error(`console view "${name}" registered twice`);
  const entries = [...views];
  const at = options.after === undefined ? -1 : entries.findIndex(([key]) => key === options.after);
  entries.splice(at < 0 ? entries.length : at + 1, 0, [name, view]);
  views.clear();
  for (const [key, value] of entries) views.set(key, value);
}

interface Watch {
  el: HTMLElement;
  redraw(): unknown;
  ignore?(entry: LogEntry & { type: 'invocation' }): boolean;
  /** The redraw due (a burst of invocations waits for its end), and how many are running. */
  timer: ReturnType<typeof setTimeout> | null;
  running: number;
}

/** The one watch of the view on screen; a new visit drops it. */
let watch: Watch | null = null;

/**
 * Calls `redraw` shortly after each function invocation while `el` is on the page (a
 * burst of invocations redraws once). `ignore` leaves out invocations that change
 * nothing the view shows, such as the reads the view itself makes (redrawing on those
 * would loop). While a redraw is due or running, `el` carries `data-redraw="pending"`,
 * and `<body data-log-seq>` is the last live-log entry taken in (live-log.ts): together
 * they tell a test, without a clock, that the page is up to date with what has run.
 * A view left behind (its element no longer on the page) does not take the watch.
 */
export function watchInvocations(el: HTMLElement, redraw: () => unknown, ignore?: Watch['ignore']): void {
  if (!document.body.contains(el)) return;
  unwatch();
  watch = { el, redraw, ignore, timer: null, running: 0 };
}

function unwatch(): void {
  if (watch?.timer) clearTimeout(watch.timer);
  watch = null;
}

function settle(w: Watch): void {
  if (w.running === 0 && w.timer === null) delete w.el.dataset.redraw;
}

function nudge(entry: LogEntry): void {
  const w = watch;
  if (entry.type !== 'invocation' || !w || w.ignore?.(entry)) return;
  w.el.dataset.redraw = 'pending';
  if (w.timer) clearTimeout(w.timer);
  w.timer = setTimeout(() => {
    w.timer = null;
    if (watch !== w || !document.body.contains(w.el)) return settle(w);
    w.running++;
    void Promise.resolve()
      .then(() => w.redraw())
      .finally(() => {
        w.running--;
        settle(w);
      });
  }, 150);
}

async function show(): Promise<void> {
  const [name = '', ...rest] = location.hash.slice(1).split('/');
  const first = views.keys().next().value ?? '';
  const current = views.has(name) ? name : first;
  const view = views.get(current);
  const main = document.getElementById('view')!;
  // A fresh container per visit: a slow render of the view left behind lands in a detached element.
  const el = h('div', {});
  replace(main, el);
  unwatch();
  replace(
    document.getElementById('nav')!,
    [...views].map(([key, { title }]) =>
      h('a', { href: `#${key}`, class: key === current ? 'active' : '', 'data-testid': `tab-${key}` }, title),
    ),
  );
  try {
    await view?.render(el, decodeURIComponent(rest.join('/')));
  } catch (err) {
    replace(el, h('div', { class: 'error' }, errorText(err)));
  }
}

/** The header's environment line. */
export function showEnvironment(o: Pick<ConsoleOverview, 'envId' | 'appid'>): void {
  document.getElementById('env')!.textContent = `env ${o.envId} · appid ${o.appid}`;
}

/** Shows the view the URL names (the first registered when none) and follows the URL and the live log from then on. */
export function startConsole(): void {
  onLogEntry(nudge);
  connectLog();
  window.addEventListener('hashchange', () => void show());
  void show();
  api<ConsoleOverview>('GET', '/console/api/overview').then(showEnvironment, () => undefined);
}
