import { refreshSession } from '../../services/session';
import { isProviderAdmin } from '../../services/provider';

/**
 * Settings page for admins; the panel does the work. Links lead to usage, the admins,
 * the charge list, and — for a provider admin (the provider function answers them) —
 * the provider page. After a save, the session is refreshed so this phone sees it too.
 */
Page({
  data: { provider: false },
  onLoad() {
    void isProviderAdmin().then((provider) => this.setData({ provider }));
  },
  onSaved() {
    refreshSession().catch(() => undefined);
  },
});
