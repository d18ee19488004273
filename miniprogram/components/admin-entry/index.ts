/**
 * admin-entry: the way into the admin pages, shown only to admins (per `auth.session`)
 * on every page that includes it. It follows the session: an admin added or removed
 * shows or hides it at the next session answer.
 */
import { ADMIN_ENTRY } from '../../services/admin';
import { loadSession, onSessionChange } from '../../services/session';

const unsubscribers = new WeakMap<object, () => void>();

Component({
  data: { isAdmin: false, checked: false, url: ADMIN_ENTRY.url, label: ADMIN_ENTRY.label },
  lifetimes: {
    attached() {
      unsubscribers.set(
        this,
        onSessionChange((s) => this.setData({ isAdmin: s.user.isAdmin, checked: true })),
      );
      loadSession().then(
        (s) => this.setData({ isAdmin: s.user.isAdmin, checked: true }),
        () => this.setData({ isAdmin: false, checked: true }),
      );
    },
    detached() {
      unsubscribers.get(this)?.();
      unsubscribers.delete(this);
    },
  },
});
