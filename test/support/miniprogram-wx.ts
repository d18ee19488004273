/**
 * Plays the parts of WeChat's client that miniprogram-simulate does not: the base
 * library version, `wx.canIUse`, local storage that keeps values, and the privacy agreement APIs
 * (`wx.getPrivacySetting`, `wx.onNeedPrivacyAuthorization`, `wx.openPrivacyContract`).
 * `stubWx()` installs them on the simulated `wx`; `restore()` puts the originals back.
 */
interface PrivacyResolution {
  event: string;
  buttonId?: string;
}

export interface WxStub {
  /** The base library this phone reports. */
  sdkVersion: string;
  /** Schemas `wx.canIUse` answers false for. */
  cannotUse: Set<string>;
  /** What `wx.getPrivacySetting` answers; null: the API does not exist (old base library). */
  privacy: { needAuthorization: boolean; privacyContractName: string } | null;
  /** The app's `onNeedPrivacyAuthorization` listener, once registered. */
  privacyListener: ((resolve: (r: PrivacyResolution) => void, info: { referrer: string }) => void) | null;
  /** Every answer given to WeChat through `resolve`. */
  resolutions: PrivacyResolution[];
  contractOpened: number;
  /** WeChat asks for agreement, as when a phone button is tapped before the user agreed. */
  needPrivacy(referrer?: string): void;
  restore(): void;
}

const KEYS = [
  'getAppBaseInfo',
  'getSystemInfoSync',
  'canIUse',
  'getPrivacySetting',
  'onNeedPrivacyAuthorization',
  'openPrivacyContract',
  'getStorageSync',
  'setStorageSync',
  'removeStorageSync',
  'clearStorageSync',
] as const;

export function stubWx(options: Partial<Pick<WxStub, 'sdkVersion' | 'privacy'>> & { cannotUse?: string[] } = {}): WxStub {
  const wx = (globalThis as unknown as { wx: Record<string, unknown> }).wx;
  const saved = new Map<string, unknown>(KEYS.map((k) => [k, wx[k]]));
  const stub: WxStub = {
    sdkVersion: options.sdkVersion ?? '3.0.1',
    cannotUse: new Set(options.cannotUse ?? []),
    privacy:
      options.privacy === undefined ? { needAuthorization: false, privacyContractName: '《示例小程序隐私保护指引》' } : options.privacy,
    privacyListener: null,
    resolutions: [],
    contractOpened: 0,
    needPrivacy(referrer = 'button.getPhoneNumber') {
      if (!stub.privacyListener) throw new Error('no onNeedPrivacyAuthorization listener registered');
      stub.privacyListener((r) => stub.resolutions.push(r), { referrer });
    },
    restore() {
      for (const [k, v] of saved) {
        if (v === undefined) delete wx[k];
        else wx[k] = v;
      }
    },
  };
  wx.getAppBaseInfo = () => ({ SDKVersion: stub.sdkVersion, language: 'zh_CN', theme: 'light' });
  wx.getSystemInfoSync = () => ({ SDKVersion: stub.sdkVersion });
  wx.canIUse = (schema: string) => !stub.cannotUse.has(schema);
  // Local storage that keeps what is written (miniprogram-simulate's answers '' always).
  const storage = new Map<string, unknown>();
  wx.getStorageSync = (key: string) => (storage.has(key) ? storage.get(key) : '');
  wx.setStorageSync = (key: string, value: unknown) => void storage.set(key, value);
  wx.removeStorageSync = (key: string) => void storage.delete(key);
  wx.clearStorageSync = () => storage.clear();
  if (stub.privacy) {
    wx.getPrivacySetting = ({ success }: { success(res: unknown): void }) => setTimeout(() => success({ ...stub.privacy }), 0);
    wx.onNeedPrivacyAuthorization = (listener: WxStub['privacyListener']) => {
      stub.privacyListener = listener;
    };
    wx.openPrivacyContract = () => {
      stub.contractOpened++;
    };
  } else {
    delete wx.getPrivacySetting;
    delete wx.onNeedPrivacyAuthorization;
    delete wx.openPrivacyContract;
  }
  return stub;
}
