/**
 * The SDK's value encoding. Queries, updates, orders and projections arrive as
 * canonical Extended JSON strings; documents go back as relaxed Extended JSON strings
 * (dates as `{"$date": "…"}`), which is what CloudBase answers.
 *
 * Two things need translating after parsing: `db.serverDate()` arrives as
 * `{"$tcb_server_date": {"offset": N}}` and is resolved to the server's clock here;
 * regular expressions arrive as BSON regexes and become JavaScript ones for mingo.
 */
import { BSONRegExp, EJSON } from 'bson';

export class EjsonError extends Error {}

/** Parses an EJSON string from the SDK into plain values (Date, RegExp, numbers). */
export function decode(text: unknown, field: string, now: number): unknown {
  if (typeof text !== 'string') throw new EjsonError(`${field} must be an Extended JSON string`);
  let parsed: unknown;
  try {
    parsed = EJSON.parse(text, { relaxed: true });
  } catch (err) {
    throw new EjsonError(`${field} is not valid Extended JSON: ${(err as Error).message}`);
  }
  return resolve(parsed, now);
}

export function decodeObject(text: unknown, field: string, now: number): Record<string, unknown> {
  const value = decode(text, field, now);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new EjsonError(`${field} must encode an object`);
  return value as Record<string, unknown>;
}

function resolve(value: unknown, now: number): unknown {
  if (value instanceof BSONRegExp) return new RegExp(value.pattern, [...value.options].filter((o) => 'imsu'.includes(o)).join(''));
  if (value === null || typeof value !== 'object' || value instanceof Date || isBsonValue(value)) return value;
  if (Array.isArray(value)) return value.map((v) => resolve(v, now));
  const obj = value as Record<string, unknown>;
  const serverDate = obj.$tcb_server_date as { offset?: unknown } | undefined;
  if (serverDate && Object.keys(obj).length === 1) {
    const offset = typeof serverDate.offset === 'number' ? serverDate.offset : 0;
    return new Date(now + offset);
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) out[k] = resolve(v, now);
  return out;
}

function isBsonValue(value: object): boolean {
  return typeof (value as { _bsontype?: unknown })._bsontype === 'string';
}

/** ObjectIds go out as their hex string, as CloudBase answers them (the SDK's oid test reads `a === hex`). */
function answerValue(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || value instanceof Date || value instanceof RegExp) return value;
  if (isBsonValue(value))
    return (value as { _bsontype: string })._bsontype === 'ObjectId' ? (value as { toHexString(): string }).toHexString() : value;
  if (Array.isArray(value)) return value.map(answerValue);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = answerValue(v);
  return out;
}

/** Encodes a stored document the way CloudBase answers it. */
export function encode(doc: unknown): string {
  return EJSON.stringify(answerValue(doc) as Record<string, unknown>, { relaxed: true });
}
