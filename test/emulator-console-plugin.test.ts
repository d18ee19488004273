/**
 * The console as the package serves it for a project that is not quickphone
 * (test/fixtures/plain-cloudbase), bare and with a plug-in of the project's own
 * (packages/cloudbase-emulator/src/console/plugin.ts): the console's own views and
 * routes work without quickphone's, a plug-in's routes answer under /console/api and are
 * masked and guarded as the console's own, and its client entry is bundled into the page.
 */
import { request } from 'node:http';
import { startEmulator, type TestEmulator } from './support/emulator';
import type { ConsoleCall, ConsoleMessages, ConsoleOverview, ConsolePage } from '../packages/cloudbase-emulator/src/console/api';
import type { ConsolePlugin } from '../packages/cloudbase-emulator/src/console/plugin';
import { NOTES_PLUGIN, PLAIN_PROJECT } from './fixtures/console-plugin/notes-plugin';

/** The fixture project as served with nothing of quickphone's (no encoder, no console plug-in). */
function startPlain(consolePlugin?: ConsolePlugin): Promise<TestEmulator> {
  return startEmulator({ projectRoot: PLAIN_PROJECT, encodeEnv: undefined, consolePlugin, strictIndexes: false });
}

/** Status, content type and text of one request (a non-JSON body too). */
function raw(base: string, method: string, path: string, body?: { type: string; text: string }) {
  return new Promise<{ status: number; type: string; text: string }>((resolve, reject) => {
    const headers = body ? { 'content-type': body.type, 'content-length': Buffer.byteLength(body.text) } : {};
    const req = request(`${base}${path}`, { method, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), text }));
    });
    req.on('error', reject);
    req.end(body?.text);
  });
}

describe('the console without a plug-in', () => {
  let emu: TestEmulator;
  beforeAll(async () => {
    emu = await startPlain();
  });
  afterAll(() => emu?.stop());

  test("the page is the package's, its views only", async () => {
    const page = await raw(emu.url, 'GET', '/');
    expect(page.text).toContain('<h1>cloudbase-emulator</h1>');
    const script = await raw(emu.url, 'GET', '/console/app.js');
    expect(script.status).toBe(200);
    for (const view of ['Overview', 'Data', 'Functions', 'Faults', 'Messages', 'Export / import']) expect(script.text).toContain(view);
    expect(script.text).not.toContain('Play a user');
    expect(script.text).not.toContain('Billing');
    const billing = await emu.http<{ error: { code: string } }>('GET', '/console/api/billing');
    expect(billing).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
  });

  test('a function is invoked as a user, and what it stored is shown with numbers masked', async () => {
    const call = await emu.http<ConsoleCall>('POST', '/console/api/invoke', {
      fn: 'notes',
      openid: 'o_ann',
      data: { action: 'add', text: 'call me on 13812348000', rank: 1 },
    });
    expect(call.body).toMatchObject({ ok: true, result: { id: expect.any(String) } });
    const overview = await emu.http<ConsoleOverview>('GET', '/console/api/overview');
    expect(overview.body.collections).toEqual([{ name: 'notes', count: 1 }]);
    const page = await emu.http<ConsolePage>('GET', '/console/api/db/notes');
    expect(page.body.docs).toMatchObject([{ owner: 'o_ann', text: 'call me on 138****8000', rank: 1 }]);
    expect(JSON.stringify(page.body)).not.toContain('13812348000');
  });

  test('subscribe messages reach the console masked', async () => {
    emu.emulator.wechat.subscribeMessages.accept('o_ann', ['tmpl-notes']);
    const token = emu.emulator.tokens.issue(emu.emulator.appid).access_token;
    const sent = await emu.http('POST', `/wechat/cgi-bin/message/subscribe/send?access_token=${token}`, {
      touser: 'o_ann',
      template_id: 'tmpl-notes',
      data: { character_string1: { value: '13812348000' }, thing2: { value: 'ring 13812348000' } },
    });
    expect(sent.body).toMatchObject({ errcode: 0 });
    const { body } = await emu.http<ConsoleMessages>('GET', '/console/api/messages');
    expect(body.messages).toMatchObject([
      {
        touser: 'o_ann',
        templateId: 'tmpl-notes',
        data: { character_string1: { value: '138****8000' }, thing2: { value: 'ring 138****8000' } },
      },
    ]);
  });
});

describe('the console with a plug-in', () => {
  let emu: TestEmulator;
  beforeAll(async () => {
    emu = await startPlain(NOTES_PLUGIN);
  });
  afterAll(() => emu?.stop());

  test("the plug-in's title is escaped into the page and its view is bundled after the console's", async () => {
    const page = await raw(emu.url, 'GET', '/');
    expect(page.text).toContain('<title>notes &#60;emulator&#62;</title>');
    const script = await raw(emu.url, 'GET', '/console/app.js');
    expect(script.status).toBe(200);
    expect(script.text).toContain('Notes per user');
    expect(script.text).toContain('/console/api/notes-by-owner');
    expect(script.text).toContain('Export / import');
  });

  test("the plug-in's routes answer masked, with dates as EJSON, and refuse as the console does", async () => {
    await emu.call('notes', { action: 'add', text: 'mine: 13812348000', rank: 1 }, 'o_ann');
    const byOwner = await emu.http<{ owners: Record<string, string[]> }>('GET', '/console/api/notes-by-owner');
    expect(byOwner).toEqual({ status: 200, body: { owners: { o_ann: ['mine: 138****8000'] } } });

    const echo = await emu.http('POST', '/console/api/echo', { text: 'hi' });
    expect(echo).toEqual({ status: 200, body: { text: 'hi', at: { $date: '2026-03-01T00:00:00Z' } } });
    expect(await emu.http('POST', '/console/api/echo', { text: 1 })).toMatchObject({
      status: 400,
      body: { error: { code: 'INVALID_ARGUMENT', message: 'text must be a string' } },
    });
    // The console's guards hold for a plug-in's routes: a form post is refused before the handler runs.
    expect((await raw(emu.url, 'POST', '/console/api/echo', { type: 'application/x-www-form-urlencoded', text: 'text=hi' })).status).toBe(
      415,
    );
    // Only the method a route declares.
    expect((await emu.http('GET', '/console/api/echo')).status).toBe(404);
  });
});
