/**
 * How database failures look through wx-server-sdk. CloudBase reports a duplicate
 * `_id` with MongoDB's E11000 text inside the SDK's error message.
 */
export function isDuplicateKey(err: unknown): boolean {
  const text =
    err instanceof Error ? err.message : typeof err === 'object' && err ? String((err as { errMsg?: unknown }).errMsg ?? '') : String(err);
  return /E11000|duplicate key/i.test(text);
}

/** A transaction that lost to a concurrent writer: worth running again on a fresh snapshot. */
export function isTxConflict(err: unknown): boolean {
  // The SDK puts CloudBase's code (DATABASE_TRANSACTION_CONFLICT, or _FAIL once the
  // conflict ended the transaction) in errCode and its wording in the message.
  const e = (err ?? {}) as { message?: unknown; errCode?: unknown; errMsg?: unknown };
  const text = `${String(e.errCode ?? '')} ${String(e.message ?? '')} ${String(e.errMsg ?? '')} ${typeof err === 'string' ? err : ''}`;
  return /TRANSACTION_(CONFLICT|FAIL)|TransactionConflict|TransactionNotExist/i.test(text);
}

/**
 * A failure worth the same call again: anything but an answer about the request itself
 * (a duplicate `_id`, a bad parameter, no permission, a missing collection). A lost
 * connection, a timeout or CloudBase's DATABASE_REQUEST_FAILED may pass on a retry.
 */
export function isTransientDbError(err: unknown): boolean {
  if (isDuplicateKey(err)) return false;
  const e = (err ?? {}) as { errCode?: unknown; code?: unknown; message?: unknown; errMsg?: unknown };
  const text = `${String(e.errCode ?? '')} ${String(e.code ?? '')} ${String(e.message ?? '')} ${String(e.errMsg ?? '')}`;
  return !/INVALID_PARAM|PERMISSION_DENIED|COLLECTION_NOT_EXIST|ACTION_NOT_SUPPORTED/i.test(text);
}
