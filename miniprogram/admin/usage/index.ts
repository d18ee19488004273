import { loadSession, type PhoneKind } from '../../services/session';

/**
 * Usage page for admins; the panel does the work. The panel opens on the kind phone
 * login currently uses (from the session already loaded at launch, so no extra round
 * trip), falling back to quick if the session is unavailable.
 */
Page({
  data: { kind: 'quick' as PhoneKind, ready: false },
  onLoad() {
    loadSession().then(
      (s) => this.setData({ kind: s.settings.phoneKind, ready: true }),
      () => this.setData({ ready: true }),
    );
  },
  onPullDownRefresh() {
    const panel = this.selectComponent('#usage') as unknown as { reload?: () => Promise<void> } | null;
    void Promise.resolve(panel?.reload?.()).finally(() => wx.stopPullDownRefresh());
  },
});
