/**
 * The asynchronous half of assign and cancel. WeChat answers those calls at once and
 * settles them later, then pushes the result (event_type 5 assign, 6 cancel) to the
 * provider's cloud function. Here each accepted change settles after `delayMs` of real
 * time: an assignment delivers its pack into the receiver's usage ledger (source 3),
 * a cancel takes it away; then the event goes to the function named `provider`.
 *
 * Fault targets `provider:assign` and `provider:cancel` make the next accepted changes
 * fail (the event's `result` is the fault's errcode) or settle `delayMs` later; a latch
 * on them (`faults.hold`) holds the result until the test releases it, and on
 * `provider:push` holds the push.
 */
import type { Fault, Faults } from '../faults';
import { spSkuIdOf } from './provider-apis';
import { CANCELLING, ERR_CANNOT_CANCEL, ladderOf, PENDING, type Assignment, type ProviderOrders, type SpOrder } from './provider-orders';

export const DEFAULT_SP_RESULT_DELAY_MS = 50;
const EVENT_ASSIGN = 5;
const EVENT_CANCEL = 6;

/**
 * What WeChat pushes (分配结果事件 charge_sp_assign / 取消分配结果事件
 * charge_sp_cancel_assign under doc/oplatform/service_market/charge/callback/), signed
 * and maybe encrypted by provider-push.ts. `receive_pkg_id` (the receiver's pack) is in
 * both events' field lists (docs/provider.md, "Facts and their sources").
 */
export interface ResultEvent {
  event_type: typeof EVENT_ASSIGN | typeof EVENT_CANCEL;
  /** 0 success; otherwise WeChat's error code. */
  result: number;
  order_id: string;
  assign_appid: string;
  receive_appid: string;
  sp_spu_id: string;
  sp_sku_id: string;
  spu_id: string;
  sku_id: string;
  request_id: string;
  receive_pkg_id: string;
  [field: string]: string | number;
}

interface ProviderResultDeps {
  orders: ProviderOrders;
  faults: Faults;
  clock(): number;
  delayMs: number;
  /** The provider's appid, `assign_appid` in events. */
  providerAppid: string;
  /** Puts the assignment's pack into the receiver's ledger; answers its pkgId. */
  deliver(assignment: Assignment, order: SpOrder): string;
  /** Takes the assignment's pack out of the receiver's ledger. */
  withdraw(assignment: Assignment): void;
  packUsed(assignment: Assignment): number;
  push(event: ResultEvent): Promise<void>;
  changed(): void;
}

type Change = 'assign' | 'cancel';

export class ProviderResults {
  /** What each pending timer will run, so a test can have it now (`settleNow`). */
  private timers = new Map<NodeJS.Timeout, () => void>();
  /** Results (or pushes) held at a test's latch: still to come, and not for `settleNow`. */
  private held = 0;

  constructor(private readonly deps: ProviderResultDeps) {}

  /**
   * Settles an accepted change later; a `provider:<change>` fault may make it fail or
   * wait. A `provider:push` fault loses the result's push (any errcode) or delays it.
   */
  schedule(requestId: string, change: Change): void {
    const fault = this.deps.faults.take(`provider:${change}`);
    const failWith = fault?.errcode ?? null;
    this.afterLatch(fault, () => this.after(this.deps.delayMs + (fault?.delayMs ?? 0), () => this.settle(requestId, change, failWith)));
  }

  /** After a restart: settles what was still under way when the state was saved. */
  resume(): void {
    for (const a of this.deps.orders.assignmentsOf()) {
      if (a.status === PENDING) this.schedule(a.requestId, 'assign');
      if (a.status === CANCELLING) this.schedule(a.requestId, 'cancel');
    }
  }

  /**
   * Runs every result (and delayed push) still to come now, as if its delay had passed:
   * a test holds a result back with a long `provider:<change>` delay, checks the state
   * in between, then settles it, with no race against real time.
   */
  settleNow(): void {
    const due = [...this.timers];
    this.timers.clear();
    for (const [timer, run] of due) {
      clearTimeout(timer);
      run();
    }
  }

  /** Results (and delayed pushes) still to come: tests wait for 0 instead of sleeping. */
  get pending(): number {
    return this.timers.size + this.held;
  }

  /** Runs `next` now, or once the test releases the fault's latch. */
  private afterLatch(fault: Fault | null, next: () => void): void {
    const latch = fault?.latch;
    if (!latch) return next();
    this.held += 1;
    latch.arrived();
    void latch.released.then(() => {
      this.held -= 1;
      next();
    });
  }

  /** Forgets every change not yet settled (reset, stop). */
  stop(): void {
    for (const timer of this.timers.keys()) clearTimeout(timer);
    this.timers.clear();
  }

  private after(ms: number, run: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, ms);
    // Never keeps a process (a test, `npm start` stopping) alive.
    timer.unref();
    this.timers.set(timer, run);
  }

  private settle(requestId: string, change: Change, failWith: number | null): void {
    const { orders } = this.deps;
    const now = this.deps.clock();
    const a = orders.assignment(requestId);
    const order = a && orders.order(a.orderId);
    if (!a || !order) return;
    let settled: Assignment | null;
    let result = failWith ?? 0;
    if (change === 'assign') {
      if (a.status !== PENDING) return;
      settled =
        result === 0 ? orders.settleAssigned(requestId, this.deps.deliver(a, order), now) : orders.settleAssignFailed(requestId, now);
    } else {
      if (a.status !== CANCELLING) return;
      // A charge may have drawn on the pack since the cancel was accepted.
      if (result === 0 && this.deps.packUsed(a) > 0) result = ERR_CANNOT_CANCEL;
      settled = result === 0 ? orders.settleCancelled(requestId, now) : orders.settleCancelFailed(requestId, now);
      if (settled && result === 0) this.deps.withdraw(a);
    }
    if (!settled) return;
    this.deps.changed();
    const event: ResultEvent = {
      event_type: change === 'assign' ? EVENT_ASSIGN : EVENT_CANCEL,
      result,
      order_id: order.orderId,
      assign_appid: this.deps.providerAppid,
      receive_appid: a.receiverAppId,
      sp_spu_id: order.spuId,
      sp_sku_id: spSkuIdOf(order),
      spu_id: ladderOf(order)[0]!.spuId,
      sku_id: a.skuId,
      request_id: a.requestId,
      receive_pkg_id: settled.pkgId ?? a.pkgId ?? '',
    };
    const pushFault = this.deps.faults.take('provider:push');
    if (pushFault && pushFault.errcode !== null) return; // lost on the way
    this.afterLatch(pushFault, () => {
      if (pushFault?.delayMs) this.after(pushFault.delayMs, () => void this.deps.push(event));
      else void this.deps.push(event);
    });
  }
}
