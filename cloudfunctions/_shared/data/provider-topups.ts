/**
 * `provider_topups/<appid>:<kind>`: automatic top-up rules (domain/provider-topup.ts),
 * one per merchant and component, with what each run did (`history`, newest last, the
 * last 20 kept) for the panel.
 */
import { db, command as _ } from '../runtime/cloud';
import type { TopupRule } from '../domain/provider-topup';
import type { PhoneKind } from '../domain/settings';
import type { TopupEvent as TopupEventOnTheWire } from '../../../miniprogram/contract';

/** The contract's history entry (miniprogram/contract/provider.ts) as stored, with a real date. */
export interface TopupEvent extends Omit<TopupEventOnTheWire, 'at'> {
  at: Date;
}

export interface TopupDoc extends TopupRule {
  _id: string;
  /** The SKU as WeChat listed it when the rule was set. */
  skuName: string;
  skuCalls: number | null;
  createdBy: string;
  updatedAt: Date;
  history: TopupEvent[];
}

const HISTORY_KEPT = 20;
const topups = () => db.collection<TopupDoc>('provider_topups');
export const topupId = (appid: string, kind: PhoneKind) => `${appid}:${kind}`;

const revive = (doc: TopupDoc): TopupDoc => ({
  ...doc,
  updatedAt: new Date(doc.updatedAt),
  history: (doc.history ?? []).map((h) => ({ ...h, at: new Date(h.at) })),
});

export async function listTopups(): Promise<TopupDoc[]> {
  const { data } = await topups().orderBy('_id', 'asc').limit(1000).get();
  return data.map(revive);
}

export async function findTopup(id: string): Promise<TopupDoc | null> {
  const { data } = await topups().doc(id).get();
  return data ? revive(data) : null;
}

/** Writes a rule as an admin set it: active again, its counters kept (a re-set rule still tops up once a day). */
export async function saveTopup(doc: TopupDoc): Promise<void> {
  const { _id, ...fields } = doc;
  await topups().doc(_id).set({ data: fields });
}

export async function removeTopup(id: string): Promise<boolean> {
  const res = await topups().doc(id).remove();
  return res.stats.removed === 1;
}

/** Records what a run did, with the rule's new counters; the history keeps its last 20 entries. */
export async function recordTopupRun(id: string, change: Partial<TopupRule>, event: TopupEvent): Promise<void> {
  const doc = await findTopup(id);
  if (!doc) return;
  const history = [...doc.history, event].slice(-HISTORY_KEPT);
  await topups()
    .doc(id)
    .update({ data: { ...change, updatedAt: event.at, history: _.set(history) } });
}
