/**
 * The one place that initialises `wx-server-sdk`. Imported by each function's entry
 * and by the data modules; domain code never imports the SDK.
 *
 * The SDK's own typings return `Promise<…> | void | string` from every database call
 * (callback overloads), so we describe the subset we use as it behaves at run time —
 * behaviour the emulator tests pin down.
 */
import * as cloud from 'wx-server-sdk';
import type { Caller } from './router';

type Doc = Record<string, unknown>;

interface WriteStats {
  stats: { updated: number; created?: number; removed?: number };
  _id?: string;
}

interface DocumentRef<T = Doc> {
  get(): Promise<{ data: T | null }>;
  set(options: { data: T | Doc }): Promise<WriteStats>;
  update(options: { data: Doc }): Promise<WriteStats>;
  remove(): Promise<{ stats: { removed: number } }>;
}

interface Query<T = Doc> {
  where(condition: Doc): Query<T>;
  orderBy(field: string, direction: 'asc' | 'desc'): Query<T>;
  skip(n: number): Query<T>;
  limit(n: number): Query<T>;
  field(projection: Record<string, boolean | 0 | 1>): Query<T>;
  get(): Promise<{ data: T[] }>;
  count(): Promise<{ total: number }>;
  update(options: { data: Doc }): Promise<WriteStats>;
  remove(): Promise<{ stats: { removed: number } }>;
}

/** The aggregation stages we use (`database.aggregateDocuments`). */
interface Aggregate {
  match(condition: Doc): Aggregate;
  group(spec: Doc): Aggregate;
  count(field: string): Aggregate;
  end(): Promise<{ list: Doc[] }>;
}

interface Collection<T = Doc> extends Query<T> {
  doc(id: string): DocumentRef<T>;
  add(options: { data: T | Doc }): Promise<{ _id: string }>;
  aggregate(): Aggregate;
}

export interface Transaction {
  collection<T = Doc>(name: string): { doc(id: string): DocumentRef<T>; add(options: { data: T | Doc }): Promise<{ _id: string }> };
}

// Command results are opaque tokens the SDK serialises; only their names matter to us.
type CommandFn = (...args: any[]) => any; // eslint-disable-line @typescript-eslint/no-explicit-any
interface Command {
  inc: CommandFn;
  set: CommandFn;
  remove: CommandFn;
  push: CommandFn;
  and: CommandFn;
  or: CommandFn;
  in: CommandFn;
  nin: CommandFn;
  eq: CommandFn;
  neq: CommandFn;
  gt: CommandFn;
  gte: CommandFn;
  lt: CommandFn;
  lte: CommandFn;
  exists: CommandFn;
}

interface Database {
  collection<T = Doc>(name: string): Collection<T>;
  command: Command;
  serverDate(options?: { offset?: number }): unknown;
  runTransaction<R>(body: (tx: Transaction) => Promise<R>, retries?: number): Promise<R>;
}

// DYNAMIC_CURRENT_ENV: use the environment the function is deployed in. The SDK's typing
// of `env` omits the symbol it exports for exactly this purpose.
cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV as unknown as string });

// throwOnNotFound: false makes `doc(id).get()` answer `data: null` for a missing
// document instead of throwing a string: "not there yet" is a value, not an exception.
export const db = cloud.database({ throwOnNotFound: false } as Parameters<typeof cloud.database>[0]) as unknown as Database;

/** The command builder (`_.inc`, `_.gt`, …). */
export const command = db.command;

export { cloud };

/** Identity from the WeChat context (environment variables set by the platform). */
export function callerFromContext(): Caller {
  const ctx = cloud.getWXContext();
  return {
    openid: ctx.OPENID || null,
    appid: ctx.APPID || null,
    unionid: ctx.UNIONID || null,
  };
}
