/**
 * The app's configuration as WeChat reads it: Chinese titles, the pages it lists exist,
 * dark mode with every theme variable defined, admin and provider pages out of search.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const root = __dirname;
const json = (file: string) => JSON.parse(readFileSync(path.join(root, file), 'utf8'));
const app = json('app.json') as {
  pages: string[];
  window: Record<string, string>;
  darkmode?: boolean;
  themeLocation?: string;
  sitemapLocation: string;
};
const CHINESE = /[\u4e00-\u9fa5]/;

test('the app opens on home, not on a page that asks for login (帐号登录功能规范); login is a page', () => {
  expect(app.pages[0]).toBe('pages/home/index');
  expect(app.pages).toContain('pages/login/index');
});

test.each(app.pages)('%s exists (ts, wxml, json) and has a Chinese title', (page) => {
  for (const ext of ['ts', 'wxml', 'json']) expect(existsSync(path.join(root, `${page}.${ext}`))).toBe(true);
  expect(json(`${page}.json`).navigationBarTitleText).toMatch(CHINESE);
});

test('the default title is Chinese, not the project name', () => {
  expect(app.window.navigationBarTitleText).toMatch(CHINESE);
  expect(app.window.navigationBarTitleText).not.toMatch(/quickphone/i);
});

test('dark mode: on, with a theme file defining every @variable for light and dark', () => {
  expect(app.darkmode).toBe(true);
  expect(app.themeLocation).toBeTruthy();
  const theme = json(app.themeLocation!) as { light: Record<string, string>; dark: Record<string, string> };
  const variables = Object.values(app.window)
    .filter((v) => typeof v === 'string' && v.startsWith('@'))
    .map((v) => v.slice(1));
  expect(variables.length).toBeGreaterThan(0);
  for (const v of variables) {
    expect(theme.light[v]).toBeTruthy();
    expect(theme.dark[v]).toBeTruthy();
  }
  // Text style must be WeChat's two words.
  expect(['black', 'white']).toContain(theme.light.navTxtStyle);
  expect(['black', 'white']).toContain(theme.dark.navTxtStyle);
});

test('sitemap: admin and provider pages are kept out of WeChat search, before any allow rule', () => {
  const sitemap = json(app.sitemapLocation) as { rules: Array<{ action: string; page: string }> };
  const firstAllowAll = sitemap.rules.findIndex((r) => r.action === 'allow' && r.page === '*');
  for (const page of app.pages.filter((p) => /admin|provider/.test(p))) {
    const rule = sitemap.rules.findIndex((r) => r.action === 'disallow' && r.page === page);
    expect(rule).toBeGreaterThanOrEqual(0);
    if (firstAllowAll >= 0) expect(rule).toBeLessThan(firstAllowAll);
  }
});

test("WeChat's own compilers (wcc for wxml, wcsc for wxss) accept every template and style", () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { wxmlToJs, wxssToJs } = require('miniprogram-compiler') as { wxmlToJs(root: string): string; wxssToJs(root: string): string };
  expect(() => wxmlToJs(root)).not.toThrow();
  expect(() => wxssToJs(root)).not.toThrow();
});
