/**
 * An id for one write a user means to make once (an order, a recorded pack): sent with
 * every resend of that write, so an answer lost on the way back never makes it twice.
 * A new id only when the user changes what they are writing, or after it is stored.
 */
export function newRequestId(prefix = 'r'): string {
  const random = Math.random().toString(36).slice(2, 10);
  return `${prefix}${Date.now().toString(36)}${random}`;
}
