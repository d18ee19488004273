/** WeChat failures as our errors, for the provider's routes (the mapping itself is domain/provider-errors.ts). */
import { AppError } from '../_shared/errors';
import { logEvent } from '../_shared/log';
import { mapWechatError, type ProviderOperation } from '../_shared/domain/provider-errors';
import { WechatError } from '../_shared/wechat/http';
import { isProviderTokenError, MERCHANT_TOKEN } from '../_shared/wechat/service-provider';

/** The AppError for a failure of `operation`; anything that is neither ours nor WeChat's is returned as is. */
export function asAppError(err: unknown, operation: ProviderOperation): unknown {
  if (!(err instanceof WechatError)) return err;
  // WechatError messages carry the API path and errcode, never a token or secret.
  logEvent('warn', { fn: 'provider', operation, wechat: err.message });
  if (err.path === MERCHANT_TOKEN) {
    return new AppError('UPSTREAM_UNAVAILABLE', `Could not get an access token for that merchant (errcode ${err.errcode}); check its entry in PROVIDER_MERCHANT_SECRETS or the service at PROVIDER_MERCHANT_TOKEN_URL.`);
  }
  const mapped = mapWechatError(err.errcode, isProviderTokenError(err) ? 'token' : operation);
  return new AppError(mapped.code, mapped.message);
}

/** Runs a WeChat call, turning its failure into our error. */
export async function askWechat<T>(operation: ProviderOperation, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw asAppError(err, operation);
  }
}
