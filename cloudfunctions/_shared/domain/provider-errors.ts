/**
 * WeChat's service-provider errcodes in our words, and what each means for an
 * assignment (docs/provider.md keeps the table with sources). Documented on the
 * assign / cancel_assign pages (doc/oplatform/service_market/charge/api/…): 10120002
 * 参数错误, 10120405 方法不可用, 10120800 订单ID不合法, 10121001 订单ID不合法或订单状态不正确,
 * 10121004 系统错误 (retry), 10121009 重复调用,已分配成功, 10121010 分配已取消,
 * 10121011 分配中, 10121012 资源包已过期, 10121013 无效资源包, 10121014 (meaning not in
 * our sources). Community only: 10045 (no relationship with the mini program), 10121031
 * (资源包用量不足 — and reported as the answer to a resend after success).
 *
 * Global codes: 48001 (the token may not call the API), 61007 (not granted to the
 * third-party platform). 10120020 (seen nightly, meaning not public) is taken as busy.
 *
 * Every code ends somewhere: a refusal (nothing happened: any error answer to a first
 * send, known or not), WeChat's word on the status, a retry (busy, timeouts), or — for a
 * refusal to a resend that may answer an earlier send — `unknown`, shown to admins,
 * re-checked on request and cancellable. Pure: no SDK.
 */
import type { ErrorCode } from '../../../miniprogram/contract';
import type { AssignmentStatus } from './provider-assignment';
import { TOKEN_REJECTED } from './wechat-errcodes';

export type ProviderOperation = 'token' | 'read' | 'assign' | 'cancel' | 'merchant-usage';

export interface MappedError {
  code: ErrorCode;
  message: string;
  /** WeChat certainly did not do it. */
  refused: boolean;
}

const ERR_BAD_PARAMS = 10120002;
const ERR_METHOD_UNAVAILABLE = 10120405;
const ERR_BAD_ORDER_ID = 10120800;
const ERR_BAD_ORDER = 10121001;
const ERR_SYSTEM = 10121004;
const ERR_ALREADY_ASSIGNED = 10121009;
const ERR_ASSIGNMENT_CANCELLED = 10121010;
const ERR_IN_PROGRESS = 10121011;
const ERR_ORDER_EXPIRED = 10121012;
const ERR_INVALID_PACKAGE = 10121013;
const ERR_10121014 = 10121014;
/** Community: "订单的资源包用量不足,无法分配", and the answer to a resend after success. */
const ERR_NOT_ENOUGH_LEFT = 10121031;
/** Community: no relationship with that mini program. */
const ERR_NO_RELATIONSHIP = 10045;
const ERR_BAD_ARGS = 40097;
const ERR_BAD_APPID = 40013;
/** Global code: the token's account may not call this API (e.g. a mini program's token instead of the service platform's). */
const ERR_API_UNAUTHORIZED = 48001;
/** Global code: the merchant did not grant this API to the third-party platform (authorizer tokens). */
const ERR_COMPONENT_UNAUTHORIZED = 61007;
/** Seen nightly on `order/query_list` (issue 25); its meaning is not public. Assumed transient: asked again later, never settled on. */
const ERR_NIGHTLY = 10120020;

const REFUSALS: Record<number, { code: ErrorCode; message: string }> = {
  [ERR_BAD_PARAMS]: {
    code: 'INVALID_ARGUMENT',
    message: 'WeChat refused the request as malformed (10120002 参数错误); nothing was assigned.',
  },
  [ERR_METHOD_UNAVAILABLE]: {
    code: 'UPSTREAM_UNAVAILABLE',
    message: 'WeChat says this API is not available to the provider (10120405 方法不可用); check the service platform account.',
  },
  [ERR_BAD_ORDER_ID]: {
    code: 'INVALID_ARGUMENT',
    message: 'WeChat does not accept this orderId (10120800 订单ID不合法); nothing was assigned.',
  },
  [ERR_BAD_ORDER]: {
    code: 'INVALID_ARGUMENT',
    message: 'WeChat does not accept this orderId: unknown order, or its state does not allow it (10121001); nothing was assigned.',
  },
  [ERR_ORDER_EXPIRED]: { code: 'CONFLICT', message: 'The order has expired (10121012 资源包已过期); nothing can be assigned from it.' },
  [ERR_INVALID_PACKAGE]: {
    code: 'INVALID_ARGUMENT',
    message: 'WeChat says the skuId is not a valid pack of this order (10121013 无效资源包); nothing was assigned.',
  },
  [ERR_10121014]: {
    code: 'CONFLICT',
    message:
      'WeChat refused (10121014; its meaning is not public). For a cancel this is what the emulator answers when the pack is used or was assigned more than 7 days ago.',
  },
  [ERR_NOT_ENOUGH_LEFT]: {
    code: 'CONFLICT',
    message: 'WeChat says the order has not enough calls left for this SKU (10121031); nothing was assigned.',
  },
  [ERR_NO_RELATIONSHIP]: {
    code: 'INVALID_ARGUMENT',
    message: 'The provider has no relationship with that mini program on WeChat (10045); nothing was assigned.',
  },
  [ERR_BAD_ARGS]: { code: 'INVALID_ARGUMENT', message: 'WeChat refused the request: a malformed argument (40097); nothing was assigned.' },
  [ERR_BAD_APPID]: { code: 'INVALID_ARGUMENT', message: 'WeChat does not accept that appid (40013); nothing was assigned.' },
  [ERR_API_UNAUTHORIZED]: {
    code: 'UPSTREAM_UNAVAILABLE',
    message:
      "WeChat says this token may not call the API (48001 api unauthorized): the token must be the service platform's (PROVIDER_APPID, 服务平台 → 开发设置), not a mini program's. Nothing was changed.",
  },
  [ERR_COMPONENT_UNAUTHORIZED]: {
    code: 'UPSTREAM_UNAVAILABLE',
    message:
      'WeChat says the merchant has not granted this API to your third-party platform (61007); the merchant must authorize the permission set again. Nothing was changed.',
  },
};

/**
 * -1 is WeChat's "system busy", 10121004 its 系统错误 (请重试); our own timeouts and network
 * failures are negative too; 10120020 (nightly, meaning unknown) is taken as busy.
 */
export const isTransientErrcode = (errcode: number) => errcode < 0 || errcode === ERR_SYSTEM || errcode === ERR_NIGHTLY;

export function mapWechatError(errcode: number, operation: ProviderOperation): MappedError {
  if (isTransientErrcode(errcode)) {
    const tail = operation === 'assign' ? ' Send the same idempotencyKey again: it will not assign twice.' : ' Try again shortly.';
    return { code: 'UPSTREAM_UNAVAILABLE', message: `WeChat did not answer in time or is busy (${errcode}).${tail}`, refused: false };
  }
  if (operation === 'token') {
    return {
      code: 'UPSTREAM_UNAVAILABLE',
      message: `Could not get the provider's access token (WeChat errcode ${errcode}); check PROVIDER_APPID and PROVIDER_APPSECRET (the service platform's, 服务平台 → 帐号设置 → 开发设置) and PROVIDER_TOKEN_PATH.`,
      refused: false,
    };
  }
  if (TOKEN_REJECTED.includes(errcode)) {
    return {
      code: 'UPSTREAM_UNAVAILABLE',
      message: `WeChat rejected the access token (errcode ${errcode}); it must be an ordinary access_token of the service platform's AppID (PROVIDER_TOKEN_PATH).`,
      refused: false,
    };
  }
  if (operation === 'merchant-usage' && errcode === ERR_BAD_ARGS) {
    return { code: 'INVALID_ARGUMENT', message: 'WeChat refused the usage query (unknown spuId or paging).', refused: true };
  }
  const known = REFUSALS[errcode];
  if (known) return { ...known, refused: true };
  // An errcode is an answer that WeChat did not do it: a refusal we have no words for.
  return {
    code: 'UPSTREAM_UNAVAILABLE',
    message: `WeChat refused with errcode ${errcode}, which we do not know; nothing was changed.`,
    refused: false,
  };
}

/** What WeChat's answer to an assign or cancel_assign means for the assignment. */
export type SendOutcome =
  | { kind: 'accepted' }
  /** WeChat's word on where the assignment is. */
  | { kind: 'status'; status: AssignmentStatus; errcode: number }
  /** Nothing happened; the assignment's state is final for this request (assign: failed; cancel: stays done). */
  | { kind: 'refused'; errcode: number; error: MappedError }
  /** Busy or no answer: the outcome is open; try again with the same requestId. */
  | { kind: 'retry'; errcode: number; error: MappedError }
  /** The answer does not tell what happened: mark it unknown for an admin. */
  | { kind: 'unknown'; errcode: number; error: MappedError };

/**
 * `resend`: the same requestId was (or may have been) sent before. Then a refusal may
 * be the answer to a request that already went through (community: 10121031 after
 * success), so it does not settle anything: unknown.
 */
export function assignOutcome(errcode: number, resend: boolean): SendOutcome {
  if (errcode === 0) return { kind: 'accepted' };
  if (errcode === ERR_ALREADY_ASSIGNED) return { kind: 'status', status: 'done', errcode };
  if (errcode === ERR_ASSIGNMENT_CANCELLED) return { kind: 'status', status: 'cancelled', errcode };
  if (errcode === ERR_IN_PROGRESS) return { kind: 'status', status: 'pending', errcode };
  return settle(errcode, 'assign', resend);
}

/**
 * For cancel_assign: 10121010 cancelled, 10121011 in progress. A known refusal leaves the
 * assignment as it was, first send or resend alike (a cancel that went through answers
 * 10121010 when sent again); a code we do not know refuses a first send, and leaves a
 * resend (polling a cancel WeChat accepted) unknown.
 */
export function cancelOutcome(errcode: number, resend = false): SendOutcome {
  if (errcode === 0) return { kind: 'accepted' };
  if (errcode === ERR_ASSIGNMENT_CANCELLED) return { kind: 'status', status: 'cancelled', errcode };
  if (errcode === ERR_IN_PROGRESS) return { kind: 'status', status: 'cancelling', errcode };
  return settle(errcode, 'cancel', resend && !(errcode in REFUSALS));
}

/**
 * A first send that WeChat answers with an error was not done: refused, with its reason
 * (48001, 61007, a code we do not know alike). Only a resend's refusal is ambiguous.
 */
function settle(errcode: number, operation: 'assign' | 'cancel', resend: boolean): SendOutcome {
  const error = mapWechatError(errcode, operation);
  if (isTransientErrcode(errcode) || TOKEN_REJECTED.includes(errcode)) return { kind: 'retry', errcode, error };
  if (!resend) return { kind: 'refused', errcode, error: { ...error, refused: true } };
  if (error.refused) {
    return {
      kind: 'unknown',
      errcode,
      error: {
        code: 'CONFLICT',
        message: `WeChat refused a resend of this assignment (${errcode}), which may answer an earlier send that went through; its outcome is unknown. Check it in the service platform.`,
        refused: false,
      },
    };
  }
  return {
    kind: 'unknown',
    errcode,
    error: { ...error, message: `${error.message} The assignment is marked unknown; check it in the service platform.` },
  };
}
