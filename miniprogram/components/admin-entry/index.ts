/** admin-entry: a link to the admin pages, shown only to admins (per `auth.session`). */
import { loadSession } from '../../services/session';

Component({
  data: { isAdmin: false, checked: false },
  lifetimes: {
    attached() {
      loadSession().then(
        (s) => this.setData({ isAdmin: s.user.isAdmin, checked: true }),
        () => this.setData({ isAdmin: false, checked: true }),
      );
    },
  },
});
