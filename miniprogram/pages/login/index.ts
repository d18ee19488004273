/**
 * The login page: the quick-login component, then back home. The app opens on home
 * (WeChat's 帐号登录功能规范: no forced login on the first page); this page is opened
 * only where a feature needs a phone (home's 登录 ›), always with a free way on
 * (微信身份继续), and never sends anyone away by itself.
 */
const HOME_URL = '/pages/home/index';

Page({
  onDone() {
    void wx.reLaunch({ url: HOME_URL });
  },
});
