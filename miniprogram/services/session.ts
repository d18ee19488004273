/**
 * The session: one `auth.session` call at launch gives the user, the public settings
 * and whether to show the paid phone button. Callers share the one request in flight;
 * `refreshSession()` asks again (after binding a phone, or when settings change).
 */
import type { Session } from '../contract';
import { callRoute } from './cloud';
import { phoneButtons } from './platform';

export type { PhoneKind, Session } from '../contract';

let current: Promise<Session> | null = null;
const listeners = new Set<(session: Session) => void>();

/**
 * The session, shared by every caller: one request in flight, then its answer until
 * someone refreshes. Settings change under a running app (an admin switches capture
 * off, a breaker trips), so components refresh when their page shows and after a
 * bind; every subscriber then sees the new answer.
 */
export function loadSession(): Promise<Session> {
  if (!current) {
    // The server offers real-time only to a phone that can show it, and books what it offered.
    const request = callRoute('auth', 'session', { phoneButtons: phoneButtons() });
    current = request;
    request.then(
      (session) => {
        if (current === request) for (const l of [...listeners]) l(session);
      },
      () => {
        // A failed call must not be cached: the next caller tries again.
        if (current === request) current = null;
      },
    );
  }
  return current;
}

/** Asks the server again; subscribers hear the new session. */
export function refreshSession(): Promise<Session> {
  current = null;
  return loadSession();
}

/** Called with each session answer after this call (not the one already loaded). Returns the unsubscribe. */
export function onSessionChange(listener: (session: Session) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export { HIDDEN_BECAUSE_TEXT } from './hidden-because';
