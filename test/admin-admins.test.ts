/**
 * At least one admin, always (issue 10, point 5): two admins removing each other at
 * the same moment never leave none. The check reads inside the transaction and
 * writes the admin it relies on, so under snapshot isolation the two removals
 * conflict instead of both passing.
 */
import { startEmulator, type TestEmulator } from './support/emulator';
import { callData, callRoute } from './support/envelope';
import { inviteId } from '../cloudfunctions/_shared/domain/admin-invite';

let t: TestEmulator;
beforeAll(async () => {
  // No ADMIN_OPENIDS: the collection is the only source of admins.
  t = await startEmulator({ maxContainersPerFunction: 6 });
});
afterAll(() => t.stop());
beforeEach(() => t.reset());

const remove = (by: string, openid: string) => callRoute(t, 'admin', 'admins.remove', { openid }, by);
const seedAdmin = (openid: string) => t.http('PUT', `/v1/db/admins/${openid}`, { addedBy: 'test', addedAt: new Date().toISOString() });

test('two admins removing each other at the same moment: one stays, every time', async () => {
  for (let trial = 0; trial < 10; trial++) {
    await t.reset();
    await seedAdmin('o_admin_a1');
    await seedAdmin('o_admin_b1');
    const answers = await Promise.all([remove('o_admin_a1', 'o_admin_b1'), remove('o_admin_b1', 'o_admin_a1')]);
    const left = await t.docs<{ _id: string }>('admins');
    expect({ trial, left: left.length }).toEqual({ trial, left: 1 });
    expect(answers.filter((a) => a.ok)).toHaveLength(1);
    // The other is refused: the last admin stays (CONFLICT), or it was no longer an admin when it asked (FORBIDDEN).
    expect(['CONFLICT', 'FORBIDDEN']).toContain(answers.flatMap((a) => (a.ok ? [] : [a.error.code]))[0]);
  }
});

test('three admins, each removing the next at once: at least one stays', async () => {
  for (let trial = 0; trial < 5; trial++) {
    await t.reset();
    const ids = ['o_admin_a1', 'o_admin_b1', 'o_admin_c1'];
    for (const id of ids) await seedAdmin(id);
    await Promise.all(ids.map((id, i) => remove(id, ids[(i + 1) % ids.length]!)));
    expect((await t.docs('admins')).length).toBeGreaterThanOrEqual(1);
  }
});

test('the last admin cannot be removed, and removing a non-admin is NOT_FOUND', async () => {
  await seedAdmin('o_admin_a1');
  expect(await remove('o_admin_a1', 'o_admin_a1')).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
  expect(await remove('o_admin_a1', 'o_nobody_1')).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  expect(await t.docs('admins')).toHaveLength(1);
});

describe('invites: a second admin without typing an openid (issue 23, point 9)', () => {
  const invite = (by: string) => callRoute(t, 'admin', 'admins.invite', {}, by);
  const accept = (code: string, openid: string) => callRoute(t, 'auth', 'acceptAdminInvite', { code }, openid);
  const list = async (by: string) => (await callData(t, 'admin', 'admins.list', {}, by)).admins.map((a) => a.openid);

  test('an admin invites, another user opens the code and is an admin; the code works once and is not stored', async () => {
    await seedAdmin('o_admin_a1');
    const made = await invite('o_admin_a1');
    if (!made.ok) throw new Error(made.error.message);
    expect(made.data.code).toMatch(/^[A-Z2-9]{10}$/);
    expect(Date.parse(made.data.expiresAt) - Date.now()).toBeGreaterThan(23 * 3600 * 1000);
    expect(JSON.stringify(await t.docs('admin_invites'))).not.toContain(made.data.code);

    expect(await accept(made.data.code.toLowerCase(), 'o_deputy_1')).toEqual({ ok: true, data: { isAdmin: true } });
    expect(await list('o_deputy_1')).toEqual(['o_admin_a1', 'o_deputy_1']);
    expect(await accept(made.data.code, 'o_stranger')).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(await list('o_admin_a1')).not.toContain('o_stranger');
  });

  test('only an admin invites; unknown, malformed or expired codes make nobody an admin', async () => {
    await seedAdmin('o_admin_a1');
    expect(await invite('o_stranger')).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await accept('ABCDEFGHJK', 'o_stranger')).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await accept('x', 'o_stranger')).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    const code = 'ABCDEFGHJM';
    await t.http('PUT', `/v1/db/admin_invites/${inviteId(code)}`, {
      createdBy: 'o_admin_a1',
      createdAt: { $date: new Date(Date.now() - 48 * 3600 * 1000).toISOString() },
      expiresAt: { $date: new Date(Date.now() - 24 * 3600 * 1000).toISOString() },
      usedBy: null,
      usedAt: null,
    });
    expect(await accept(code, 'o_stranger')).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(await t.docs('admins')).toHaveLength(1);
  });
});
