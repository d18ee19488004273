/**
 * An id for one write a user means to make once (an order, a recorded pack, a provider's
 * assignment): sent with every resend of that write, so an answer lost on the way back
 * never makes it twice. A new id only when the user changes what they are writing, or
 * after it is stored.
 *
 * The prefix, the time in base 36 and 16 random base-36 characters: 25+ characters of
 * [0-9a-z], within every route's rule (orders' requestId: 8–64 of [A-Za-z0-9_-]).
 */
export function newRequestId(prefix = 'r', now: number = Date.now()): string {
  return `${prefix}${now.toString(36)}${randomChunk()}${randomChunk()}`;
}

/** 8 base-36 characters; padded, since Math.random() can give a short string. */
const randomChunk = () => Math.random().toString(36).slice(2).padEnd(8, '0').slice(0, 8);
