/**
 * WeChat's service-provider errcodes (WECHAT.md, docs/provider.md) in our error codes,
 * with messages an admin can act on. `refused` says WeChat certainly did not do it (an
 * assignment that was refused becomes `failed`); anything else — a timeout, "system
 * busy", an errcode we do not know — leaves an assignment pending, to be retried with
 * the same requestId or confirmed later. Pure: no SDK.
 */
import type { ErrorCode } from '../errors';
import { TOKEN_REJECTED } from './wechat-errcodes';

export type ProviderOperation = 'token' | 'read' | 'assign' | 'cancel' | 'merchant-usage';

export interface MappedError {
  code: ErrorCode;
  message: string;
  refused: boolean;
}

export const ERR_NOT_ENOUGH_LEFT = 10121006;
export const ERR_ALREADY_ASSIGNED = 10121009;
export const ERR_IN_PROGRESS = 10121011;
export const ERR_ORDER_EXPIRED = 10121012;
export const ERR_ALREADY_CANCELLED = 10121013;
export const ERR_CANNOT_CANCEL = 10121014;
export const ERR_BAD_ARGS = 40097;
export const ERR_NO_RELATIONSHIP = 10045;
export const ERR_BAD_APPID = 40013;

const REFUSALS: Record<number, { code: ErrorCode; message: string }> = {
  [ERR_NOT_ENOUGH_LEFT]: { code: 'CONFLICT', message: 'The order has not enough calls left for this SKU; nothing was assigned.' },
  [ERR_BAD_ARGS]: { code: 'INVALID_ARGUMENT', message: 'WeChat refused the request: unknown order or SKU, or a malformed argument.' },
  [ERR_NO_RELATIONSHIP]: { code: 'INVALID_ARGUMENT', message: 'The provider has no relationship with that mini program on WeChat; nothing was assigned.' },
  [ERR_BAD_APPID]: { code: 'INVALID_ARGUMENT', message: 'WeChat does not accept that appid.' },
  [ERR_ORDER_EXPIRED]: { code: 'CONFLICT', message: 'The order has expired; nothing can be assigned from it.' },
  [ERR_CANNOT_CANCEL]: { code: 'CONFLICT', message: 'WeChat does not allow cancelling this assignment: its pack has been used, or it was assigned more than 7 days ago.' },
  [ERR_ALREADY_CANCELLED]: { code: 'CONFLICT', message: 'This assignment is already cancelled.' },
  [ERR_ALREADY_ASSIGNED]: { code: 'CONFLICT', message: 'This request was already assigned.' },
  [ERR_IN_PROGRESS]: { code: 'CONFLICT', message: 'This request is still being assigned.' },
};

/** -1 is WeChat's "system busy"; our own timeouts and network failures are negative too. */
const isTransient = (errcode: number) => errcode < 0;

export function mapWechatError(errcode: number, operation: ProviderOperation): MappedError {
  if (isTransient(errcode)) {
    const tail = operation === 'assign' ? ' Send the same idempotencyKey again: it will not assign twice.' : ' Try again shortly.';
    return { code: 'UPSTREAM_UNAVAILABLE', message: `WeChat did not answer in time or is busy.${tail}`, refused: false };
  }
  if (operation === 'token') {
    return { code: 'UPSTREAM_UNAVAILABLE', message: `Could not get the provider's access token (WeChat errcode ${errcode}); check PROVIDER_APPID, PROVIDER_APPSECRET and PROVIDER_TOKEN_PATH.`, refused: false };
  }
  if (TOKEN_REJECTED.includes(errcode)) {
    return { code: 'UPSTREAM_UNAVAILABLE', message: `WeChat rejected the access token (errcode ${errcode}); check which token these APIs take (PROVIDER_TOKEN_PATH).`, refused: false };
  }
  if (operation === 'merchant-usage' && errcode === ERR_BAD_ARGS) {
    return { code: 'INVALID_ARGUMENT', message: 'WeChat refused the usage query (unknown spuId or paging).', refused: true };
  }
  const known = REFUSALS[errcode];
  if (known) return { ...known, refused: true };
  return { code: 'UPSTREAM_UNAVAILABLE', message: `WeChat answered errcode ${errcode}; nothing is known to have changed. Try again later.`, refused: false };
}
