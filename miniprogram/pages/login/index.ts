/**
 * The login page the app opens on: the quick-login component, then the home page.
 * Someone who already got in (phone or WeChat identity) goes straight home on the
 * next launch; `?stay=1` (from home's 登录 link) stays to bind a phone.
 */
export const SIGNED_IN_KEY = 'quickphone.signedIn';
export const HOME_URL = '/pages/home/index';

Page({
  onLoad(query: Record<string, string | undefined>) {
    if (query.stay !== '1' && wx.getStorageSync(SIGNED_IN_KEY)) void wx.reLaunch({ url: HOME_URL });
  },
  onDone() {
    wx.setStorageSync(SIGNED_IN_KEY, true);
    void wx.reLaunch({ url: HOME_URL });
  },
});
