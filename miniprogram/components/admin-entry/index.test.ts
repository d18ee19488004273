/** admin-entry: the way into the admin pages exists only for admins. */
import path from 'node:path';
import simulate from 'miniprogram-simulate';
import { spawnEmulator, type EmulatorClient } from '../../../test/support/emulator';
import { eventually, routeCloudToEmulator } from '../../../test/support/miniprogram';

let t: EmulatorClient;
beforeAll(async () => {
  t = await spawnEmulator({ env: { ADMIN_OPENIDS: 'o_admin_0001' } });
});
afterAll(() => t.stop());
beforeEach(() => jest.resetModules());

async function mountAs(openid: string) {
  routeCloudToEmulator(t.url, openid);
  const comp = simulate.render(simulate.load(path.join(__dirname, 'index'), 'admin-entry'));
  comp.attach(document.createElement('parent-wrapper'));
  await eventually(() => expect(comp.data.checked).toBe(true));
  return comp;
}

test('an admin sees the entry to the admin pages', async () => {
  const comp = await mountAs('o_admin_0001');
  expect(comp.querySelector('.admin-entry')).toBeTruthy();
});

test('anyone else does not', async () => {
  const comp = await mountAs('o_customer_01');
  expect(comp.querySelector('.admin-entry')).toBeFalsy();
});
