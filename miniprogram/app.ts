import { CLOUD_ENV } from './cloud-env';
import { loadSession } from './services/session';
import { installPrivacyListener } from './services/privacy';
import { settleKeptCode } from './services/pending-code';

App({
  onLaunch() {
    // The environment npm run deploy deployed to (cloud-env.ts); empty: DevTools' default.
    wx.cloud.init(CLOUD_ENV ? { env: CLOUD_ENV, traceUser: true } : { traceUser: true });
    // WeChat's privacy agreement: our notice (in quick-login) answers it, before any phone button.
    installPrivacyListener();
    // One round trip at launch; pages and components share its answer.
    loadSession().catch((err: unknown) => console.warn('session failed at launch; pages will retry', err));
    // A billed phone code the last run could not deliver: sent now (or reported, past its 5 minutes).
    settleKeptCode().catch((err: unknown) => console.warn('kept phone code not settled at launch', err));
  },
});
