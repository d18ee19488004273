/**
 * Invite codes for adding an admin without typing an openid: an admin makes one, shares
 * it (a WeChat share card or the code itself), and whoever opens it while it lives
 * becomes an admin, once. Only the code's hash is stored, so the collection does not
 * hold a usable code.
 */
import { createHash, randomBytes } from 'node:crypto';

/** How long an invite may be accepted: a day is enough to forward it in a chat. */
export const INVITE_LIFE_MS = 24 * 3600 * 1000;

/** No 0/O or 1/I/L: read aloud or copied by hand without mistakes. */
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const INVITE_CODE = /^[A-HJ-KM-NP-Z2-9]{10}$/;

/** 10 characters of 31: about 2^49 codes, so guessing one within its day is hopeless. */
export function newInviteCode(bytes: Buffer = randomBytes(10)): string {
  return Array.from(bytes.subarray(0, 10), (b) => ALPHABET[b % ALPHABET.length]).join('');
}

/** The document id an invite is stored under: its code's hash, never the code. */
export function inviteId(code: string): string {
  return createHash('sha256').update(`admin-invite:${code}`, 'utf8').digest('hex');
}

export interface InviteDoc {
  _id: string;
  createdBy: string;
  createdAt: Date;
  expiresAt: Date;
  usedBy: string | null;
  usedAt: Date | null;
}

type InviteProblem = 'unknown' | 'used' | 'expired';

/** Why an invite cannot be accepted now, or null when it can. */
export function inviteProblem(invite: InviteDoc | null, at: Date): InviteProblem | null {
  if (!invite) return 'unknown';
  if (invite.usedBy) return 'used';
  if (new Date(invite.expiresAt).getTime() <= at.getTime()) return 'expired';
  return null;
}
