/**
 * How database failures look through wx-server-sdk. CloudBase reports a duplicate
 * `_id` with MongoDB's E11000 text inside the SDK's error message.
 */
export function isDuplicateKey(err: unknown): boolean {
  const text =
    err instanceof Error ? err.message : typeof err === 'object' && err ? String((err as { errMsg?: unknown }).errMsg ?? '') : String(err);
  return /E11000|duplicate key/i.test(text);
}
