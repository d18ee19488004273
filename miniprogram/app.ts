import { loadSession } from './services/session';

App({
  onLaunch() {
    // No env given: the mini program's default cloud environment (chosen in DevTools).
    wx.cloud.init({ traceUser: true });
    // One round trip at launch; pages and components share its answer.
    loadSession().catch((err: unknown) => console.warn('session failed at launch; pages will retry', err));
  },
});
