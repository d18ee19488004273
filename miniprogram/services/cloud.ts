/**
 * Calling our cloud functions. Every route answers `{ ok, data }` or
 * `{ ok: false, error: { code, message } }`; this turns the second into a thrown
 * `CloudError` so pages handle one kind of failure. A failed transport (no network,
 * function crashed) is a CloudError too, with code `NETWORK`.
 */

export type ErrorCode =
  | 'INVALID_ARGUMENT'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'RATE_LIMITED'
  | 'PHONE_CODE_INVALID'
  | 'UPSTREAM_UNAVAILABLE'
  | 'INTERNAL'
  | 'NETWORK';

export class CloudError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

type Envelope<T> = { ok: true; data: T } | { ok: false; error: { code: ErrorCode; message: string } };

export async function callRoute<T>(name: string, url: string, params: Record<string, unknown> = {}): Promise<T> {
  let envelope: Envelope<T>;
  try {
    const res = await wx.cloud.callFunction({ name, data: { ...params, $url: url } });
    envelope = res.result as Envelope<T>;
  } catch (err) {
    const message = (err as { errMsg?: string }).errMsg ?? String(err);
    throw new CloudError('NETWORK', message);
  }
  if (!envelope || typeof envelope !== 'object') throw new CloudError('INTERNAL', `${name}.${url} gave no answer`);
  if (!envelope.ok) throw new CloudError(envelope.error.code, envelope.error.message);
  return envelope.data;
}
