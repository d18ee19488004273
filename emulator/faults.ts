/**
 * Fault injection: the next N calls to a WeChat API or a database action fail with a
 * given error code, or are delayed, or both. Targets are `openapi:<apiName>`,
 * `db:<action>` (e.g. `db:modifyDocument`), `db:<action>:<collection>`, or
 * `wechat:<path>` for WeChat's HTTP APIs (e.g. `wechat:/wxa/charge/usage/get`), and
 * `provider:assign` / `provider:cancel` for the asynchronous results of the
 * service-provider APIs and `provider:push` for the push of such a result (an errcode
 * loses it, a delay delays it; wechat/provider-results.ts).
 */
import { randomUUID } from 'node:crypto';

export interface FaultSpec {
  target: string;
  errcode?: number;
  delayMs?: number;
  /** How many matching calls it affects; default 1. */
  times?: number;
}

export interface Fault extends Required<Pick<FaultSpec, 'target'>> {
  id: string;
  errcode: number | null;
  delayMs: number;
  remaining: number;
  /** A latch (in-process tests only): the call waits here until the test releases it. */
  latch?: Latch;
}

interface Latch {
  arrived: () => void;
  release: () => void;
  released: Promise<void>;
}

/** A held call: `reached` resolves once the call waits at the latch; `release` lets it go on. */
export interface Hold {
  reached: Promise<void>;
  release(): void;
}

/**
 * What a call that took `fault` waits for before it goes on: the latch (if any), then the
 * delay. Every place that takes faults waits through this, so a latch works on any target.
 */
export async function waitOut(fault: Fault): Promise<void> {
  if (fault.latch) {
    fault.latch.arrived();
    await fault.latch.released;
  }
  if (fault.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
}

const TARGET =
  /^(openapi:[A-Za-z0-9_.]+|db:(database\.)?[A-Za-z]+(:[A-Za-z0-9_-]+)?|wechat:(\/[A-Za-z0-9_.-]+)+|provider:(assign|cancel|push))$/;

export function validateFault(input: unknown): FaultSpec {
  const spec = (input ?? {}) as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof spec.target !== 'string' || !TARGET.test(spec.target))
    problems.push(
      'target must be "openapi:<apiName>", "db:<action>", "db:<action>:<collection>", "wechat:<path>" (e.g. "wechat:/cgi-bin/token"), "provider:assign", "provider:cancel" or "provider:push"',
    );
  if (spec.errcode !== undefined && !Number.isInteger(spec.errcode)) problems.push('errcode must be an integer');
  if (
    spec.delayMs !== undefined &&
    !(Number.isInteger(spec.delayMs) && (spec.delayMs as number) >= 0 && (spec.delayMs as number) <= 120_000)
  )
    problems.push('delayMs must be an integer from 0 to 120000');
  if (spec.times !== undefined && !(Number.isInteger(spec.times) && (spec.times as number) >= 1))
    problems.push('times must be a positive integer');
  if (spec.errcode === undefined && spec.delayMs === undefined) problems.push('give errcode, delayMs or both');
  if (problems.length) throw new Error(problems.join('; '));
  return spec as unknown as FaultSpec;
}

export class Faults {
  private faults: Fault[] = [];
  private latches = new Set<Latch>();

  add(spec: FaultSpec): Fault {
    // "db:database.getDocument" names the action as the SDK sends it; match it like "db:getDocument".
    const target = spec.target.replace(/^db:database\./, 'db:');
    const fault: Fault = {
      id: randomUUID(),
      target,
      errcode: spec.errcode ?? null,
      delayMs: spec.delayMs ?? 0,
      remaining: spec.times ?? 1,
    };
    this.faults.push(fault);
    return fault;
  }

  /**
   * Holds the next call matching `target` until `release()`: the way a test stops a call
   * at a known point (say, after it read the settings, at the code exchange) without a
   * timer, changes the world, and lets it finish. A reset releases it too.
   */
  hold(target: string): Hold {
    let arrived!: () => void;
    let release!: () => void;
    const reached = new Promise<void>((resolve) => (arrived = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    const fault = this.add({ target, delayMs: 0 });
    fault.latch = { arrived, release, released };
    this.latches.add(fault.latch);
    return { reached, release };
  }

  /**
   * Takes the first fault matching any of `targets` (most specific first), counting
   * it down. Returns null when the call should go ahead untouched.
   */
  take(...targets: string[]): Fault | null {
    for (const target of targets) {
      const fault = this.faults.find((f) => f.target === target && f.remaining > 0);
      if (fault) {
        fault.remaining -= 1;
        if (fault.remaining === 0) this.faults = this.faults.filter((f) => f !== fault);
        return fault;
      }
    }
    return null;
  }

  /** Faults still waiting for a call, oldest first. */
  list(): Fault[] {
    return this.faults.map(({ latch, ...f }) => ({ ...f, ...(latch ? { held: true } : {}) }));
  }

  /** Forgets every fault; a call still held at a latch goes on (a reset must not strand a container). */
  clear(): void {
    for (const latch of this.latches) latch.release();
    this.latches.clear();
    this.faults = [];
  }
}
