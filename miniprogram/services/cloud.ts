/**
 * Calling our cloud functions. Every route answers `{ ok, data }` or
 * `{ ok: false, error: { code, message, field? } }`; this turns the second into a thrown
 * `CloudError` so pages handle one kind of failure. A failed transport (no network,
 * function crashed) is a CloudError too, with code `NETWORK`.
 */

import { typedCall, type Envelope, type ErrorCode as ServerErrorCode } from '../contract';

/** The server's codes (miniprogram/contract/errors.ts), and ours for a call that never reached a function. */
export type ErrorCode = ServerErrorCode | 'NETWORK';

export class CloudError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** The input field the server named (`error.field`, a dot path such as "phoneCapture.dailyCap"), if any. */
    readonly field: string | null = null,
  ) {
    super(message);
  }
}

async function send(name: string, url: string, params: object): Promise<unknown> {
  let envelope: Envelope<unknown>;
  try {
    const res = await wx.cloud.callFunction({ name, data: { ...params, $url: url } });
    envelope = res.result as Envelope<unknown>;
  } catch (err) {
    const message = (err as { errMsg?: string }).errMsg ?? String(err);
    throw new CloudError('NETWORK', message);
  }
  if (!envelope || typeof envelope !== 'object') throw new CloudError('INTERNAL', `${name}.${url} gave no answer`);
  if (!envelope.ok) {
    const { code, message, field } = envelope.error;
    throw new CloudError(code, message, typeof field === 'string' ? field : null);
  }
  return envelope.data;
}

/**
 * Calls a route of one of our functions. Its params and its answer are typed from the
 * contract (miniprogram/contract): `callRoute('admin', 'settings.get')` is a
 * `Promise<Settings>`, and params a route does not take do not compile.
 */
export const callRoute = typedCall(send);
