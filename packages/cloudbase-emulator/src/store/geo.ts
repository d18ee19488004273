/**
 * Geo queries as a 2dsphere index answers them: `$nearSphere` (what `_.geoNear`
 * sends), `$geoWithin` (`$geometry` or `$centerSphere`), `$geoIntersects`, and the
 * `$geoNear` aggregation stage.
 *
 * Distances are S2's: the angle between the two points as unit vectors, times
 * MongoDB's earth radius of 6378.1 km — the same arithmetic, so the same digits as
 * CloudBase (6643.521654040738 m in the SDK authors' geoNear case). Containment and
 * intersection treat edges as straight lines in longitude/latitude, where a
 * 2dsphere index follows great circles: the same answer except near the edges of
 * large shapes (see docs/emulator.md "Fidelity").
 */
import type { Filter } from './document-values';
import { StoreError } from './store-error';

export const EARTH_RADIUS_M = 6378.1 * 1000;

type Position = [lng: number, lat: number];
type Ring = Position[];

/** A GeoJSON geometry reduced to what the tests need: its points, segments and polygons. */
interface Shape {
  points: Position[];
  segments: Array<[Position, Position]>;
  /** Each polygon: outer ring, then holes. */
  polygons: Ring[][];
}

function fail(message: string): never {
  throw new StoreError('DATABASE_REQUEST_FAILED', `[FailedOperation] ${message}`);
}

function position(value: unknown): Position | null {
  if (!Array.isArray(value) || value.length < 2) return null;
  const [lng, lat] = value as unknown[];
  if (typeof lng !== 'number' || typeof lat !== 'number') return null;
  return [lng, lat];
}

function positions(value: unknown): Position[] | null {
  if (!Array.isArray(value)) return null;
  const out: Position[] = [];
  for (const v of value) {
    const p = position(v);
    if (!p) return null;
    out.push(p);
  }
  return out;
}

function segmentsOf(line: Position[]): Array<[Position, Position]> {
  const out: Array<[Position, Position]> = [];
  for (let i = 0; i + 1 < line.length; i++) out.push([line[i]!, line[i + 1]!]);
  return out;
}

/** A stored value as a geometry: GeoJSON, or a legacy `[lng, lat]` pair. Null when it is neither. */
export function shapeOf(value: unknown): Shape | null {
  const legacy = position(value);
  if (legacy) return { points: [legacy], segments: [], polygons: [] };
  if (value === null || typeof value !== 'object') return null;
  const { type, coordinates } = value as { type?: unknown; coordinates?: unknown };
  const shape: Shape = { points: [], segments: [], polygons: [] };
  const addPolygon = (rings: unknown): boolean => {
    if (!Array.isArray(rings) || rings.length === 0) return false;
    const parsed: Ring[] = [];
    for (const r of rings) {
      const ring = positions(r);
      if (!ring || ring.length < 4) return false;
      parsed.push(ring);
      shape.points.push(...ring);
      shape.segments.push(...segmentsOf(ring));
    }
    shape.polygons.push(parsed);
    return true;
  };
  switch (type) {
    case 'Point': {
      const p = position(coordinates);
      if (!p) return null;
      shape.points.push(p);
      return shape;
    }
    case 'MultiPoint': {
      const ps = positions(coordinates);
      if (!ps) return null;
      shape.points.push(...ps);
      return shape;
    }
    case 'LineString': {
      const ps = positions(coordinates);
      if (!ps || ps.length < 2) return null;
      shape.points.push(...ps);
      shape.segments.push(...segmentsOf(ps));
      return shape;
    }
    case 'MultiLineString': {
      if (!Array.isArray(coordinates)) return null;
      for (const line of coordinates) {
        const ps = positions(line);
        if (!ps || ps.length < 2) return null;
        shape.points.push(...ps);
        shape.segments.push(...segmentsOf(ps));
      }
      return shape;
    }
    case 'Polygon':
      return addPolygon(coordinates) ? shape : null;
    case 'MultiPolygon':
      if (!Array.isArray(coordinates)) return null;
      for (const poly of coordinates) if (!addPolygon(poly)) return null;
      return shape;
    default:
      return null;
  }
}

function queryShape(value: unknown, operator: string): Shape {
  const shape = shapeOf(value);
  if (!shape) fail(`${operator} needs a GeoJSON $geometry, got ${JSON.stringify(value)}`);
  return shape;
}

function unitVector([lng, lat]: Position): [number, number, number] {
  const phi = lat * (Math.PI / 180);
  const theta = lng * (Math.PI / 180);
  const c = Math.cos(phi);
  return [Math.cos(theta) * c, Math.sin(theta) * c, Math.sin(phi)];
}

/** The angle between two positions on the sphere, in radians (S2's S1Angle). */
function angle(a: Position, b: Position): number {
  const x = unitVector(a);
  const y = unitVector(b);
  const cx = x[1] * y[2] - x[2] * y[1];
  const cy = x[2] * y[0] - x[0] * y[2];
  const cz = x[0] * y[1] - x[1] * y[0];
  return Math.atan2(Math.sqrt(cx * cx + cy * cy + cz * cz), x[0] * y[0] + x[1] * y[1] + x[2] * y[2]);
}

function inRing(p: Position, ring: Ring): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]!;
    const [xj, yj] = ring[j]!;
    if (yi > p[1] !== yj > p[1] && p[0] < ((xj - xi) * (p[1] - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

function onSegment(p: Position, [a, b]: [Position, Position]): boolean {
  const cross = (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0]);
  if (Math.abs(cross) > 1e-12) return false;
  return p[0] >= Math.min(a[0], b[0]) && p[0] <= Math.max(a[0], b[0]) && p[1] >= Math.min(a[1], b[1]) && p[1] <= Math.max(a[1], b[1]);
}

function inPolygon(p: Position, polygon: Ring[]): boolean {
  const [outer, ...holes] = polygon;
  if (!outer) return false;
  if (segmentsOf(outer).some((s) => onSegment(p, s))) return true;
  return inRing(p, outer) && !holes.some((h) => inRing(p, h) && !segmentsOf(h).some((s) => onSegment(p, s)));
}

function segmentsCross([a, b]: [Position, Position], [c, d]: [Position, Position]): boolean {
  const orient = (p: Position, q: Position, r: Position) => Math.sign((q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0]));
  const o1 = orient(a, b, c);
  const o2 = orient(a, b, d);
  const o3 = orient(c, d, a);
  const o4 = orient(c, d, b);
  if (o1 !== o2 && o3 !== o4) return true;
  return onSegment(c, [a, b]) || onSegment(d, [a, b]) || onSegment(a, [c, d]) || onSegment(b, [c, d]);
}

function intersects(a: Shape, b: Shape): boolean {
  if (a.points.some((p) => b.polygons.some((poly) => inPolygon(p, poly)))) return true;
  if (b.points.some((p) => a.polygons.some((poly) => inPolygon(p, poly)))) return true;
  if (a.segments.some((s) => b.segments.some((t) => segmentsCross(s, t)))) return true;
  if (a.points.some((p) => b.segments.some((s) => onSegment(p, s)) || b.points.some((q) => q[0] === p[0] && q[1] === p[1]))) return true;
  return b.points.some((p) => a.segments.some((s) => onSegment(p, s)));
}

/** Every point of `inner` inside one polygon of `outer`, and no edge of `inner` leaving it. */
function within(inner: Shape, outer: Shape): boolean {
  return outer.polygons.some((poly) => {
    if (!inner.points.every((p) => inPolygon(p, poly))) return false;
    const boundary = poly.flatMap((ring) => segmentsOf(ring));
    // An edge crossing the boundary properly (not just touching it) leaves the polygon.
    return !inner.segments.some((s) => boundary.some((t) => properCross(s, t)));
  });
}

function properCross([a, b]: [Position, Position], [c, d]: [Position, Position]): boolean {
  const orient = (p: Position, q: Position, r: Position) => Math.sign((q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0]));
  const o1 = orient(a, b, c);
  const o2 = orient(a, b, d);
  const o3 = orient(c, d, a);
  const o4 = orient(c, d, b);
  return o1 * o2 < 0 && o3 * o4 < 0;
}

/** Meters from a point to the nearest part of a stored geometry (0 when it contains or touches it). */
function distanceTo(from: Position, shape: Shape): number {
  if (shape.polygons.some((poly) => inPolygon(from, poly))) return 0;
  let best = Infinity;
  for (const p of shape.points) best = Math.min(best, angle(from, p) * EARTH_RADIUS_M);
  return best;
}

/** Values at a path, arrays of geometries flattened, as MongoDB indexes them. */
function shapesIn(value: unknown): Shape[] {
  const direct = shapeOf(value);
  if (direct) return [direct];
  if (Array.isArray(value)) return value.flatMap((v) => (shapeOf(v) ? [shapeOf(v)!] : []));
  return [];
}

interface NearSpec {
  from: Position;
  min: number;
  max: number;
}

/** `{ $geometry: Point, $maxDistance, $minDistance }` (meters) or legacy `[lng, lat]` (radians). */
export function nearSpec(value: unknown): NearSpec {
  const spec = (value ?? {}) as { $geometry?: unknown; $maxDistance?: unknown; $minDistance?: unknown };
  if (spec.$geometry !== undefined) {
    const shape = shapeOf(spec.$geometry);
    if (!shape || shape.points.length !== 1 || (spec.$geometry as { type?: unknown }).type !== 'Point')
      fail('$nearSphere needs a GeoJSON Point as $geometry');
    const num = (v: unknown, name: string, fallback: number) => {
      if (v === undefined || v === null) return fallback;
      if (typeof v !== 'number' || v < 0) fail(`${name} must be a non-negative number`);
      return v;
    };
    return {
      from: shape.points[0]!,
      min: num(spec.$minDistance, '$minDistance', 0),
      max: num(spec.$maxDistance, '$maxDistance', Infinity),
    };
  }
  const legacy = position(value);
  if (!legacy) fail('$nearSphere needs $geometry');
  const maxRad = typeof spec.$maxDistance === 'number' ? spec.$maxDistance : Infinity;
  return { from: legacy, min: 0, max: maxRad * EARTH_RADIUS_M };
}

/** Distance (m) of the nearest geometry at `value`, or null when there is none. */
export function nearestDistance(value: unknown, from: Position): number | null {
  const shapes = shapesIn(value);
  if (shapes.length === 0) return null;
  return Math.min(...shapes.map((s) => distanceTo(from, s)));
}

export function matchesNear(value: unknown, spec: NearSpec): boolean {
  const d = nearestDistance(value, spec.from);
  return d !== null && d >= spec.min && d <= spec.max;
}

export function geoWithinPredicate(spec: unknown): (value: unknown) => boolean {
  const s = (spec ?? {}) as { $geometry?: unknown; $centerSphere?: unknown };
  if (s.$centerSphere !== undefined) {
    const cs = s.$centerSphere as unknown[];
    const center = Array.isArray(cs) ? position(cs[0]) : null;
    const radius = Array.isArray(cs) ? cs[1] : undefined;
    if (!center || typeof radius !== 'number' || radius < 0) fail('$centerSphere needs [[lng, lat], radius in radians]');
    return (value) => shapesIn(value).some((shape) => shape.points.every((p) => angle(center, p) <= radius));
  }
  const region = queryShape(s.$geometry, '$geoWithin');
  if (region.polygons.length === 0) fail('$geoWithin needs a Polygon or MultiPolygon');
  return (value) => shapesIn(value).some((shape) => within(shape, region));
}

export function geoIntersectsPredicate(spec: unknown): (value: unknown) => boolean {
  const region = queryShape((spec as { $geometry?: unknown } | null)?.$geometry, '$geoIntersects');
  return (value) => shapesIn(value).some((shape) => intersects(shape, region));
}

/** The first `$nearSphere`/`$near` condition of a filter, for ordering by distance. */
export function nearOf(filter: Filter): { path: string; from: [number, number] } | null {
  for (const [path, condition] of Object.entries(filter)) {
    if (path === '$and' && Array.isArray(condition)) {
      for (const part of condition) {
        const found = nearOf(part as Filter);
        if (found) return found;
      }
    }
    if (path.startsWith('$') || condition === null || typeof condition !== 'object') continue;
    const ops = condition as Record<string, unknown>;
    const spec = ops.$nearSphere ?? ops.$near;
    if (spec !== undefined) return { path, from: nearSpec(spec).from };
  }
  return null;
}
