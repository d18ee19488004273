/**
 * What the emulator keeps across restarts and exports: the database, the phone codes
 * WeChat minted (its charges), quota packs and the service provider's orders. Files on
 * disk: persistence.ts.
 */
import type { DocumentStore } from './store/document-store';
import type { Doc } from './store/document-values';
import type { PhoneCode } from './wechat/phone-sandbox';
import type { ProviderSnapshot } from './wechat/provider-orders';
import type { SubscribeSnapshot } from './wechat/subscribe-messages';
import type { Pack } from './wechat/usage-ledger';
import type { WechatWorld } from './wechat/world';

export interface PersistedState {
  version: 1;
  collections: Record<string, Doc[]>;
  phoneCodes: PhoneCode[];
  /** Quota packages, trials included; absent in state saved before packs existed. */
  packs?: Pack[];
  /** The last pkgId given out (packages can be removed); absent in older state. */
  lastPkgId?: number;
  /** Service-provider orders and assignments; absent in state saved before they existed. */
  provider?: ProviderSnapshot;
  /** Subscribe-message credits and the messages sent; absent in older state. */
  subscribeMessages?: SubscribeSnapshot;
}

export function captureState(store: DocumentStore, wechat: WechatWorld): PersistedState {
  return {
    version: 1,
    collections: store.snapshot(),
    phoneCodes: wechat.sandbox.snapshot(),
    packs: wechat.ledger.snapshot(),
    lastPkgId: wechat.ledger.lastPkgId,
    provider: wechat.providerOrders.snapshot(),
    subscribeMessages: wechat.subscribeMessages.snapshot(),
  };
}

/** Throws unless `state` looks like an export (a file from elsewhere must not half-load). */
export function checkState(state: PersistedState): void {
  if (
    state === null ||
    typeof state !== 'object' ||
    state.version !== 1 ||
    state.collections === null ||
    typeof state.collections !== 'object'
  ) {
    throw new Error('not an exported emulator state (expected { version: 1, collections, … })');
  }
}

/** Loads `state` over an empty store; `collections` are created when the state lacks them. */
export function applyState(store: DocumentStore, wechat: WechatWorld, state: PersistedState, collections: string[]): void {
  store.load(state.collections);
  for (const name of collections) if (!store.hasCollection(name)) store.createCollection(name);
  wechat.sandbox.load(state.phoneCodes ?? []);
  wechat.ledger.load(state.packs ?? [], state.lastPkgId);
  wechat.providerOrders.load(state.provider ?? { orders: [], assignments: [] });
  wechat.subscribeMessages.load(state.subscribeMessages ?? { credits: {}, messages: [] });
}
