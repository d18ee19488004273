/**
 * `$jsonSchema` in a query, with MongoDB's dialect of JSON Schema draft 4: `bsonType`
 * as well as `type`, no `$ref`/`format`/`default`/`definitions`. Documents that do not
 * match are simply not found, as in MongoDB; a malformed schema is refused.
 */
import { StoreError } from './store-error';

type Schema = Record<string, unknown>;

const SUPPORTED = new Set([
  'bsonType',
  'type',
  'required',
  'properties',
  'additionalProperties',
  'patternProperties',
  'minProperties',
  'maxProperties',
  'dependencies',
  'enum',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minLength',
  'maxLength',
  'pattern',
  'items',
  'additionalItems',
  'minItems',
  'maxItems',
  'uniqueItems',
  'allOf',
  'anyOf',
  'oneOf',
  'not',
  'title',
  'description',
]);

function bad(message: string): never {
  throw new StoreError('DATABASE_REQUEST_FAILED', `[FailedOperation] $jsonSchema ${message}`);
}

/** An embedded document: an object that is not an array, date, regex or BSON value (ObjectId…). */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return (
    v !== null &&
    typeof v === 'object' &&
    !Array.isArray(v) &&
    !(v instanceof Date) &&
    !(v instanceof RegExp) &&
    typeof (v as { _bsontype?: unknown })._bsontype !== 'string'
  );
}

function bsonTypeOf(v: unknown): string[] {
  if (v === null) return ['null'];
  if (typeof v === 'string') return ['string'];
  if (typeof v === 'boolean') return ['bool'];
  if (typeof v === 'number') {
    // Numbers arrive as the SDK encodes them: 32-bit integers as int, larger integers as long.
    if (Number.isInteger(v)) return Math.abs(v) <= 2147483647 ? ['int', 'number'] : ['long', 'number'];
    return ['double', 'number'];
  }
  if (v instanceof Date) return ['date'];
  if (v instanceof RegExp) return ['regex'];
  if (Array.isArray(v)) return ['array'];
  const bson = (v as { _bsontype?: unknown })?._bsontype;
  if (bson === 'ObjectId') return ['objectId'];
  if (bson === 'Decimal128') return ['decimal', 'number'];
  if (bson === 'Binary') return ['binData'];
  if (typeof v === 'object') return ['object'];
  return [];
}

function jsonTypeOf(v: unknown): string[] {
  if (v === null) return ['null'];
  if (typeof v === 'number') return ['number'];
  if (typeof v === 'string') return ['string'];
  if (typeof v === 'boolean') return ['boolean'];
  if (Array.isArray(v)) return ['array'];
  if (isPlainObject(v)) return ['object'];
  return [];
}

function list(v: unknown, name: string): string[] {
  const arr = Array.isArray(v) ? v : [v];
  if (!arr.every((x) => typeof x === 'string')) bad(`${name} must be a string or an array of strings`);
  return arr as string[];
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => sameValue(a[k], b[k]));
  }
  return a === b;
}

/** Compiles a schema into a test; throws DATABASE_REQUEST_FAILED for keywords MongoDB refuses. */
export function compileSchema(schema: unknown): (value: unknown) => boolean {
  if (!isPlainObject(schema)) bad('must be an object');
  for (const key of Object.keys(schema)) if (!SUPPORTED.has(key)) bad(`keyword '${key}' is not supported`);
  const checks: Array<(v: unknown) => boolean> = [];
  const s = schema as Schema;

  if (s.bsonType !== undefined) {
    const types = list(s.bsonType, 'bsonType');
    checks.push((v) => bsonTypeOf(v).some((t) => types.includes(t)));
  }
  if (s.type !== undefined) {
    const types = list(s.type, 'type');
    if (types.includes('integer')) bad("type 'integer' is not supported; use bsonType");
    checks.push((v) => jsonTypeOf(v).some((t) => types.includes(t)));
  }
  if (s.enum !== undefined) {
    if (!Array.isArray(s.enum) || s.enum.length === 0) bad('enum must be a non-empty array');
    const values = s.enum;
    checks.push((v) => values.some((e) => sameValue(e, v)));
  }

  // Keywords for one kind of value apply only to values of that kind.
  const num = (name: string) => {
    const n = s[name];
    if (n !== undefined && typeof n !== 'number') bad(`${name} must be a number`);
    return n as number | undefined;
  };
  const minimum = num('minimum');
  const maximum = num('maximum');
  const multipleOf = num('multipleOf');
  if (minimum !== undefined) checks.push((v) => typeof v !== 'number' || (s.exclusiveMinimum === true ? v > minimum : v >= minimum));
  if (maximum !== undefined) checks.push((v) => typeof v !== 'number' || (s.exclusiveMaximum === true ? v < maximum : v <= maximum));
  if (multipleOf !== undefined) checks.push((v) => typeof v !== 'number' || Number.isInteger(v / multipleOf));

  const minLength = num('minLength');
  const maxLength = num('maxLength');
  if (minLength !== undefined) checks.push((v) => typeof v !== 'string' || [...v].length >= minLength);
  if (maxLength !== undefined) checks.push((v) => typeof v !== 'string' || [...v].length <= maxLength);
  if (s.pattern !== undefined) {
    if (typeof s.pattern !== 'string') bad('pattern must be a string');
    const re = new RegExp(s.pattern, 'u');
    checks.push((v) => typeof v !== 'string' || re.test(v));
  }

  const minItems = num('minItems');
  const maxItems = num('maxItems');
  if (minItems !== undefined) checks.push((v) => !Array.isArray(v) || v.length >= minItems);
  if (maxItems !== undefined) checks.push((v) => !Array.isArray(v) || v.length <= maxItems);
  if (s.uniqueItems === true) checks.push((v) => !Array.isArray(v) || v.every((x, i) => v.findIndex((y) => sameValue(x, y)) === i));
  if (s.items !== undefined) {
    if (Array.isArray(s.items)) {
      const tuple = s.items.map(compileSchema);
      const extra =
        s.additionalItems === undefined || s.additionalItems === true
          ? null
          : s.additionalItems === false
            ? () => false
            : compileSchema(s.additionalItems);
      checks.push((v) => !Array.isArray(v) || v.every((x, i) => (i < tuple.length ? tuple[i]!(x) : extra ? extra(x) : true)));
    } else {
      const item = compileSchema(s.items);
      checks.push((v) => !Array.isArray(v) || v.every(item));
    }
  }

  const minProperties = num('minProperties');
  const maxProperties = num('maxProperties');
  if (minProperties !== undefined) checks.push((v) => !isPlainObject(v) || Object.keys(v).length >= minProperties);
  if (maxProperties !== undefined) checks.push((v) => !isPlainObject(v) || Object.keys(v).length <= maxProperties);
  if (s.required !== undefined) {
    const required = list(s.required, 'required');
    checks.push((v) => !isPlainObject(v) || required.every((k) => k in v));
  }
  const properties = s.properties === undefined ? {} : isPlainObject(s.properties) ? s.properties : bad('properties must be an object');
  const propertyChecks = Object.entries(properties).map(([k, sub]) => [k, compileSchema(sub)] as const);
  const patterns =
    s.patternProperties === undefined
      ? []
      : isPlainObject(s.patternProperties)
        ? Object.entries(s.patternProperties).map(([p, sub]) => [new RegExp(p, 'u'), compileSchema(sub)] as const)
        : bad('patternProperties must be an object');
  const additional =
    s.additionalProperties === undefined || s.additionalProperties === true
      ? null
      : s.additionalProperties === false
        ? () => false
        : compileSchema(s.additionalProperties);
  if (propertyChecks.length || patterns.length || additional) {
    checks.push((v) => {
      if (!isPlainObject(v)) return true;
      for (const [k, value] of Object.entries(v)) {
        const named = propertyChecks.find(([name]) => name === k);
        if (named && !named[1](value)) return false;
        const matching = patterns.filter(([re]) => re.test(k));
        if (matching.some(([, check]) => !check(value))) return false;
        if (!named && matching.length === 0 && additional && !additional(value)) return false;
      }
      return true;
    });
  }
  if (s.dependencies !== undefined) {
    if (!isPlainObject(s.dependencies)) bad('dependencies must be an object');
    const deps = Object.entries(s.dependencies).map(
      ([k, d]) => [k, Array.isArray(d) ? list(d, 'dependencies') : compileSchema(d)] as const,
    );
    checks.push(
      (v) =>
        !isPlainObject(v) ||
        deps.every(([k, d]) => !(k in v) || (Array.isArray(d) ? d.every((x) => x in v) : (d as (x: unknown) => boolean)(v))),
    );
  }

  const group = (name: string) => {
    const g = s[name];
    if (g === undefined) return null;
    if (!Array.isArray(g) || g.length === 0) bad(`${name} must be a non-empty array`);
    return g.map(compileSchema);
  };
  const allOf = group('allOf');
  const anyOf = group('anyOf');
  const oneOf = group('oneOf');
  if (allOf) checks.push((v) => allOf.every((c) => c(v)));
  if (anyOf) checks.push((v) => anyOf.some((c) => c(v)));
  if (oneOf) checks.push((v) => oneOf.filter((c) => c(v)).length === 1);
  if (s.not !== undefined) {
    const not = compileSchema(s.not);
    checks.push((v) => !not(v));
  }
  return (v) => checks.every((c) => c(v));
}
