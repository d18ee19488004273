/**
 * Which paid button a phone is offered, and which kind a tap is booked as. The merchant
 * chooses the kind; the real-time button needs base library 2.24.4, so a phone that
 * cannot show it is offered the quick one — and WeChat bills what the phone showed. The
 * phone says which buttons it can show (`phoneButtons`, read from its base library).
 *
 * One user may open the mini program on two phones (an old one offered quick, a new one
 * real-time), so the server remembers when it last offered each kind, and books the kind
 * a bindPhone call claims only when it offered that kind to this user recently; any
 * other claim prices nothing, and the latest offer is booked.
 */
import type { PhoneKind } from './settings';

/** The offers remembered on a user: the latest, and when each kind was last offered. */
export interface Offers {
  kind: PhoneKind;
  at: Date;
  kinds?: Partial<Record<PhoneKind, Date>>;
}

const DAY_MS = 24 * 3600_000;
/**
 * How long an offer lets a claim of its kind price a tap. A mini program in the
 * background is closed by WeChat long before this, and every launch offers again.
 */
export const OFFER_HONOURED_MS = 7 * DAY_MS;
/** An offer of the same kind is written again only this much later: at most one write a day per user. */
export const OFFER_REFRESH_MS = DAY_MS;

/** `phoneButtons` absent: an older client that did not say; the configured kind, as before. */
export function offeredKind(configured: PhoneKind, phoneButtons: readonly PhoneKind[] | undefined): PhoneKind {
  if (configured === 'realtime' && phoneButtons && !phoneButtons.includes('realtime')) return 'quick';
  return configured;
}

/** When each kind was last offered (a record from before `kinds` offered only its `kind`). */
function offeredAt(offers: Offers): Partial<Record<PhoneKind, Date>> {
  return offers.kinds ?? { [offers.kind]: offers.at };
}

/** The offers after offering `kind` now, or null when nothing needs writing (the same kind, offered within a day). */
export function rememberOffer(offers: Offers | null | undefined, kind: PhoneKind, at: Date): Offers | null {
  const kinds = offers ? offeredAt(offers) : {};
  const last = kinds[kind];
  if (offers?.kind === kind && last && at.getTime() - new Date(last).getTime() < OFFER_REFRESH_MS) return null;
  return { kind, at, kinds: { ...kinds, [kind]: at } };
}

/**
 * The kind a tap is booked as: the client's claim when the server offered this user
 * that kind recently, else the latest offer; null when the user was never offered one.
 */
export function bookedKind(offers: Offers | null | undefined, claimed: PhoneKind | null, at: Date): PhoneKind | null {
  if (!offers) return null;
  const last = claimed ? offeredAt(offers)[claimed] : undefined;
  if (claimed && last && at.getTime() - new Date(last).getTime() <= OFFER_HONOURED_MS) return claimed;
  return offers.kind;
}
