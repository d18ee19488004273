/**
 * The `database.*` actions of the CloudBase gateway, answered from the document
 * store in the shapes `@cloudbase/database` reads (see docs/emulator.md for the
 * wire format as observed).
 */
import type { DocumentStore } from '../store/document-store';
import { idAnswer, type SortSpec } from '../store/document-values';
import { DocumentLocked } from '../store/transactions';
import { StoreError } from '../store/store-error';
import { decode, decodeObject, encode } from './ejson';

export type Params = Record<string, unknown>;
type ActionHandler = (params: Params) => Record<string, unknown> | Promise<Record<string, unknown>>;

/** CloudBase's cap on one read; the SDK asks for 100 by default. */
const MAX_LIMIT = 1000;

function collectionOf(params: Params): string {
  if (typeof params.collectionName !== 'string' || !params.collectionName)
    throw new StoreError('INVALID_PARAM', 'collectionName is required');
  return params.collectionName;
}

function txOf(params: Params): string | undefined {
  return typeof params.transactionId === 'string' && params.transactionId ? params.transactionId : undefined;
}

function nonNegativeInt(value: unknown, field: string, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
    throw new StoreError('INVALID_PARAM', `${field} must be a non-negative integer`);
  return value;
}

function sortOf(order: unknown, now: number): SortSpec | undefined {
  if (order === undefined || order === null || order === '') return undefined;
  const spec = decodeObject(order, 'order', now);
  return Object.entries(spec).map(([field, dir]) => {
    if (dir !== 1 && dir !== -1) throw new StoreError('INVALID_PARAM', `order of ${field} must be 1 or -1`);
    return [field, dir];
  });
}

export function databaseActions(store: DocumentStore, clock: () => number): Record<string, ActionHandler> {
  const query = (params: Params) => (params.query === undefined ? {} : decodeObject(params.query, 'query', clock()));
  /**
   * A write outside a transaction to documents an open transaction has written waits
   * until that transaction ends (commits, aborts or expires), as MongoDB makes it
   * wait for the lock, then runs against what is committed by then.
   */
  const waitingForLocks = async <T>(write: () => T): Promise<T> => {
    for (;;) {
      try {
        return write();
      } catch (err) {
        if (!(err instanceof DocumentLocked)) throw err;
        await store.whenEnded(err.transactions);
      }
    }
  };
  return {
    'database.addCollection': (params) => {
      const name = collectionOf(params);
      if (!store.createCollection(name))
        throw new StoreError('DATABASE_COLLECTION_ALREADY_EXIST', `[ResourceUnavailable.ResourceExist] Table exist.`);
      return {};
    },

    'database.insertDocument': async (params) => {
      const data = params.data;
      if (!Array.isArray(data) || data.length === 0) throw new StoreError('INVALID_PARAM', 'data must be a non-empty array of documents');
      const now = clock();
      const docs = data.map((d, i) => decodeObject(d, `data[${i}]`, now));
      const ids = await waitingForLocks(() => store.insert(collectionOf(params), docs, txOf(params)));
      return { data: { insertedIds: ids.map(idAnswer) } };
    },

    'database.getDocument': (params) => {
      const offset = nonNegativeInt(params.offset, 'offset', 0);
      const limit = Math.min(nonNegativeInt(params.limit, 'limit', 100), MAX_LIMIT);
      const projection = params.projection ? decodeObject(params.projection, 'projection', clock()) : undefined;
      const list = store.find(
        collectionOf(params),
        query(params),
        { sort: sortOf(params.order, clock()), skip: offset, limit, projection },
        txOf(params),
      );
      return { data: { list: list.map(encode), limit, offset } };
    },

    'database.calculateDocument': (params) => ({ data: { total: store.count(collectionOf(params), query(params), txOf(params)) } }),

    'database.modifyDocument': async (params) => {
      const change = decodeObject(params.data, 'data', clock());
      // merge: operators ($set, $inc, …); no merge: `set()`, a whole replacement.
      const replace = params.merge === false;
      const options = { multi: params.multi === true, upsert: params.upsert === true, replace };
      const result = await waitingForLocks(() => store.update(collectionOf(params), query(params), change, options, txOf(params)));
      const data: Record<string, unknown> = { updated: result.updated };
      if (result.upsertedId !== null) data.upsert_id = idAnswer(result.upsertedId);
      return { data };
    },

    // `where().updateAndReturn()`: the first match, updated, answered as it is now.
    'database.modifyAndReturnDoc': async (params) => {
      const change = decodeObject(params.data, 'data', clock());
      const result = await waitingForLocks(() => store.updateAndReturn(collectionOf(params), query(params), change, txOf(params)));
      return { data: { updated: result.updated, doc: result.doc ? encode(result.doc) : null } };
    },

    'database.removeDocument': async (params) => {
      const deleted = await waitingForLocks(() => store.remove(collectionOf(params), query(params), params.multi === true, txOf(params)));
      return { data: { deleted } };
    },

    'database.aggregateDocuments': (params) => {
      if (!Array.isArray(params.stages)) throw new StoreError('INVALID_PARAM', 'stages must be an array');
      const now = clock();
      const pipeline = params.stages.map((stage: unknown, i: number) => {
        const { stageKey, stageValue } = (stage ?? {}) as { stageKey?: unknown; stageValue?: unknown };
        if (typeof stageKey !== 'string' || !stageKey.startsWith('$'))
          throw new StoreError('INVALID_PARAM', `stages[${i}].stageKey must be an operator like "$match"`);
        return { [stageKey]: decode(stageValue, `stages[${i}].stageValue`, now) };
      });
      return { data: { list: store.aggregate(collectionOf(params), pipeline).map(encode) } };
    },

    'database.startTransaction': () => ({ transactionId: store.startTransaction() }),

    'database.commitTransaction': (params) => {
      const id = txOf(params);
      if (!id) throw new StoreError('INVALID_PARAM', 'transactionId is required');
      store.commitTransaction(id);
      return {};
    },

    'database.abortTransaction': (params) => {
      const id = txOf(params);
      if (!id) throw new StoreError('INVALID_PARAM', 'transactionId is required');
      store.abortTransaction(id);
      return {};
    },
  };
}
