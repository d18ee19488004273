import { refreshSession } from '../../services/session';

/** Settings page for admins; the panel does the work. After a save, the session is refreshed so this phone sees the change too. */
Page({
  onSaved() {
    refreshSession().catch(() => undefined);
  },
});
