/**
 * The emulator console driven in a real headless Chromium (Debian's `chromium`, through
 * playwright-core; nothing is downloaded). Run with `npm run test:browser`; plain
 * `npm test` does not run this folder. A user is played from the page, the charge shows
 * in both columns of the billing view, a fault makes the next bind fail, and no raw
 * phone number ever reaches the page. One test takes the billing view's screenshot
 * (docs/console-billing.png with UPDATE_SCREENSHOTS=1); the last serves another project
 * (test/fixtures/plain-cloudbase) with a console plug-in of its own.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startEmulator, type TestEmulator } from '../support/emulator';
import { NOTES_PLUGIN, PLAIN_PROJECT } from '../fixtures/console-plugin/notes-plugin';
import { callData } from '../support/envelope';

const ADMIN = 'o_console_admin';
const ROOT = join(__dirname, '..', '..');

function chromiumPath(): string {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].filter(
    (p): p is string => Boolean(p),
  );
  const found = candidates.find((p) => existsSync(p));
  if (!found)
    throw new Error('No Chromium found. Install it first (Debian/Ubuntu: sudo apt-get install -y chromium) or set CHROMIUM_PATH.');
  return found;
}

let emu: TestEmulator;
let browser: Browser;
let page: Page;
/** Every answer the page got from the emulator, to check for raw numbers. */
const answers: string[] = [];

beforeAll(async () => {
  emu = await startEmulator({ env: { ADMIN_OPENIDS: ADMIN } });
  browser = await chromium.launch({ executablePath: chromiumPath() });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('response', (res) => {
    if (!res.url().includes('/events'))
      void res.text().then(
        (t) => answers.push(t),
        () => undefined,
      );
  });
});

afterAll(async () => {
  await browser?.close();
  await emu?.stop();
});

afterEach(async () => {
  await expectNoRawNumber();
});

const byTestId = (id: string) => page.getByTestId(id);

/** Waits until an element's text is exactly `text` (the page redraws on its own). */
async function textToBe(testId: string, text: string): Promise<void> {
  await page.waitForFunction(
    ([id, want]) =>
      (
        globalThis as unknown as { document: { querySelector(selector: string): { textContent: string | null } | null } }
      ).document.querySelector(`[data-testid="${id}"]`)?.textContent === want,
    [testId, text] as const,
  );
}

/**
 * Resolves once the page has taken in every live-log entry the emulator has pushed so
 * far (`<body data-log-seq>`) and no redraw those set off is due or running
 * (`data-redraw`, client/shell.ts): the page is up to date with what has run, no clock.
 */
async function upToDate(): Promise<void> {
  const last = emu.emulator.invocationLog.recent().at(-1)?.seq ?? 0;
  await page.waitForFunction((seq) => {
    const doc = (
      globalThis as unknown as { document: { body: { dataset: Record<string, string | undefined> }; querySelector(s: string): unknown } }
    ).document;
    return Number(doc.body.dataset.logSeq ?? 0) >= seq && doc.querySelector('[data-redraw]') === null;
  }, last);
}

async function open(hash: string): Promise<void> {
  await page.goto(`${emu.url}/#${hash}`);
  await page.waitForLoadState('domcontentloaded');
}

/** Raw numbers the emulator holds (sandbox codes, verified phones): none may be in the page, its fields, or what it was sent. */
async function expectNoRawNumber(): Promise<void> {
  const numbers = new Set<string>();
  for (const c of emu.emulator.sandbox.snapshot()) numbers.add(c.phoneNumber);
  for (const u of emu.emulator.store.find('users', {})) {
    const phone = (u as { phone?: { purePhoneNumber?: string } }).phone;
    if (phone?.purePhoneNumber) numbers.add(phone.purePhoneNumber);
  }
  const fields = (
    await page.locator('input, textarea').evaluateAll((els) => els.map((e) => (e as unknown as { value: string }).value))
  ).join('\n');
  const seen = [await page.content(), fields, ...answers].join('\n');
  for (const n of numbers) expect(seen).not.toContain(n);
}

test('overview: every function with its containers, timer buttons, every collection', async () => {
  await emu.call('auth', { $url: 'session' }, 'o_warmup');
  await open('overview');
  await byTestId('functions').waitFor();
  for (const name of emu.emulator.functionNames()) await byTestId(`function-${name}`).waitFor();
  for (const name of ['admin', 'auth', 'cron', 'provider']) expect(emu.emulator.functionNames()).toContain(name);
  expect(await byTestId('function-auth').locator('td').nth(1).textContent()).toBe('1');
  const collections = await byTestId('collections').textContent();
  for (const name of emu.emulator.store.collectionNames()) expect(collections).toContain(name);
  expect(await byTestId('env-id').textContent()).toBe('quickphone-local');

  await byTestId('fire-cron-hourly').click();
  await byTestId('fire-status').getByText('cron/hourly fired: OK').waitFor();
});

test('play a user: the charge appears on WeChat’s side and ours, in the play view and the billing view', async () => {
  await open('play');
  await byTestId('play-openid').fill('o_browser_1');
  await byTestId('play-tap').click();
  await byTestId('play-step').filter({ hasText: 'auth.bindPhone' }).filter({ hasText: 'OK' }).waitFor();
  await textToBe('strip-ours-quick', '1');
  expect(await byTestId('strip-wechat-quick').textContent()).toBe('1');

  await open('billing');
  await byTestId('billing').waitFor();
  expect(await byTestId('wechat-quick').textContent()).toBe('1');
  expect(await byTestId('ours-quick').textContent()).toBe('1');
  expect(await byTestId('daily-quick').textContent()).toBe('1');
  const summary = await callData(emu, 'admin', 'usage.summary', {}, ADMIN);
  expect(await byTestId('summary-cost').textContent()).toBe(`¥${summary.totals.costYuan}`);
  expect(await byTestId('breaker').textContent()).toContain('armed');
  const codes = await byTestId('codes').textContent();
  expect(codes).toMatch(/exchanged.*ok.*counted.*138\*{4}\d{4}/s);
});

test('play a user: a button the app hides is not tapped; the attacker tap is a separate, labelled button', async () => {
  await open('play');
  await byTestId('play-openid').fill('o_browser_1'); // bound by the test above: the app hides the button
  const billed = emu.emulator.sandbox.snapshot().length;
  await byTestId('play-tap').click();
  await byTestId('play-step').filter({ hasText: 'hiddenBecause "already-bound": 已绑定手机号' }).waitFor();
  expect(emu.emulator.sandbox.snapshot()).toHaveLength(billed);

  expect(await byTestId('play-attacker-tap').textContent()).toBe('Tap anyway, as an attacker would');
  await byTestId('play-attacker-tap').click();
  await byTestId('play-step').filter({ hasText: 'As an attacker would' }).waitFor();
  await byTestId('play-step').filter({ hasText: 'auth.bindPhone' }).waitFor();
  expect(emu.emulator.sandbox.snapshot()).toHaveLength(billed + 1);
});

test('billing view moves while a user plays in another tab', async () => {
  await open('billing');
  await byTestId('billing').waitFor();
  const before = Number(await byTestId('wechat-quick').textContent());
  const other = await browser.newPage();
  try {
    await other.goto(`${emu.url}/#play`);
    await other.getByTestId('play-openid').fill('o_browser_2');
    await other.getByTestId('play-tap').click();
    await other.getByTestId('play-step').filter({ hasText: 'auth.bindPhone' }).filter({ hasText: 'OK' }).waitFor();
  } finally {
    await other.close();
  }
  // The live log tells the billing view to redraw: no reload.
  await textToBe('ours-quick', String(before + 1));
  expect(await byTestId('wechat-quick').textContent()).toBe(String(before + 1));
  // The view's own admin calls do not set off another redraw: once drawn, it stays quiet.
  const adminCalls = () => {
    const { cold, warm } = emu.emulator.containerStats().admin!;
    return cold + warm;
  };
  await upToDate();
  const settled = adminCalls();
  // The last redraw's own admin calls have run; once the page has taken their log entries
  // in, a loop would show as a redraw due or running (upToDate waits it out) and more calls.
  await upToDate();
  expect(adminCalls()).toBe(settled);
});

test('a fault added in the console makes the next bind fail, then is cleared', async () => {
  await open('faults');
  await byTestId('fault-target').fill('openapi:phonenumber.getPhoneNumber');
  await byTestId('fault-errcode').fill('-1');
  await byTestId('fault-times').fill('5');
  await byTestId('fault-add').click();
  await byTestId('faults').getByText('openapi:phonenumber.getPhoneNumber').waitFor();

  await open('play');
  await byTestId('play-openid').fill('o_browser_3');
  await byTestId('play-tap').click();
  const step = byTestId('play-step').filter({ hasText: 'auth.bindPhone' });
  await step.waitFor();
  expect(await step.textContent()).toContain('UPSTREAM_UNAVAILABLE');

  await open('billing');
  await byTestId('billing').waitFor();
  // WeChat charged for the code all the same, and our ledger recorded it as failed.
  expect(await byTestId('codes').locator('tr', { hasText: 'o_browser_3' }).textContent()).toMatch(/failed/);
  expect(await byTestId('wechat-quick').textContent()).toBe(await byTestId('ours-quick').textContent());

  await open('faults');
  await byTestId('fault-clear').click();
  await page.getByText('Waiting faults (0)').waitFor();
  expect(emu.emulator.faults.list()).toEqual([]);
});

test('messages: a subscribe message sent over HTTPS shows up with its data', async () => {
  emu.emulator.wechat.subscribeMessages.accept(ADMIN, ['tmpl-console']);
  const token = emu.emulator.tokens.issue(emu.emulator.appid).access_token;
  await emu.http('POST', `/wechat/cgi-bin/message/subscribe/send?access_token=${token}`, {
    touser: ADMIN,
    template_id: 'tmpl-console',
    page: 'admin/usage/index',
    data: { thing1: { value: '手机号登录已暂停（熔断）' } },
  });
  await open('messages');
  const row = byTestId('subscribe-messages').locator('tr', { hasText: ADMIN });
  await row.waitFor();
  expect(await row.textContent()).toContain('thing1: 手机号登录已暂停（熔断）');
});

test('functions: invoke a route as an OPENID; the live log shows it as it happens', async () => {
  await open('functions');
  await byTestId('invoke-fn').selectOption('auth');
  await byTestId('invoke-route').fill('session');
  await byTestId('invoke-openid').fill('o_browser_1');
  await byTestId('invoke-data').fill('{}');
  await byTestId('invoke').click();
  await byTestId('invoke-result')
    .getByText(/"ok": true/)
    .waitFor();
  expect(await byTestId('invoke-result').textContent()).toContain('138****');
  await byTestId('log-invocation').filter({ hasText: 'session' }).filter({ hasText: 'o_browser_1' }).first().waitFor();

  await byTestId('invoke-fn').selectOption('admin');
  await byTestId('invoke-route').fill('settings.get');
  await byTestId('invoke-openid').fill('o_nobody');
  await byTestId('invoke').click();
  await byTestId('log-invocation').filter({ hasText: 'settings.get' }).filter({ hasText: 'FORBIDDEN' }).first().waitFor();
});

test('data: collections, paging, JSON view, editing a user keeps the number behind its mask, adding a document', async () => {
  for (let i = 0; i < 25; i++)
    await emu.http('PUT', `/v1/db/phone_events/seed${String(i).padStart(2, '0')}`, { type: 'deny', at: { $date: '2026-03-01T00:00:00Z' } });
  // A field only the last document has is still a column of the first page.
  await emu.http('PUT', '/v1/db/phone_events/zz_fail', { type: 'fail', errMsg: 'getPhoneNumber:fail privacy' });
  await open('data/phone_events');
  await page.getByText('1–20 of 26').waitFor();
  expect(await byTestId('docs').locator('th').allTextContents()).toEqual(['_id', 'type', 'at', 'errMsg']);
  await byTestId('page-next').click();
  await page.getByText('21–26 of 26').waitFor();
  await byTestId('page-prev').click();
  await page.getByText('1–20 of 26').waitFor();

  page.once('dialog', (dialog) => void dialog.accept());
  await byTestId('docs').locator('tr', { hasText: 'seed00' }).click();
  await byTestId('doc-delete').click();
  await page.getByText('deleted seed00').waitFor();
  expect((await emu.docs<{ _id: string }>('phone_events')).map((d) => d._id)).not.toContain('seed00');

  await open('data/users');
  await byTestId('docs').locator('tr', { hasText: 'o_browser_1' }).click();
  const text = await byTestId('doc-json').inputValue();
  expect(text).toMatch(/138\*{4}\d{4}/);
  const stored = emu.emulator.store.find('users', { _id: 'o_browser_1' })[0] as { phone: { purePhoneNumber: string } };
  await byTestId('doc-json').fill(JSON.stringify({ ...JSON.parse(text), nickname: 'Browser One' }, null, 2));
  await byTestId('doc-save').click();
  await page.getByText('saved o_browser_1').waitFor();
  const after = emu.emulator.store.find('users', { _id: 'o_browser_1' })[0] as { nickname: string; phone: { purePhoneNumber: string } };
  expect(after.nickname).toBe('Browser One');
  expect(after.phone.purePhoneNumber).toBe(stored.phone.purePhoneNumber);

  await open('data/settings');
  await byTestId('doc-new').click();
  await byTestId('doc-id').fill('global');
  await byTestId('doc-json').fill('{ "hidePrices": true }');
  await byTestId('doc-save').click();
  await page.getByText('saved global').waitFor();
  expect(await emu.docs('settings')).toEqual([{ _id: 'global', hidePrices: true }]);
});

test('export from the console, reset, import the file back', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'console-export-'));
  try {
    await open('transfer');
    const [download] = await Promise.all([page.waitForEvent('download'), byTestId('export').click()]);
    const file = join(dir, 'export.json');
    await download.saveAs(file);
    const charges = (await emu.docs('phone_charges')).length;
    expect(charges).toBeGreaterThan(0);
    await emu.reset();
    expect(await emu.docs('phone_charges')).toEqual([]);

    await byTestId('import-file').setInputFiles(file);
    await byTestId('import').click();
    await byTestId('import-status')
      .getByText(/imported/)
      .waitFor();
    expect(await emu.docs('phone_charges')).toHaveLength(charges);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the billing view, with a code WeChat charged that never reached us (screenshot for the README)', async () => {
  await emu.mintCode({ phoneNumber: '13900001111', openid: 'o_closed_the_app' });
  await open('play');
  await byTestId('play-openid').fill('o_browser_4');
  await byTestId('play-deny').click();
  await byTestId('play-step').filter({ hasText: 'deny' }).filter({ hasText: 'OK' }).waitFor();

  await open('billing');
  await byTestId('billing').waitFor();
  const { body: billing } = await emu.http<{ difference: { yuan: string; byKind: { quick: { wechatMinusOurs: number } } } }>(
    'GET',
    '/console/api/billing',
  );
  expect(billing.difference.byKind.quick.wechatMinusOurs).toBe(1);
  expect(await byTestId('difference-yuan').textContent()).toBe(`¥${billing.difference.yuan}`);
  expect(await byTestId('explanations').textContent()).toContain('never reached auth.bindPhone');
  const target = process.env.UPDATE_SCREENSHOTS ? join(ROOT, 'docs') : join(ROOT, 'build', 'screenshots');
  mkdirSync(target, { recursive: true });
  await page.screenshot({ path: join(target, 'console-billing.png'), fullPage: true });
});

test('data: reset empties everything after a confirmation', async () => {
  await open('data/users');
  await byTestId('docs').locator('tr').nth(1).waitFor();
  page.once('dialog', (dialog) => void dialog.dismiss());
  await byTestId('reset-all').click();
  expect((await emu.docs('users')).length).toBeGreaterThan(0);
  page.once('dialog', (dialog) => void dialog.accept());
  await byTestId('reset-all').click();
  await page.getByText('everything reset').waitFor();
  expect(await emu.docs('users')).toEqual([]);
  expect(emu.emulator.sandbox.snapshot()).toEqual([]);
});

test("another project's console: the package's views, and a plug-in's view registered after the overview", async () => {
  const plain = await startEmulator({
    projectRoot: PLAIN_PROJECT,
    encodeEnv: undefined,
    consolePlugin: NOTES_PLUGIN,
    strictIndexes: false,
  });
  const other = await browser.newPage();
  try {
    await plain.call('notes', { action: 'add', text: 'from the test', rank: 1 }, 'o_ann');
    await other.goto(`${plain.url}/#notes`);
    await other.getByTestId('notes-by-owner').waitFor();
    expect(await other.getByTestId('notes-by-owner').textContent()).toBe('{"o_ann":["from the test"]}');
    expect(await other.locator('h1').textContent()).toBe('notes <emulator>');
    expect(await other.locator('#nav a').allTextContents()).toEqual([
      'Overview',
      'Notes per user',
      'Data',
      'Functions',
      'Faults',
      'Messages',
      'Export / import',
    ]);
    await other.getByTestId('tab-data').click();
    await other.getByTestId('collection-notes').waitFor();
  } finally {
    await other.close();
    await plain.stop();
  }
});
