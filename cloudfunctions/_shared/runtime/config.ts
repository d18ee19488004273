/**
 * Every environment variable the functions read, declared and documented in one place,
 * and the one place their values are decoded. Values reach a deployed function as
 * `npm run deploy` sets them (cloudbaserc.json `variables` lists which function gets
 * which); locally the emulator passes them the same way. Read lazily so tests can set them.
 *
 * Each variable is its own side-effect-free constant, so a function's bundle holds the
 * names of exactly the variables it reads: the deploy's dry run checks those against
 * what cloudbaserc.json passes to that function (scripts/lib/deploy-checks.ts).
 */

interface ConfigVar {
  name: string;
  description: string;
  /** Used when the variable is unset or empty. */
  fallback?: string;
  /** A credential: never logged, never shown by the doctor (only whether it is set). */
  secret?: boolean;
  /** Set by the emulator only; never deployed. */
  local?: boolean;
}

function variable(name: string, description: string, extra: Omit<ConfigVar, 'name' | 'description'> = {}): ConfigVar {
  return { name, description, ...extra };
}

/**
 * How a value travels to a deployed function. The CloudBase CLI pastes values into
 * its JSON config as text and turns any value that parses as a JSON object into an
 * object, so anything but plain printable ASCII is sent as `base64:` + base64(UTF-8).
 * `decodeEnvValue` undoes it; a plain value passes through both unchanged.
 */
export const ENCODED_PREFIX = 'base64:';

export function encodeEnvValue(value: string): string {
  if (!needsEncoding(value)) return value;
  return ENCODED_PREFIX + Buffer.from(value, 'utf8').toString('base64');
}

function needsEncoding(value: string): boolean {
  if (value.startsWith(ENCODED_PREFIX)) return true;
  // Printable ASCII only, and nothing the CLI's template or JSON handling would touch.
  if (!/^[\x20-\x7e]*$/.test(value) || /["\\]|\{\{|\}\}/.test(value)) return true;
  try {
    const parsed: unknown = JSON.parse(value);
    return typeof parsed === 'object'; // objects, arrays and null would be rewritten
  } catch {
    return false;
  }
}

export function decodeEnvValue(value: string): string {
  return value.startsWith(ENCODED_PREFIX) ? Buffer.from(value.slice(ENCODED_PREFIX.length), 'base64').toString('utf8') : value;
}

const ADMIN_OPENIDS = /* @__PURE__ */ variable(
  'ADMIN_OPENIDS',
  'Comma-separated openids that are admins regardless of the admins collection (how the first admin is set up).',
);
const PHONE_CODE_FAILURES_PER_USER_PER_DAY = /* @__PURE__ */ variable(
  'PHONE_CODE_FAILURES_PER_USER_PER_DAY',
  "Codes WeChat may refuse (invalid, expired, used, someone else's) for one user per China-time day; past it that user's new codes get RATE_LIMITED and nothing is recorded (the refusal is noted once on the user). Real codes are never limited: WeChat billed them already.",
  { fallback: '5' },
);
const NO_QUOTA_REPORTS_TO_TRIP = /* @__PURE__ */ variable(
  'NO_QUOTA_REPORTS_TO_TRIP',
  'Distinct users whose no-quota reports (errno 1400001) within the window trip the quota breaker.',
  { fallback: '3' },
);
const NO_QUOTA_WINDOW_MINUTES = /* @__PURE__ */ variable(
  'NO_QUOTA_WINDOW_MINUTES',
  'The window for NO_QUOTA_REPORTS_TO_TRIP, in minutes.',
  { fallback: '10' },
);
const PHONE_EXCHANGE_TIMEOUT_MS = /* @__PURE__ */ variable(
  'PHONE_EXCHANGE_TIMEOUT_MS',
  'How long one attempt to exchange a phone code with WeChat may take before it counts as a timeout (an unknown outcome: never retried, since WeChat may have used the code). A busy answer (-1) is retried once if the retry fits within 7 s.',
  { fallback: '6500' },
);
const TRIAL_CALLS = /* @__PURE__ */ variable(
  'TRIAL_CALLS',
  'Calls in the free trial of each phone component (WeChat gives 1000; whether each component has its own is unconfirmed).',
  { fallback: '1000' },
);
const QUOTA_PACK_CATALOGUE = /* @__PURE__ */ variable(
  'QUOTA_PACK_CATALOGUE',
  'The packs WeChat sells, as a JSON array of { kind, calls, validityDays, priceYuan }; replaces the bundled catalogue (cloudfunctions/_shared/domain/pack-catalogue.json).',
);
const QUOTA_LOW_PERCENT = /* @__PURE__ */ variable(
  'QUOTA_LOW_PERCENT',
  "cron writes a quota-low alert when what is left falls below this percentage of the active packs' calls.",
  { fallback: '10' },
);
const QUOTA_LOW_DAYS = /* @__PURE__ */ variable(
  'QUOTA_LOW_DAYS',
  'cron writes a quota-low alert when the forecast runs out within this many days.',
  { fallback: '7' },
);
const ALERT_TEMPLATE_ID = /* @__PURE__ */ variable(
  'ALERT_TEMPLATE_ID',
  "The subscribe-message template (订阅消息, chosen in the mini program's admin console) alerts are sent with: admins subscribe on the usage page, cron and a breaker trip send one message per alert to each admin holding a credit. Unset: alerts are not sent and the page says so.",
);
const ALERT_TEMPLATE_FIELDS = /* @__PURE__ */ variable(
  'ALERT_TEMPLATE_FIELDS',
  "Which of the template's keywords carries what, as keyword=field pairs (fields: title, status, time, detail), e.g. thing1=title,phrase2=status,time3=time,thing4=detail. Values are cut to the keyword type's limit (thing 20 characters, phrase 5, …).",
  { fallback: 'thing1=title,time2=time,thing3=detail' },
);
const WECHAT_APPID = /* @__PURE__ */ variable(
  'WECHAT_APPID',
  "The mini program's AppID, for WeChat's usage API (reconciliation). Unset: reconciliation is skipped.",
);
const WECHAT_APPSECRET = /* @__PURE__ */ variable(
  'WECHAT_APPSECRET',
  "The mini program's AppSecret, for the access token the usage API needs. Never logged.",
  { secret: true },
);
const WECHAT_API_BASE = /* @__PURE__ */ variable(
  'WECHAT_API_BASE',
  "Where WeChat's HTTP APIs live; the emulator points functions at its own fakes.",
  { fallback: 'https://api.weixin.qq.com', local: true },
);
const WECHAT_SPU_QUICK = /* @__PURE__ */ variable(
  'WECHAT_SPU_QUICK',
  'spuId of the quick-verification component in the usage API (community-observed).',
  { fallback: '10000077' },
);
const WECHAT_SPU_REALTIME = /* @__PURE__ */ variable(
  'WECHAT_SPU_REALTIME',
  "spuId of the real-time component in the usage API (community: a WeChat client's usage-API wrapper lists 手机号实时验证组件 as 10000086; not on an official page we could read). A wrong one is refused or answered empty, which reconciliation treats as unknown, never as zero left.",
  { fallback: '10000086' },
);
const PROVIDER_APPID = /* @__PURE__ */ variable(
  'PROVIDER_APPID',
  "The service provider's AppID, for the access token its service-provider APIs take (provider function). Unset: provider routes answer UPSTREAM_UNAVAILABLE.",
);
const PROVIDER_APPSECRET = /* @__PURE__ */ variable(
  'PROVIDER_APPSECRET',
  "The service provider's AppSecret, for that access token. Never logged.",
  { secret: true },
);
const PROVIDER_TOKEN_PATH = /* @__PURE__ */ variable(
  'PROVIDER_TOKEN_PATH',
  "Where the provider's access token comes from, under WECHAT_API_BASE: /cgi-bin/token (GET, the default: an ordinary access_token of the service platform's AppID, as community code does) or /cgi-bin/stable_token (POST).",
  { fallback: '/cgi-bin/token' },
);
const PROVIDER_MERCHANT_SECRETS = /* @__PURE__ */ variable(
  'PROVIDER_MERCHANT_SECRETS',
  'JSON object { "<merchant appid>": "<its AppSecret>" }: lets provider.merchants.usage read those merchants\' usage API with their own stable token. Never logged.',
  { secret: true },
);
const PROVIDER_MERCHANT_TOKEN_URL = /* @__PURE__ */ variable(
  'PROVIDER_MERCHANT_TOKEN_URL',
  'An HTTPS endpoint of your own answering GET ?appid=<merchant> with { access_token, expires_in? } (e.g. an authorizer token from your third-party platform), for merchants not in PROVIDER_MERCHANT_SECRETS.',
);
const PROVIDER_PUSH_TOKEN = /* @__PURE__ */ variable(
  'PROVIDER_PUSH_TOKEN',
  "The Token set with the push URL in the service platform's 开发设置 (消息推送): WeChat signs each result event with it. Unset: pushed events are refused and results settle by polling only.",
  { secret: true },
);
const PROVIDER_PUSH_AES_KEY = /* @__PURE__ */ variable(
  'PROVIDER_PUSH_AES_KEY',
  'The EncodingAESKey (43 characters) when the push is in safe mode (安全模式); set, plain pushes are refused.',
  { secret: true },
);
const PROVIDER_PUSH_MAX_AGE_SECONDS = /* @__PURE__ */ variable(
  'PROVIDER_PUSH_MAX_AGE_SECONDS',
  "How far a pushed event's timestamp may be from now (either way) before it is refused (assumed; WeChat states no window).",
  { fallback: '300' },
);
const PROVIDER_BULK_SPU_IDS = /* @__PURE__ */ variable(
  'PROVIDER_BULK_SPU_IDS',
  'Comma-separated spuIds of the bulk products orders.list queries (order/query_list requires one). Not documented: the default is what community code uses (10000117 quick, 10000120 real-time).',
  { fallback: '10000117,10000120' },
);
const PROVIDER_ORDER_STATUS_NAMES = /* @__PURE__ */ variable(
  'PROVIDER_ORDER_STATUS_NAMES',
  'JSON { "<WeChat order status>": "<our word>" }. The enum is not public; the documented example of a paid order has 2. Other numbers show as wechat-<n>.',
  { fallback: '{"2":"paid"}' },
);
const PROVIDER_POLL_AFTER_SECONDS = /* @__PURE__ */ variable(
  'PROVIDER_POLL_AFTER_SECONDS',
  'assignments.list asks WeChat again (resends with the same requestId) about an assignment still pending or cancelling this many seconds after it was last sent or checked; 0: at once.',
  { fallback: '60' },
);
const PROVIDER_PUSH_APPID = /* @__PURE__ */ variable(
  'PROVIDER_PUSH_APPID',
  'The appid a decrypted push must end with (assumed: the provider\'s own, PROVIDER_APPID, the default); "*" skips the check.',
);
const PROVIDER_BEGIN_TIME_WITHIN_ORDER = /* @__PURE__ */ variable(
  'PROVIDER_BEGIN_TIME_WITHIN_ORDER',
  'assign refuses a beginTime at or after the order\'s end, read as its createTime plus the SKU\'s duration (assumed: WeChat documents no end). "false" leaves that to WeChat.',
  { fallback: 'true' },
);
const PROVIDER_CALL_TIMEOUT_MS = /* @__PURE__ */ variable(
  'PROVIDER_CALL_TIMEOUT_MS',
  'How long the provider function waits for one answer from WeChat (tokens, orders, assign, cancel, usage) before it counts as a timeout; assign and cancel are then sent again with the same requestId.',
  { fallback: '4000' },
);
const PROVIDER_POLL_MAX_ATTEMPTS = /* @__PURE__ */ variable(
  'PROVIDER_POLL_MAX_ATTEMPTS',
  "After this many checks without WeChat's final word an assignment is marked unknown (shown to admins, no more resends).",
  { fallback: '10' },
);
const PROVIDER_COMPONENT_APPID = /* @__PURE__ */ variable(
  'PROVIDER_COMPONENT_APPID',
  "Your third-party platform's AppID (开放平台 第三方平台), for merchants' usage through authorizer tokens: component token → authorizer token from the merchant's stored refresh token (fleet.add).",
);
const PROVIDER_COMPONENT_APPSECRET = /* @__PURE__ */ variable(
  'PROVIDER_COMPONENT_APPSECRET',
  "Your third-party platform's AppSecret, for api_component_token. Never logged.",
  { secret: true },
);
const PROVIDER_FLEET_MAX_AGE_MINUTES = /* @__PURE__ */ variable(
  'PROVIDER_FLEET_MAX_AGE_MINUTES',
  "How old a merchant's usage reading may be before fleet.list or cron asks WeChat again (one usage call per merchant and component).",
  { fallback: '60' },
);
const QUICKPHONE_CLOCK_OFFSET_MS = /* @__PURE__ */ variable(
  'QUICKPHONE_CLOCK_OFFSET_MS',
  "Milliseconds the functions' clock (`now()`) runs ahead of the system clock. The emulator sets it on each invocation when a test drives its clock; never deployed.",
  { fallback: '0', local: true },
);
const DOCTOR_KEY = /* @__PURE__ */ variable(
  'DOCTOR_KEY',
  'Opens auth\'s diagnostic route (`$url: "doctor"`, used by `npm run doctor`) to a server-side caller that presents it. `npm run deploy` generates one when neither .env nor the cloud has it; unset, the route is closed. Never logged.',
  { secret: true },
);

/** Every variable, by name (for the deploy checks and docs; functions use the accessors below). */
export const CONFIG_VARS = {
  ADMIN_OPENIDS,
  PHONE_CODE_FAILURES_PER_USER_PER_DAY,
  NO_QUOTA_REPORTS_TO_TRIP,
  NO_QUOTA_WINDOW_MINUTES,
  PHONE_EXCHANGE_TIMEOUT_MS,
  TRIAL_CALLS,
  QUOTA_PACK_CATALOGUE,
  QUOTA_LOW_PERCENT,
  QUOTA_LOW_DAYS,
  ALERT_TEMPLATE_ID,
  ALERT_TEMPLATE_FIELDS,
  WECHAT_APPID,
  WECHAT_APPSECRET,
  WECHAT_API_BASE,
  WECHAT_SPU_QUICK,
  WECHAT_SPU_REALTIME,
  PROVIDER_APPID,
  PROVIDER_APPSECRET,
  PROVIDER_TOKEN_PATH,
  PROVIDER_MERCHANT_SECRETS,
  PROVIDER_MERCHANT_TOKEN_URL,
  PROVIDER_PUSH_TOKEN,
  PROVIDER_PUSH_AES_KEY,
  PROVIDER_PUSH_MAX_AGE_SECONDS,
  PROVIDER_BULK_SPU_IDS,
  PROVIDER_ORDER_STATUS_NAMES,
  PROVIDER_POLL_AFTER_SECONDS,
  PROVIDER_POLL_MAX_ATTEMPTS,
  PROVIDER_CALL_TIMEOUT_MS,
  PROVIDER_PUSH_APPID,
  PROVIDER_BEGIN_TIME_WITHIN_ORDER,
  PROVIDER_FLEET_MAX_AGE_MINUTES,
  PROVIDER_COMPONENT_APPID,
  PROVIDER_COMPONENT_APPSECRET,
  DOCTOR_KEY,
  QUICKPHONE_CLOCK_OFFSET_MS,
} as const;

function read(variable: ConfigVar): string {
  const value = decodeEnvValue(process.env[variable.name] ?? '').trim();
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
  return read(ADMIN_OPENIDS)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export const phoneCodeFailuresPerUserPerDay = () => positiveInt(PHONE_CODE_FAILURES_PER_USER_PER_DAY);
export const noQuotaReportsToTrip = () => positiveInt(NO_QUOTA_REPORTS_TO_TRIP);
export const noQuotaWindowMinutes = () => positiveInt(NO_QUOTA_WINDOW_MINUTES);
export const phoneExchangeTimeoutMs = () => positiveInt(PHONE_EXCHANGE_TIMEOUT_MS);
export const trialCalls = () => positiveInt(TRIAL_CALLS);
export const quotaLowPercent = () => positiveInt(QUOTA_LOW_PERCENT);
export const quotaLowDays = () => positiveInt(QUOTA_LOW_DAYS);
/** The alert template id; null when not configured (the feature is off). */
export const alertTemplateId = () => read(ALERT_TEMPLATE_ID) || null;
export const alertTemplateFields = () => read(ALERT_TEMPLATE_FIELDS);
export const packCatalogueOverride = () => read(QUOTA_PACK_CATALOGUE);
export const wechatApiBase = () => read(WECHAT_API_BASE).replace(/\/+$/, '');
export const wechatSpuId = (kind: 'quick' | 'realtime') => read(kind === 'quick' ? WECHAT_SPU_QUICK : WECHAT_SPU_REALTIME);

/** AppID and AppSecret for WeChat's HTTP APIs, or why they are not available. */
export function wechatCredentials(): { ok: true; appid: string; secret: string } | { ok: false; reason: string } {
  const appid = read(WECHAT_APPID);
  const secret = read(WECHAT_APPSECRET);
  if (!appid || !secret)
    return { ok: false, reason: `${[!appid && 'WECHAT_APPID', !secret && 'WECHAT_APPSECRET'].filter(Boolean).join(' and ')} not set` };
  return { ok: true, appid, secret };
}

/** AppID and AppSecret of the service provider, or why they are not available. */
export function providerCredentials(): { ok: true; appid: string; secret: string } | { ok: false; reason: string } {
  const appid = read(PROVIDER_APPID);
  const secret = read(PROVIDER_APPSECRET);
  if (!appid || !secret)
    return { ok: false, reason: `${[!appid && 'PROVIDER_APPID', !secret && 'PROVIDER_APPSECRET'].filter(Boolean).join(' and ')} not set` };
  return { ok: true, appid, secret };
}

export const doctorKey = () => read(DOCTOR_KEY);
/** The clock offset the emulator gives a function; a malformed value fails loudly. */
export function clockOffsetMs(): number {
  const text = read(QUICKPHONE_CLOCK_OFFSET_MS);
  if (!/^-?\d+$/.test(text)) throw new Error(`QUICKPHONE_CLOCK_OFFSET_MS must be a whole number of milliseconds, got "${text}"`);
  return Number(text);
}
export const providerTokenPath = () => read(PROVIDER_TOKEN_PATH);
export const providerMerchantSecrets = () => read(PROVIDER_MERCHANT_SECRETS);
export const providerMerchantTokenUrl = () => read(PROVIDER_MERCHANT_TOKEN_URL);
export const providerPushToken = () => read(PROVIDER_PUSH_TOKEN);
export const providerPushAesKey = () => read(PROVIDER_PUSH_AES_KEY);
export const providerPushMaxAgeSeconds = () => positiveInt(PROVIDER_PUSH_MAX_AGE_SECONDS);
export const providerBulkSpuIds = () =>
  read(PROVIDER_BULK_SPU_IDS)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
export const providerOrderStatusNames = () => read(PROVIDER_ORDER_STATUS_NAMES);
export const providerPollMaxAttempts = () => positiveInt(PROVIDER_POLL_MAX_ATTEMPTS);
/** The third-party platform's credentials; null unless both are set. */
export function providerComponent(): { appid: string; secret: string } | null {
  const appid = read(PROVIDER_COMPONENT_APPID);
  const secret = read(PROVIDER_COMPONENT_APPSECRET);
  return appid && secret ? { appid, secret } : null;
}
export const providerFleetMaxAgeMs = () => positiveInt(PROVIDER_FLEET_MAX_AGE_MINUTES) * 60_000;
export const providerCallTimeoutMs = () => positiveInt(PROVIDER_CALL_TIMEOUT_MS);
/** The appid a decrypted push must be sealed for; null: not checked. */
export function providerPushAppid(): string | null {
  const set = read(PROVIDER_PUSH_APPID);
  if (set === '*') return null;
  return set || read(PROVIDER_APPID) || null;
}
export const providerBeginTimeWithinOrder = () => read(PROVIDER_BEGIN_TIME_WITHIN_ORDER).toLowerCase() !== 'false';
/** 0 allowed. */
export function providerPollAfterSeconds(): number {
  const text = read(PROVIDER_POLL_AFTER_SECONDS);
  if (!/^\d+$/.test(text)) throw new Error(`PROVIDER_POLL_AFTER_SECONDS must be a whole number of seconds, got "${text}"`);
  return Number(text);
}
