/**
 * Every environment variable the functions read, declared and documented in one place.
 * Values come from `cloudbaserc.json` `envVariables` when deployed, and from the
 * emulator (which reads the same file) locally. Read lazily so tests can set them.
 */

export interface ConfigVar {
  name: string;
  description: string;
  /** Used when the variable is unset or empty. */
  fallback?: string;
}

export const CONFIG_VARS = {
  ADMIN_OPENIDS: {
    name: 'ADMIN_OPENIDS',
    description: 'Comma-separated openids that are admins regardless of the admins collection (how the first admin is set up).',
  },
  PHONE_BINDS_PER_USER_PER_DAY: {
    name: 'PHONE_BINDS_PER_USER_PER_DAY',
    description: 'Phone codes one user may bind per China-time day; beyond it bindPhone answers RATE_LIMITED (the charge is still recorded).',
    fallback: '5',
  },
  NO_QUOTA_REPORTS_TO_TRIP: {
    name: 'NO_QUOTA_REPORTS_TO_TRIP',
    description: 'Distinct users whose no-quota reports (errno 1400001) within the window trip the quota breaker.',
    fallback: '3',
  },
  NO_QUOTA_WINDOW_MINUTES: {
    name: 'NO_QUOTA_WINDOW_MINUTES',
    description: 'The window for NO_QUOTA_REPORTS_TO_TRIP, in minutes.',
    fallback: '10',
  },
  PHONE_EXCHANGE_TIMEOUT_MS: {
    name: 'PHONE_EXCHANGE_TIMEOUT_MS',
    description: 'How long one attempt to exchange a phone code with WeChat may take before it counts as a timeout (one retry follows).',
    fallback: '4000',
  },
  TRIAL_CALLS: {
    name: 'TRIAL_CALLS',
    description: 'Calls in the free trial of each phone component (WeChat gives 1000; whether each component has its own is unconfirmed).',
    fallback: '1000',
  },
  QUOTA_PACK_CATALOGUE: {
    name: 'QUOTA_PACK_CATALOGUE',
    description: 'The packs WeChat sells, as a JSON array of { kind, calls, validityDays, priceYuan }; replaces the bundled catalogue (cloudfunctions/_shared/domain/pack-catalogue.json).',
  },
  QUOTA_LOW_PERCENT: {
    name: 'QUOTA_LOW_PERCENT',
    description: 'cron writes a quota-low alert when what is left falls below this percentage of the active packs\' calls.',
    fallback: '10',
  },
  QUOTA_LOW_DAYS: {
    name: 'QUOTA_LOW_DAYS',
    description: 'cron writes a quota-low alert when the forecast runs out within this many days.',
    fallback: '7',
  },
  WECHAT_APPID: {
    name: 'WECHAT_APPID',
    description: 'The mini program\'s AppID, for WeChat\'s usage API (reconciliation). Unset: reconciliation is skipped.',
  },
  WECHAT_APPSECRET: {
    name: 'WECHAT_APPSECRET',
    description: 'The mini program\'s AppSecret, for the access token the usage API needs. Never logged.',
  },
  WECHAT_API_BASE: {
    name: 'WECHAT_API_BASE',
    description: 'Where WeChat\'s HTTP APIs live; the emulator points functions at its own fakes.',
    fallback: 'https://api.weixin.qq.com',
  },
  WECHAT_SPU_QUICK: {
    name: 'WECHAT_SPU_QUICK',
    description: 'spuId of the quick-verification component in the usage API (community-observed).',
    fallback: '10000077',
  },
  WECHAT_SPU_REALTIME: {
    name: 'WECHAT_SPU_REALTIME',
    description: 'spuId of the real-time component in the usage API (unconfirmed; set it when known).',
    fallback: '10000078',
  },
  PROVIDER_APPID: {
    name: 'PROVIDER_APPID',
    description: 'The service provider\'s AppID, for the access token its service-provider APIs take (provider function). Unset: provider routes answer UPSTREAM_UNAVAILABLE.',
  },
  PROVIDER_APPSECRET: {
    name: 'PROVIDER_APPSECRET',
    description: 'The service provider\'s AppSecret, for that access token. Never logged.',
  },
  PROVIDER_TOKEN_PATH: {
    name: 'PROVIDER_TOKEN_PATH',
    description: 'Where the provider\'s access token comes from, under WECHAT_API_BASE: /cgi-bin/stable_token (POST) or /cgi-bin/token (GET); which token WeChat\'s service-provider APIs take is unconfirmed.',
    fallback: '/cgi-bin/stable_token',
  },
  PROVIDER_MERCHANT_SECRETS: {
    name: 'PROVIDER_MERCHANT_SECRETS',
    description: 'JSON object { "<merchant appid>": "<its AppSecret>" }: lets provider.merchants.usage read those merchants\' usage API with their own stable token. Never logged.',
  },
  PROVIDER_MERCHANT_TOKEN_URL: {
    name: 'PROVIDER_MERCHANT_TOKEN_URL',
    description: 'An HTTPS endpoint of your own answering GET ?appid=<merchant> with { access_token, expires_in? } (e.g. an authorizer token from your third-party platform), for merchants not in PROVIDER_MERCHANT_SECRETS.',
  },
} as const satisfies Record<string, ConfigVar>;

function read(variable: ConfigVar): string {
  const value = (process.env[variable.name] ?? '').trim();
  return value || variable.fallback || '';
}

/** A positive integer setting; a malformed value fails loudly rather than silently using a default. */
function positiveInt(variable: ConfigVar): number {
  const text = read(variable);
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 1) throw new Error(`${variable.name} must be a positive integer, got "${text}"`);
  return value;
}

/** Openids listed in ADMIN_OPENIDS. */
export function adminOpenidsFromEnv(): string[] {
  return read(CONFIG_VARS.ADMIN_OPENIDS)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export const phoneBindsPerUserPerDay = () => positiveInt(CONFIG_VARS.PHONE_BINDS_PER_USER_PER_DAY);
export const noQuotaReportsToTrip = () => positiveInt(CONFIG_VARS.NO_QUOTA_REPORTS_TO_TRIP);
export const noQuotaWindowMinutes = () => positiveInt(CONFIG_VARS.NO_QUOTA_WINDOW_MINUTES);
export const phoneExchangeTimeoutMs = () => positiveInt(CONFIG_VARS.PHONE_EXCHANGE_TIMEOUT_MS);
export const trialCalls = () => positiveInt(CONFIG_VARS.TRIAL_CALLS);
export const quotaLowPercent = () => positiveInt(CONFIG_VARS.QUOTA_LOW_PERCENT);
export const quotaLowDays = () => positiveInt(CONFIG_VARS.QUOTA_LOW_DAYS);
export const packCatalogueOverride = () => read(CONFIG_VARS.QUOTA_PACK_CATALOGUE);
export const wechatApiBase = () => read(CONFIG_VARS.WECHAT_API_BASE).replace(/\/+$/, '');
export const wechatSpuId = (kind: 'quick' | 'realtime') => read(kind === 'quick' ? CONFIG_VARS.WECHAT_SPU_QUICK : CONFIG_VARS.WECHAT_SPU_REALTIME);

/** AppID and AppSecret for WeChat's HTTP APIs, or why they are not available. */
export function wechatCredentials(): { ok: true; appid: string; secret: string } | { ok: false; reason: string } {
  const appid = read(CONFIG_VARS.WECHAT_APPID);
  const secret = read(CONFIG_VARS.WECHAT_APPSECRET);
  if (!appid || !secret) return { ok: false, reason: `${[!appid && 'WECHAT_APPID', !secret && 'WECHAT_APPSECRET'].filter(Boolean).join(' and ')} not set` };
  return { ok: true, appid, secret };
}

/** AppID and AppSecret of the service provider, or why they are not available. */
export function providerCredentials(): { ok: true; appid: string; secret: string } | { ok: false; reason: string } {
  const appid = read(CONFIG_VARS.PROVIDER_APPID);
  const secret = read(CONFIG_VARS.PROVIDER_APPSECRET);
  if (!appid || !secret) return { ok: false, reason: `${[!appid && 'PROVIDER_APPID', !secret && 'PROVIDER_APPSECRET'].filter(Boolean).join(' and ')} not set` };
  return { ok: true, appid, secret };
}

export const providerTokenPath = () => read(CONFIG_VARS.PROVIDER_TOKEN_PATH);
export const providerMerchantSecrets = () => read(CONFIG_VARS.PROVIDER_MERCHANT_SECRETS);
export const providerMerchantTokenUrl = () => read(CONFIG_VARS.PROVIDER_MERCHANT_TOKEN_URL);
