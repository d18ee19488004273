/**
 * What CloudBase refuses before any container sees an invocation: an event over SCF's
 * synchronous limit, or one nested absurdly deep. Checked for every way in — the `/v1`
 * API (a mini program's call) and `functions.invokeFunction` through the gateway (a
 * function's `cloud.callFunction`). docs/emulator.md says what is confirmed and what is
 * assumed.
 */

/** SCF's limit on a synchronous invocation's event (confirmed: SCF quota page, 6 MB). */
const MAX_EVENT_BYTES = 6 * 1024 * 1024;
/** How deep an event may nest (assumed: CloudBase documents no figure; see docs/emulator.md). */
const MAX_EVENT_DEPTH = 64;

/** The nesting depth of a JSON value, stopping once past `limit` (so never deeper than `limit` + 1 frames). */
function depthOf(value: unknown, limit: number, depth = 0): number {
  if (depth > limit || value === null || typeof value !== 'object') return depth;
  let max = depth + 1;
  for (const child of Object.values(value as Record<string, unknown>)) {
    max = Math.max(max, depthOf(child, limit, depth + 1));
    if (max > limit) break;
  }
  return max;
}

/** Why CloudBase would refuse this event, or null. */
export function eventProblem(data: unknown): { code: 'EVENT_TOO_DEEP' | 'EVENT_TOO_LARGE'; message: string } | null {
  // Depth first: measuring the size serialises the value, which a deep one would overflow (a 500 from the emulator).
  if (depthOf(data, MAX_EVENT_DEPTH) > MAX_EVENT_DEPTH)
    return { code: 'EVENT_TOO_DEEP', message: `data nests deeper than ${MAX_EVENT_DEPTH} levels` };
  const bytes = Buffer.byteLength(JSON.stringify(data));
  if (bytes > MAX_EVENT_BYTES)
    return { code: 'EVENT_TOO_LARGE', message: `data is ${bytes} bytes; an invocation event may be at most ${MAX_EVENT_BYTES}` };
  return null;
}
