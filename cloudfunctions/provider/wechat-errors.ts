/** The provider client's failures as our errors (the mapping of WeChat's errcodes itself is domain/provider-errors.ts). */
import { AppError } from '../_shared/runtime/errors';
import { logEvent } from '../_shared/runtime/log';
import { mapWechatError, type ProviderOperation } from '../_shared/domain/provider-errors';
import type { ProviderFailure, ProviderResult } from '../_shared/wechat/service-provider';

/** The AppError a route answers for a failure of `operation`. */
export function toAppError(failure: ProviderFailure, operation: ProviderOperation): AppError {
  // A failure's detail names the API path and errcode, never a token or secret.
  logEvent('warn', { operation, wechat: failure.detail });
  switch (failure.kind) {
    case 'not-configured':
      return new AppError('UPSTREAM_UNAVAILABLE', failure.detail);
    case 'merchant-token':
      return new AppError(
        'UPSTREAM_UNAVAILABLE',
        `Could not get an access token for that merchant (errcode ${failure.errcode}); check its entry in PROVIDER_MERCHANT_SECRETS, its authorizer refresh token and the stored component_verify_ticket (third-party platform), or the service at PROVIDER_MERCHANT_TOKEN_URL.`,
      );
    case 'provider-token':
    case 'wechat': {
      const mapped = mapWechatError(failure.errcode, failure.kind === 'provider-token' ? 'token' : operation);
      return new AppError(mapped.code, mapped.message);
    }
  }
}

/** The call's value, or its failure thrown as our error. */
export async function askWechat<T>(operation: ProviderOperation, call: () => Promise<ProviderResult<T>>): Promise<T> {
  const result = await call();
  if (result.ok) return result.value;
  throw toAppError(result.failure, operation);
}
