/**
 * The console's data view on the server: collections with their counts, a page of one
 * collection, and editing a document as `PUT /v1/db/…` does (masked values left as
 * they are keep what is stored). Reads here are the console's, not the project's: they
 * stay out of the query counts and strict-index mode.
 */
import { EJSON } from 'bson';
import type { Emulator } from '../emulator';
import { HttpError } from '../http-util';
import type { ConsoleCollections, ConsolePage } from './api';
import { restoreMasked } from './mask';

const MAX_PAGE = 200;
const UNTRACKED = { untracked: true } as const;

export function collections(emu: Emulator): ConsoleCollections {
  return { collections: emu.store.collectionNames().map((name) => ({ name, count: emu.store.find(name, {}, UNTRACKED).length })) };
}

function existing(emu: Emulator, collection: string): void {
  if (!emu.store.hasCollection(collection)) throw new HttpError(404, 'COLLECTION_NOT_FOUND', `no collection "${collection}"`);
}

export function page(emu: Emulator, collection: string, query: URLSearchParams): ConsolePage {
  existing(emu, collection);
  const offset = Math.max(0, Number.parseInt(query.get('offset') ?? '0', 10) || 0);
  const limit = Math.min(MAX_PAGE, Math.max(1, Number.parseInt(query.get('limit') ?? '20', 10) || 20));
  const all = emu.store.find(collection, {}, { sort: [['_id', 1]], untracked: true });
  // Documents of one collection differ in shape (optional fields, old records): the
  // columns are every top-level field any of them has, in order of first appearance.
  const fields = [...new Set(['_id', ...all.flatMap((d) => Object.keys(d))])];
  return { collection, total: all.length, offset, limit, fields, docs: all.slice(offset, offset + limit) };
}

/** Deletes one document by _id (the console's Delete); 404 when there is none. */
export function deleteDocument(emu: Emulator, collection: string, id: string): { deleted: string } {
  existing(emu, collection);
  if (emu.store.remove(collection, { _id: id }, false) === 0) throw new HttpError(404, 'NOT_FOUND', `no document "${id}" in ${collection}`);
  return { deleted: id };
}

/** As PUT /v1/db/:collection/:id, with masked values put back to what is stored. */
export function putDocument(emu: Emulator, collection: string, id: string, body: Record<string, unknown>): { saved: string } {
  const edited = EJSON.deserialize(body, { relaxed: true }) as Record<string, unknown>;
  if (edited._id !== undefined && edited._id !== id)
    throw new HttpError(400, 'INVALID_ARGUMENT', "the document's _id differs from the one in the path");
  const stored = emu.store.hasCollection(collection) ? emu.store.find(collection, { _id: id }, UNTRACKED)[0] : undefined;
  const doc = (stored ? restoreMasked(edited, stored) : edited) as Record<string, unknown>;
  try {
    emu.store.put(collection, { ...doc, _id: id });
  } catch (err) {
    throw new HttpError(400, 'INVALID_ARGUMENT', (err as Error).message);
  }
  return { saved: id };
}
