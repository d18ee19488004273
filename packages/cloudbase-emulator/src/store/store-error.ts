/**
 * A database failure as the gateway reports it: `code` is CloudBase's error code
 * string, `message` what happened.
 */
export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
