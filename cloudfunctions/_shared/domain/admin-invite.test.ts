import { INVITE_CODE, INVITE_LIFE_MS, inviteId, inviteProblem, newInviteCode, type InviteDoc } from './admin-invite';

test('codes are 10 unambiguous characters; the stored id is a hash, not the code', () => {
  const code = newInviteCode();
  expect(code).toMatch(INVITE_CODE);
  expect(newInviteCode(Buffer.alloc(10, 255))).toMatch(INVITE_CODE);
  expect(inviteId(code)).toMatch(/^[0-9a-f]{64}$/);
  expect(inviteId(code)).not.toContain(code);
  expect(inviteId(code)).toBe(inviteId(code));
});

test('an invite is good once, within its day', () => {
  const at = new Date('2026-05-01T00:00:00Z');
  const invite: InviteDoc = {
    _id: 'x',
    createdBy: 'o_boss',
    createdAt: at,
    expiresAt: new Date(at.getTime() + INVITE_LIFE_MS),
    usedBy: null,
    usedAt: null,
  };
  expect(inviteProblem(invite, at)).toBeNull();
  expect(inviteProblem(null, at)).toBe('unknown');
  expect(inviteProblem({ ...invite, usedBy: 'o_deputy' }, at)).toBe('used');
  expect(inviteProblem(invite, new Date(at.getTime() + INVITE_LIFE_MS))).toBe('expired');
});
