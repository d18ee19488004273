/**
 * Transactions as CloudBase runs them on MongoDB (snapshot isolation), their side that
 * is not about documents: which are open, the snapshot each reads at, their pending
 * writes, the write locks they hold, who waits for them to end, and their expiry.
 *
 * - A transaction's snapshot is the store's last commit at its first operation.
 * - Its writes lock the documents they touch until it ends. A write to a document
 *   another open transaction has written, or that changed after the snapshot, fails at
 *   once with `DATABASE_TRANSACTION_CONFLICT` and ends the transaction (MongoDB aborts a
 *   transaction on any error in it). Documents it only read never fail it.
 * - A write outside any transaction to a locked document is refused with
 *   `DocumentLocked`; the gateway waits (`whenEnded`) and retries.
 * - An unended transaction expires after `lifetimeMs` and is aborted.
 *
 * The store (document-store.ts) keeps the documents' versions and commits the writes.
 */
import { docRef, newObjectId, type Doc } from './document-values';
import { StoreError } from './store-error';

/** CloudBase's answers for transactions, word for word (see docs/emulator.md "Fidelity"). */
export const TRANSACTION_CONFLICT_MESSAGE =
  '[ResourceUnavailable.TransactionConflict] Transaction is conflict, maybe resource operated by others in the same time.';
const TRANSACTION_NOT_EXIST_MESSAGE =
  '[ResourceUnavailable.TransactionNotExist] Transaction does not exist on the server, it may be caused by timeout or abort.';

/** A write outside a transaction met documents that open transactions have written. */
export class DocumentLocked extends Error {
  constructor(readonly transactions: string[]) {
    super(`documents locked by ${transactions.join(', ')}`);
  }
}

export interface Transaction {
  id: string;
  /** The commit sequence it reads at; set by its first operation. */
  snapshot: number | null;
  /** Pending writes per collection and `_id` key: a document, or `null` for a removal. */
  writes: Map<string, Map<string, Doc | null>>;
  timer: ReturnType<typeof setTimeout>;
}

export class Transactions {
  private readonly open = new Map<string, Transaction>();
  /** docRef → the transaction holding the document's write lock. */
  private readonly locks = new Map<string, string>();
  /** Callbacks waiting for a transaction to end. */
  private readonly waiters = new Map<string, Array<() => void>>();
  /** How long a transaction may stay open before it is aborted (CloudBase: 30 s, see docs/emulator.md). */
  lifetimeMs = 30_000;

  /** `seq`: the store's last commit; `ended`: after a transaction ends (the store drops versions no snapshot needs). */
  constructor(private readonly store: { seq(): number; ended(): void }) {}

  start(): string {
    const id = `tx_${newObjectId()}`;
    const timer = setTimeout(() => {
      const tx = this.open.get(id);
      if (tx) this.end(tx);
    }, this.lifetimeMs);
    timer.unref?.();
    this.open.set(id, { id, snapshot: null, writes: new Map(), timer });
    return id;
  }

  /** An open transaction; refused as CloudBase refuses an ended or unknown one. */
  get(id: string): Transaction {
    const tx = this.open.get(id);
    if (!tx) throw new StoreError('DATABASE_TRANSACTION_FAIL', TRANSACTION_NOT_EXIST_MESSAGE);
    return tx;
  }

  snapshotOf(tx: Transaction): number {
    if (tx.snapshot === null) tx.snapshot = this.store.seq();
    return tx.snapshot;
  }

  /** Runs one operation, in a transaction when `txId` is given; any failure in it ends the transaction, as in MongoDB. */
  run<T>(txId: string | undefined, op: (tx: Transaction | undefined) => T): T {
    if (!txId) return op(undefined);
    const tx = this.get(txId);
    try {
      return op(tx);
    } catch (err) {
      if (this.open.get(txId) === tx) this.end(tx);
      throw err;
    }
  }

  /**
   * Keeps writes in the transaction, locking their documents; refused with a conflict
   * when another transaction holds one of them or one changed after the snapshot
   * (`latestSeq`: the commit that last wrote a document, 0 for none).
   */
  stage(tx: Transaction, collection: string, entries: Array<[string, Doc | null]>, latestSeq: (key: string) => number): void {
    const snapshot = this.snapshotOf(tx);
    for (const [key] of entries) {
      const holder = this.locks.get(docRef(collection, key));
      if ((holder !== undefined && holder !== tx.id) || latestSeq(key) > snapshot) {
        throw new StoreError('DATABASE_TRANSACTION_CONFLICT', TRANSACTION_CONFLICT_MESSAGE);
      }
    }
    let pending = tx.writes.get(collection);
    if (!pending) tx.writes.set(collection, (pending = new Map()));
    for (const [key, doc] of entries) {
      this.locks.set(docRef(collection, key), tx.id);
      pending.set(key, doc);
    }
  }

  /** The transactions holding locks on any of these documents. */
  holders(collection: string, keys: Iterable<string>): string[] {
    const holders = new Set<string>();
    for (const key of keys) {
      const holder = this.locks.get(docRef(collection, key));
      if (holder) holders.add(holder);
    }
    return [...holders];
  }

  /** Ends a transaction (committed, aborted or expired): its locks go, whoever waits for it wakes. */
  end(tx: Transaction): void {
    clearTimeout(tx.timer);
    this.open.delete(tx.id);
    for (const [collection, pending] of tx.writes) for (const key of pending.keys()) this.locks.delete(docRef(collection, key));
    const waiting = this.waiters.get(tx.id) ?? [];
    this.waiters.delete(tx.id);
    for (const wake of waiting) wake();
    this.store.ended();
  }

  /** Resolves once none of these transactions is open any more (committed, aborted or expired). */
  whenEnded(ids: string[]): Promise<void> {
    const open = ids.filter((id) => this.open.has(id));
    return Promise.all(
      open.map(
        (id) =>
          new Promise<void>((resolve) => {
            const list = this.waiters.get(id) ?? [];
            list.push(resolve);
            this.waiters.set(id, list);
          }),
      ),
    ).then(() => undefined);
  }

  /** Open transactions. */
  get size(): number {
    return this.open.size;
  }

  /** The oldest snapshot an open transaction reads at (Infinity when none does). */
  oldestSnapshot(): number {
    let oldest = Infinity;
    for (const tx of this.open.values()) if (tx.snapshot !== null && tx.snapshot < oldest) oldest = tx.snapshot;
    return oldest;
  }

  /** Ends every open transaction. */
  clear(): void {
    for (const tx of [...this.open.values()]) this.end(tx);
    this.locks.clear();
  }
}
