/**
 * Operators the emulator adds to mingo's, or replaces, where mingo answers differently
 * from MongoDB as CloudBase runs it (see docs/emulator.md "Fidelity"):
 *
 * - `$elemMatch` with field conditions matches embedded documents only (mingo also
 *   tried them on plain values, so `{ value: _.neq(1) }` matched `[3]`).
 * - geo query operators (`$nearSphere`, `$near`, `$geoWithin`, `$geoIntersects`).
 * - `$jsonSchema` (mingo needs a validator supplied).
 * - `$substr`/`$substrBytes` count bytes and take a negative length as "the rest";
 *   `$indexOfBytes` counts bytes; `$indexOfCP` exists; `$week` numbers weeks from the
 *   year's first Sunday; `$trunc`/`$round` take a single number.
 */
import { Context, evalExpr } from 'mingo/core';
import * as accumulatorOperators from 'mingo/operators/accumulator';
import * as expressionOperators from 'mingo/operators/expression';
import {
  $dateFromString as mingoDateFromString,
  $mergeObjects as mingoMergeObjects,
  $round as mingoRound,
  $trunc as mingoTrunc,
} from 'mingo/operators/expression';
import * as pipelineOperators from 'mingo/operators/pipeline';
import * as projectionOperators from 'mingo/operators/projection';
import * as queryOperators from 'mingo/operators/query';
import * as windowOperators from 'mingo/operators/window';
import { Query } from 'mingo/query';
import type { Options } from 'mingo/types';
import { resolve } from 'mingo/util';
import { geoIntersectsPredicate, geoWithinPredicate, matchesNear, nearSpec } from './geo';
import { compileSchema, isPlainObject } from './json-schema';
import { StoreError } from './store-error';

type Predicate = (obj: Record<string, unknown>) => boolean;

const isDocument = isPlainObject;

function $elemMatch(selector: string, criteria: Record<string, unknown>, options: Options): Predicate {
  const keys = Object.keys(criteria ?? {});
  // `{ $gt: 2 }`: conditions on the element itself; `{ value: … }`: on its fields.
  const onElement = keys.length > 0 && keys.every((k) => k.startsWith('$') && k !== '$and' && k !== '$or' && k !== '$nor');
  const query = new Query(onElement ? { e: criteria } : criteria, options);
  const test = (el: unknown) => (onElement ? query.test({ e: el }) : isDocument(el) && query.test(el));
  return (obj) => {
    const value = resolve(obj, selector, { unwrapArray: true });
    return Array.isArray(value) && value.some(test);
  };
}

function geoOperator(make: (spec: unknown) => (value: unknown) => boolean) {
  return (selector: string, spec: unknown): Predicate => {
    const test = make(spec);
    return (obj) => test(resolve(obj, selector));
  };
}

const nearOperator = geoOperator((spec) => {
  const near = nearSpec(spec);
  return (value) => matchesNear(value, near);
});

function exprError(message: string): never {
  throw new StoreError('DATABASE_REQUEST_FAILED', `[FailedOperation] ${message}`);
}

function args(obj: unknown, expr: unknown, options: Options, op: string, min: number, max: number): unknown[] {
  if (!Array.isArray(expr) || expr.length < min || expr.length > max)
    exprError(`${op} needs ${min === max ? min : `${min} to ${max}`} arguments`);
  return evalExpr(obj, expr, options) as unknown[];
}

function nonNegativeInt(v: unknown, op: string, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) exprError(`${op}: ${what} must be a non-negative integer`);
  return v;
}

function isContinuation(bytes: Buffer, at: number): boolean {
  return at < bytes.length && (bytes[at]! & 0xc0) === 0x80;
}

function $substrBytes(obj: unknown, expr: unknown, options: Options): string {
  const [value, start, count] = args(obj, expr, options, '$substrBytes', 3, 3);
  const text = value === null || value === undefined ? '' : String(value);
  const bytes = Buffer.from(text, 'utf8');
  const from = nonNegativeInt(start, '$substrBytes', 'starting index');
  if (typeof count !== 'number' || !Number.isInteger(count)) exprError('$substrBytes: length must be an integer');
  // A negative length means "to the end of the string".
  const to = count < 0 ? bytes.length : Math.min(bytes.length, from + count);
  if (from >= bytes.length) return '';
  if (isContinuation(bytes, from)) exprError('$substrBytes: Invalid range, starting index is a UTF-8 continuation byte.');
  if (isContinuation(bytes, to)) exprError('$substrBytes: Invalid range, ending index is in the middle of a UTF-8 character.');
  return bytes.subarray(from, to).toString('utf8');
}

function indexOf(op: string, unit: 'bytes' | 'cp') {
  return (obj: unknown, expr: unknown, options: Options): number | null => {
    const [value, search, start, end] = args(obj, expr, options, op, 2, 4);
    if (value === null || value === undefined) return null;
    if (typeof value !== 'string') exprError(`${op} requires a string as the first argument`);
    if (typeof search !== 'string') exprError(`${op} requires a string as the second argument`);
    const units: string[] | Buffer = unit === 'cp' ? [...value] : Buffer.from(value, 'utf8');
    const needle: string[] | Buffer = unit === 'cp' ? [...search] : Buffer.from(search, 'utf8');
    const from = start === undefined ? 0 : nonNegativeInt(start, op, 'starting index');
    const to = end === undefined ? units.length : Math.min(units.length, nonNegativeInt(end, op, 'ending index'));
    for (let i = from; i + needle.length <= to; i++) {
      let found = true;
      for (let j = 0; j < needle.length; j++) {
        if (units[i + j] !== needle[j]) {
          found = false;
          break;
        }
      }
      if (found) return i;
    }
    return -1;
  };
}

/** `$week`: 0–53, weeks starting on Sunday, week 1 from the year's first Sunday. */
function $week(obj: unknown, expr: unknown, options: Options): number | null {
  const dayOfYear = evalExpr(obj, { $dayOfYear: expr }, options) as number | null;
  const dayOfWeek = evalExpr(obj, { $dayOfWeek: expr }, options) as number | null;
  if (dayOfYear === null || dayOfWeek === null || dayOfYear === undefined || dayOfWeek === undefined) return null;
  const jan1 = (((dayOfWeek - 1 - (dayOfYear - 1)) % 7) + 7) % 7; // 0 = Sunday
  return Math.floor((dayOfYear - 1 + jan1) / 7);
}

function roundingWithOptionalPlace(original: (obj: never, expr: never, options: Options) => unknown) {
  return (obj: unknown, expr: unknown, options: Options): unknown => {
    const list = Array.isArray(expr) ? [...expr] : [expr];
    if (list.length === 1) list.push(0);
    return original(obj as never, list as never, options);
  };
}

/**
 * mingo's operators with the emulator's in place of some. Used with the classes from
 * `mingo/query`, `mingo/aggregator` and `mingo/updater`: the package's index merges
 * its own operators over any context given, which would undo the replacements.
 */
/** `$mergeObjects` in `$group` is MongoDB's accumulator (mingo only knew the expression). */
function $mergeObjects(obj: unknown, expr: unknown, options: Options): unknown {
  if (Array.isArray(obj)) {
    // $push evaluates the expression against each document of the group.
    const values = (accumulatorOperators.$push as (o: unknown, e: unknown, opt: Options) => unknown[])(obj, expr, options);
    const merged: Record<string, unknown> = {};
    for (const value of values) if (value !== null && typeof value === 'object') Object.assign(merged, value);
    return merged;
  }
  return (mingoMergeObjects as (o: unknown, e: unknown, opt: Options) => unknown)(obj, expr, options);
}

/** Minutes to add to UTC for `zone` (an IANA name like "Asia/Shanghai", or "+08:00") at `utcMs`. */
function zoneOffsetMinutes(zone: string | undefined, utcMs: number): number {
  if (!zone || zone === 'UTC' || zone === 'Z') return 0;
  const fixed = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone);
  if (fixed) return (fixed[1] === '-' ? -1 : 1) * (Number(fixed[2]) * 60 + Number(fixed[3] ?? 0));
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    }).formatToParts(new Date(utcMs));
  } catch {
    exprError(`unrecognized time zone identifier: "${zone}"`);
  }
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const local = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return Math.round((local - Math.floor(utcMs / 1000) * 1000) / 60000);
}

/**
 * `$dateFromString` without `format` reads what MongoDB reads: "2019-05-14",
 * "2019-05-14 17:38:51", ISO 8601 with "T", fractions and a "Z" or "±hh:mm" zone; a
 * `timezone` argument for strings without one. With `format`: mingo's.
 */
function $dateFromString(obj: unknown, expr: unknown, options: Options): unknown {
  const spec = (expr ?? {}) as Record<string, unknown>;
  if (spec.format !== undefined) return (mingoDateFromString as (o: unknown, e: unknown, opt: Options) => unknown)(obj, expr, options);
  const args = evalExpr(obj, expr, options) as { dateString?: unknown; timezone?: unknown; onError?: unknown; onNull?: unknown };
  if (args.dateString === null || args.dateString === undefined) return 'onNull' in args ? args.onNull : null;
  const m =
    typeof args.dateString === 'string'
      ? /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/.exec(
          args.dateString,
        )
      : null;
  if (!m) {
    if ('onError' in args) return args.onError;
    exprError(`$dateFromString: Error parsing date string '${String(args.dateString)}'`);
  }
  if (m[8] && args.timezone)
    exprError('$dateFromString: you cannot pass in a date/time string with time zone information together with a timezone argument');
  const n = (i: number) => Number(m[i] ?? 0);
  const wall = Date.UTC(n(1), n(2) - 1, n(3), n(4), n(5), n(6), Number((m[7] ?? '0').padEnd(3, '0')));
  const zone = m[8] ?? (typeof args.timezone === 'string' ? args.timezone : undefined);
  // Two passes so a zone with daylight saving gets the offset in force at that wall time.
  const first = wall - zoneOffsetMinutes(zone, wall) * 60000;
  return new Date(wall - zoneOffsetMinutes(zone, first) * 60000);
}

export function mingoContext(): Context {
  return Context.init({
    accumulator: {
      ...accumulatorOperators,
      // MongoDB answers null, not NaN, for the sample deviation of fewer than two values.
      $stdDevSamp: ((coll: unknown, expr: unknown, options: Options) => {
        const r = (accumulatorOperators.$stdDevSamp as (c: unknown, e: unknown, o: Options) => unknown)(coll, expr, options);
        return typeof r === 'number' && Number.isNaN(r) ? null : r;
      }) as never,
    },
    pipeline: { ...pipelineOperators },
    projection: { ...projectionOperators },
    window: { ...windowOperators },
    query: {
      ...queryOperators,
      $elemMatch: $elemMatch as never,
      $nearSphere: nearOperator as never,
      $near: nearOperator as never,
      $geoWithin: geoOperator(geoWithinPredicate) as never,
      $geoIntersects: geoOperator(geoIntersectsPredicate) as never,
    },
    expression: {
      ...expressionOperators,
      $substr: $substrBytes as never,
      $substrBytes: $substrBytes as never,
      $indexOfBytes: indexOf('$indexOfBytes', 'bytes') as never,
      $indexOfCP: indexOf('$indexOfCP', 'cp') as never,
      $week: $week as never,
      $mergeObjects: $mergeObjects as never,
      $dateFromString: $dateFromString as never,
      $trunc: roundingWithOptionalPlace(mingoTrunc as never) as never,
      $round: roundingWithOptionalPlace(mingoRound as never) as never,
    },
  });
}

export const jsonSchemaValidator = (schema: Record<string, unknown>) => compileSchema(schema) as (obj: unknown) => boolean;
