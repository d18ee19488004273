/**
 * Update operators as MongoDB applies them: mingo's updater, after the checks where
 * mingo would quietly do something else (a field created under a non-document, `$inc`
 * on a non-number, `$push` on a non-array) and MongoDB refuses the whole update; and the
 * document an upsert starts from.
 */
import type { Options } from 'mingo/types';
import { update as applyUpdate } from 'mingo/updater';
import { clone, isBsonValue, isObjectId, type Doc, type Filter } from './document-values';
import { StoreError } from './store-error';

/** `doc` changed by `operators` (in place, and answered); refused whole when MongoDB would refuse it. */
export function applyUpdateOperators(doc: Doc, operators: Doc, queryOptions: Options): Doc {
  const ops = Object.keys(operators);
  if (ops.length && !ops.every((k) => k.startsWith('$'))) {
    throw new StoreError('INVALID_PARAM', 'an update must use operators ($set, $inc, …) or be a replacement');
  }
  assertPathsWritable(doc, operators);
  assertOperandTypes(doc, operators);
  applyUpdate(doc, operators as never, undefined, undefined, { cloneMode: 'deep', queryOptions });
  return doc;
}

/** Update operators that create the fields their paths name. */
const CREATING_OPERATORS = new Set(['$set', '$inc', '$mul', '$min', '$max', '$push', '$addToSet', '$currentDate']);

/**
 * MongoDB refuses to create a field under a value that is not a document:
 * `$set: { "phone.number": 1 }` on `{ phone: null }` fails with "Cannot create field".
 * mingo quietly replaces or skips instead, which would hide exactly the bug of
 * updating a nested object that used to be null, so the emulator checks first.
 */
function assertPathsWritable(doc: Doc, operators: Doc): void {
  for (const [op, fields] of Object.entries(operators)) {
    if (!CREATING_OPERATORS.has(op) || fields === null || typeof fields !== 'object') continue;
    for (const path of Object.keys(fields)) {
      const parts = path.split('.');
      let current: unknown = doc;
      for (let i = 0; i < parts.length - 1; i++) {
        const part = parts[i]!;
        if (part.startsWith('$')) break; // positional operators: left to mingo
        const next = (current as Record<string, unknown>)[part];
        if (next === undefined) break; // missing parents are created
        if (next === null || typeof next !== 'object' || next instanceof Date) {
          throw new StoreError(
            'DATABASE_REQUEST_FAILED',
            `[FailedOperation] Cannot create field '${parts[i + 1]}' in element {${part}: ${JSON.stringify(next)}}`,
          );
        }
        current = next;
      }
    }
  }
}

/** An upsert starts from the equality fields of its filter, as MongoDB does. */
export function upsertSeed(filter: Filter): Doc {
  const seed: Doc = {};
  for (const [key, value] of Object.entries(filter)) {
    if (key.startsWith('$') || key.includes('.')) continue;
    if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
      const ops = value as Record<string, unknown>;
      if ('$eq' in ops) seed[key] = clone(ops.$eq);
      continue;
    }
    seed[key] = clone(value);
  }
  return seed;
}

function isNumeric(v: unknown): boolean {
  return typeof v === 'number' || (isBsonValue(v) && ['Decimal128', 'Long', 'Double', 'Int32'].includes(v._bsontype));
}

function bsonTypeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (v instanceof Date) return 'date';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'double';
  if (typeof v === 'object') return isObjectId(v) ? 'objectId' : 'object';
  return typeof v;
}

/** The value at a dot path with array indexes, or undefined when the path stops; null for positional paths. */
function valueAtUpdatePath(doc: Doc, path: string): { value: unknown } | null {
  let current: unknown = doc;
  for (const part of path.split('.')) {
    if (part.startsWith('$')) return null;
    if (current === null || typeof current !== 'object') return { value: undefined };
    current = (current as Record<string, unknown>)[part];
  }
  return { value: current };
}

/**
 * MongoDB refuses arithmetic on values that are not numbers and array operators on
 * values that are not arrays (mingo quietly does nothing), e.g. `$inc` on a field
 * holding null: the update fails and nothing is written.
 */
function assertOperandTypes(doc: Doc, operators: Doc): void {
  const fail = (message: string): never => {
    throw new StoreError('DATABASE_REQUEST_FAILED', `[FailedOperation] ${message}`);
  };
  const id = JSON.stringify(doc._id);
  for (const [op, fields] of Object.entries(operators)) {
    if (fields === null || typeof fields !== 'object') continue;
    for (const [path, operand] of Object.entries(fields as Record<string, unknown>)) {
      const at = valueAtUpdatePath(doc, path);
      if (!at) continue;
      const { value } = at;
      const field = path.split('.').pop();
      if (op === '$inc' || op === '$mul') {
        if (!isNumeric(operand))
          fail(`Cannot ${op === '$inc' ? 'increment' : 'multiply'} with non-numeric argument: {${path}: ${JSON.stringify(operand)}}`);
        if (value !== undefined && !isNumeric(value))
          fail(
            `Cannot apply ${op} to a value of non-numeric type. {_id: ${id}} has the field '${field}' of non-numeric type ${bsonTypeName(value)}`,
          );
      } else if (op === '$push') {
        if (value !== undefined && !Array.isArray(value))
          fail(`The field '${field}' must be an array but is of type ${bsonTypeName(value)} in document {_id: ${id}}`);
      } else if (op === '$addToSet') {
        if (value !== undefined && !Array.isArray(value))
          fail(`Cannot apply $addToSet to non-array field. Field named '${field}' has non-array type ${bsonTypeName(value)}`);
      } else if (op === '$pop') {
        if (value !== undefined && !Array.isArray(value))
          fail(`Path '${path}' contains an element of non-array type '${bsonTypeName(value)}'`);
      } else if (op === '$pull' || op === '$pullAll') {
        if (value !== undefined && !Array.isArray(value)) fail(`Cannot apply ${op} to a non-array value`);
      }
    }
  }
}
