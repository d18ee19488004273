/**
 * `npm start` keeps its data: what a session wrote is there after Ctrl-C and a restart,
 * phone codes included; a corrupt state file is reported, never silently dropped.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnEmulator, type EmulatorClient } from './support/emulator';
import { callData } from './support/envelope';

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'quickphone-data-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

/** subscribeMessage.send over HTTPS, as a function with credentials sends it. */
async function sendAlert(emulator: EmulatorClient) {
  const grant = { grant_type: 'client_credential', appid: 'wx5eed1e0c0ffee001', secret: 'x' };
  const { access_token: token } = (await emulator.http<{ access_token: string }>('POST', '/wechat/cgi-bin/stable_token', grant)).body;
  const message = { touser: 'o_kept', template_id: 'tmpl-kept', data: { thing1: { value: '额度不足' } } };
  return (await emulator.http('POST', `/wechat/cgi-bin/message/subscribe/send?access_token=${token}`, message)).body;
}

test('data written before Ctrl-C is there after a restart', async () => {
  const first = await spawnEmulator({ dataDir, signal: 'SIGINT' });
  await first.call('auth', { $url: 'session' }, 'o_kept');
  await first.http('PUT', '/v1/db/settings/global', { version: 7, hidePrices: true, changedAt: { $date: '2026-01-02T03:04:05.000Z' } });
  const code = await first.mintCode({ phoneNumber: '13800138000', openid: 'o_kept' });
  // An admin's subscribe-message credits and the messages sent are WeChat's state too.
  await first.http('POST', '/v1/wechat/subscriptions', { openid: 'o_kept', templateIds: ['tmpl-kept'] });
  await first.http('POST', '/v1/wechat/subscriptions', { openid: 'o_kept', templateIds: ['tmpl-kept'] });
  expect(await sendAlert(first)).toEqual({ errcode: 0, errmsg: 'ok' });
  await first.stop();

  const second = await spawnEmulator({ dataDir });
  try {
    expect((await second.docs<{ _id: string }>('users')).map((u) => u._id)).toEqual(['o_kept']);
    expect(await second.docs('settings')).toEqual([{ _id: 'global', version: 7, hidePrices: true, changedAt: '2026-01-02T03:04:05.000Z' }]);
    const { body } = await second.http<{ total: number; codes: Array<{ code: string }> }>('GET', '/v1/wechat/charges');
    expect(body.codes.map((c) => c.code)).toEqual([code]);
    const { body: sent } = await second.http<{ messages: unknown[] }>('GET', '/v1/wechat/subscribe-messages');
    expect(sent.messages).toEqual([expect.objectContaining({ touser: 'o_kept', templateId: 'tmpl-kept' })]);
    expect(await sendAlert(second)).toEqual({ errcode: 0, errmsg: 'ok' }); // the second credit
    expect(await sendAlert(second)).toMatchObject({ errcode: 43101 });
    // The restored document is still a date to queries, not a string.
    expect((await callData(second, 'auth', 'session', {}, 'o_kept')).settings.hidePrices).toBe(true);
  } finally {
    await second.stop();
  }
});

test('a corrupt state file stops the start with a clear message', async () => {
  writeFileSync(join(dataDir, 'state.json'), '{ not json');
  await expect(spawnEmulator({ dataDir })).rejects.toThrow(/state\.json/);
});
