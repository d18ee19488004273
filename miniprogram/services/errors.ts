/**
 * What a user or merchant reads when a call fails. Servers answer stable codes and
 * English messages meant for developers; nothing of the server's text reaches a
 * screen. A failure about one input names it in `error.field` (a dot path), which the
 * caller may map to its own label; the message is never parsed.
 */
import { CloudError, type ErrorCode } from './cloud';

export const ERROR_TEXT: Record<ErrorCode, string> = {
  INVALID_ARGUMENT: '填写的内容有误',
  UNAUTHENTICATED: '未能确认微信身份，请重新打开小程序',
  FORBIDDEN: '没有权限进行此操作',
  NOT_FOUND: '要找的内容不存在',
  CONFLICT: '数据已被修改，请刷新后重试',
  RATE_LIMITED: '操作太频繁了，请稍后再试',
  WECHAT_THROTTLED: '微信繁忙，请稍后再试',
  PHONE_CODE_INVALID: '验证已失效，请重试',
  UPSTREAM_UNAVAILABLE: '微信服务暂时不可用，请稍后再试',
  INTERNAL: '服务暂时出错了，请稍后再试',
  NETWORK: '网络不太稳定，请检查网络后重试',
};

const FALLBACK = '出错了，请稍后再试';

/** The input field a failure names (the server's `error.field`, e.g. "lines.0.qty"), or null. */
export function errorField(err: unknown): string | null {
  return err instanceof CloudError ? err.field : null;
}

/**
 * Chinese text for a failure. `overrides` gives a screen its own words per code (or per
 * `code:field`, which wins), e.g. `{ 'FORBIDDEN:mode': '…' }`.
 */
export function errorText(err: unknown, overrides: Partial<Record<string, string>> = {}): string {
  if (!(err instanceof CloudError)) return overrides.INTERNAL ?? FALLBACK;
  const field = errorField(err);
  if (field) {
    const byField = overrides[`${err.code}:${field}`] ?? overrides[`${err.code}:${field.split('.')[0]}`];
    if (byField) return byField;
  }
  return overrides[err.code] ?? ERROR_TEXT[err.code] ?? FALLBACK;
}
