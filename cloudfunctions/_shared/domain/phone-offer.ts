/**
 * Which paid button a phone is offered. The merchant chooses the kind; the real-time
 * button needs base library 2.24.4, so a phone that cannot show it is offered the quick
 * one — and WeChat bills what the phone showed. The phone says which buttons it can
 * show (`phoneButtons`, read from its base library); the server books the kind it
 * offered here, never a kind a bindPhone call claims.
 */
import type { PhoneKind } from './settings';

/** `phoneButtons` absent: an older client that did not say; the configured kind, as before. */
export function offeredKind(configured: PhoneKind, phoneButtons: readonly PhoneKind[] | undefined): PhoneKind {
  if (configured === 'realtime' && phoneButtons && !phoneButtons.includes('realtime')) return 'quick';
  return configured;
}
