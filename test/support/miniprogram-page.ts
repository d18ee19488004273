/**
 * Page tests under miniprogram-simulate, which renders components only: `loadPage()`
 * registers a page's `Page({...})` options as a component (data and methods as they
 * are; onLoad and onShow when attached; onShow/onHide with the page lifetimes), with
 * the page's own JSON and its usingComponents. Navigation calls (`wx.navigateTo`,
 * `redirectTo`, `reLaunch`, `switchTab`, `navigateBack`) are recorded, not performed.
 */
import path from 'node:path';
import { MINIPROGRAM_ROOT } from './miniprogram';
import { spawnEmulator, type EmulatorClient } from './emulator';

/**
 * The part of miniprogram-simulate used here. Tests pass the module in: importing it
 * here would pull the mini program's global typings (its own `require`, `Page`…) into
 * the Node project that type-checks test/.
 */
interface Simulate<T> {
  load(componentPath: string, options?: Record<string, unknown>): string;
  render(id: string, properties?: Record<string, unknown>): T;
}

/** Opens a page: its code runs, onLoad and onShow fire, its components attach. */
export function openPage<S extends Simulate<unknown>>(
  simulate: S,
  page: string,
  query: Record<string, string> = {},
): ReturnType<S['render']> {
  const comp = simulate.render(loadPage(simulate, page, query)) as ReturnType<S['render']> & { attach(parent: unknown): void };
  const { document } = globalThis as unknown as { document: { createElement(tag: string): unknown } };
  comp.attach(document.createElement('parent-wrapper'));
  return comp;
}

/**
 * The emulator a page test file runs against: spawned once with `admin` as the admin,
 * the functions in `warm` called once (a cold container can take seconds on a busy
 * machine), then reset — with a fresh module registry, so each test loads the app's
 * services anew — before each test. Hooks registered after this one run after it.
 */
export function usePageEmulator(options: { admin: string; warm: string[] }): EmulatorClient {
  let client: EmulatorClient | undefined;
  const c = () => {
    if (!client) throw new Error('the page emulator is not started yet (use it inside a test or hook)');
    return client;
  };
  beforeAll(async () => {
    client = await spawnEmulator({ env: { ADMIN_OPENIDS: options.admin } });
    for (const fn of options.warm) await client.call(fn, { $url: 'warm-up' }, 'o_warm_up');
  });
  afterAll(() => client?.stop());
  beforeEach(async () => {
    await c().reset();
    jest.resetModules();
  });
  return {
    get url() {
      return c().url;
    },
    call: (...args) => c().call(...args),
    http: (...args) => c().http(...args),
    mintCode: (...args) => c().mintCode(...args),
    docs: (...args) => c().docs(...args),
    reset: () => c().reset(),
    stop: () => c().stop(),
  };
}

type PageOptions = Record<string, unknown> & { data?: Record<string, unknown> };

export interface Navigation {
  how: 'navigateTo' | 'redirectTo' | 'reLaunch' | 'switchTab' | 'navigateBack';
  url: string;
}

/** Records navigation on the simulated `wx`; returns the list (emptied by each call). */
export function recordNavigation(): Navigation[] {
  const wx = (globalThis as unknown as { wx: Record<string, unknown> }).wx;
  const log: Navigation[] = [];
  for (const how of ['navigateTo', 'redirectTo', 'reLaunch', 'switchTab', 'navigateBack'] as const) {
    wx[how] = (options: { url?: string; success?: () => void; complete?: () => void } = {}) => {
      log.push({ how, url: options.url ?? '' });
      options.success?.();
      options.complete?.();
      return Promise.resolve({ errMsg: `${how}:ok` });
    };
  }
  return log;
}

/** Loads `pages/<name>/index` as a renderable component; `query` is what onLoad receives. */
function loadPage<T>(simulate: Simulate<T>, page: string, query: Record<string, string> = {}): string {
  const g = globalThis as unknown as { Page?: (options: PageOptions) => void; Component: (options: Record<string, unknown>) => void };
  const previous = g.Page;
  g.Page = (options: PageOptions) => {
    const methods: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(options)) if (typeof value === 'function') methods[key] = value;
    const call = (self: Record<string, unknown>, name: string, ...args: unknown[]) => {
      const fn = self[name];
      if (typeof fn === 'function') (fn as (...a: unknown[]) => unknown).apply(self, args);
    };
    g.Component({
      data: options.data ?? {},
      methods,
      lifetimes: {
        attached(this: Record<string, unknown>) {
          call(this, 'onLoad', query);
          call(this, 'onShow');
        },
        ready(this: Record<string, unknown>) {
          call(this, 'onReady');
        },
        detached(this: Record<string, unknown>) {
          call(this, 'onUnload');
        },
      },
      pageLifetimes: {
        show(this: Record<string, unknown>) {
          call(this, 'onShow');
        },
        hide(this: Record<string, unknown>) {
          call(this, 'onHide');
        },
      },
    });
  };
  try {
    return simulate.load(path.join(MINIPROGRAM_ROOT, page), { rootPath: MINIPROGRAM_ROOT });
  } finally {
    g.Page = previous;
  }
}

/** A page's JSON (navigationBarTitleText, usingComponents…). */
export function pageJson(page: string): { navigationBarTitleText?: string; usingComponents?: Record<string, string> } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path.join(MINIPROGRAM_ROOT, `${page}.json`));
}

/** The pages app.json lists, subpackages' included ("pages/home/index", "admin/settings/index", …). */
export function appPages(): string[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const app = require(path.join(MINIPROGRAM_ROOT, 'app.json')) as {
    pages: string[];
    subPackages?: Array<{ root: string; pages: string[] }>;
  };
  return [...app.pages, ...(app.subPackages ?? []).flatMap((sub) => sub.pages.map((page) => `${sub.root}/${page}`))];
}
