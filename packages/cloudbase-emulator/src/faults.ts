/**
 * Fault injection: the next N calls to a WeChat API or a database action fail with a
 * given error code, or are delayed, or both. Targets are `openapi:<apiName>`,
 * `db:<action>` (e.g. `db:modifyDocument`), `db:<action>:<collection>`, or
 * `wechat:<path>` for WeChat's HTTP APIs (e.g. `wechat:/wxa/charge/usage/get`), and
 * `provider:assign` / `provider:cancel` for the asynchronous results of the
 * service-provider APIs and `provider:push` for the push of such a result (an errcode
 * loses it, a delay delays it; wechat/provider-results.ts).
 *
 * A fault with a `rate` is standing instead: it hits each matching call with that
 * probability (from its own seeded generator, so a run can be replayed) until the
 * faults are cleared, with a delay drawn from `delayMs`…`delayMaxMs` — the weather of
 * a flash crowd (`npm run bench -- --flash`) rather than one scripted failure.
 */
import { randomUUID } from 'node:crypto';

interface FaultSpec {
  target: string;
  errcode?: number;
  delayMs?: number;
  /** How many matching calls it affects; default 1. Ignored with `rate`. */
  times?: number;
  /** A standing fault: the probability (0 < rate ≤ 1) that each matching call is hit. */
  rate?: number;
  /** With `delayMs`: the delay is drawn uniformly from delayMs to delayMaxMs. */
  delayMaxMs?: number;
  /** Seed of a standing fault's generator (default: random). */
  seed?: number;
  /**
   * `db:` targets only: the call is carried out and then answers `errcode`, as when
   * CloudBase applied a write and its answer was lost on the way back (a timeout).
   */
  answerLost?: boolean;
}

export interface Fault extends Required<Pick<FaultSpec, 'target'>> {
  id: string;
  errcode: number | null;
  delayMs: number;
  /** Calls left to hit; Infinity for a standing fault (JSON: null). */
  remaining: number;
  rate: number | null;
  delayMaxMs: number | null;
  answerLost: boolean;
  /** A latch (in-process tests only): the call waits here until the test releases it. */
  latch?: Latch;
}

/** mulberry32: a small seeded generator. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), a | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

interface Latch {
  arrived: () => void;
  release: () => void;
  released: Promise<void>;
}

/** A held call: `reached` resolves once the call waits at the latch; `release` lets it go on. */
interface Hold {
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
  if (spec.rate !== undefined && !(typeof spec.rate === 'number' && spec.rate > 0 && spec.rate <= 1))
    problems.push('rate must be a number above 0 and at most 1');
  if (
    spec.delayMaxMs !== undefined &&
    !(
      Number.isInteger(spec.delayMaxMs) &&
      (spec.delayMaxMs as number) >= ((spec.delayMs as number | undefined) ?? 0) &&
      (spec.delayMaxMs as number) <= 120_000
    )
  )
    problems.push('delayMaxMs must be an integer from delayMs to 120000');
  if (spec.seed !== undefined && !Number.isInteger(spec.seed)) problems.push('seed must be an integer');
  if (spec.errcode === undefined && spec.delayMs === undefined) problems.push('give errcode, delayMs or both');
  if (spec.answerLost !== undefined && typeof spec.answerLost !== 'boolean') problems.push('answerLost must be a boolean');
  if (spec.answerLost && !(typeof spec.target === 'string' && spec.target.startsWith('db:') && spec.errcode !== undefined))
    problems.push('answerLost needs a db: target and an errcode (what the caller hears once the call was carried out)');
  if (problems.length) throw new Error(problems.join('; '));
  return spec as unknown as FaultSpec;
}

export class Faults {
  private faults: Fault[] = [];
  private draws = new Map<string, () => number>();
  private latches = new Set<Latch>();

  add(spec: FaultSpec): Fault {
    // "db:database.getDocument" names the action as the SDK sends it; match it like "db:getDocument".
    const target = spec.target.replace(/^db:database\./, 'db:');
    const fault: Fault = {
      id: randomUUID(),
      target,
      errcode: spec.errcode ?? null,
      delayMs: spec.delayMs ?? 0,
      remaining: spec.rate === undefined ? (spec.times ?? 1) : Infinity,
      rate: spec.rate ?? null,
      delayMaxMs: spec.delayMaxMs ?? null,
      answerLost: spec.answerLost ?? false,
    };
    this.faults.push(fault);
    if (fault.rate !== null) this.draws.set(fault.id, seeded(spec.seed ?? Math.floor(Math.random() * 2 ** 32)));
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
   * Takes the first fault matching any of `targets` (most specific first): a counted
   * one is counted down, a standing one hits with its probability. Returns what hits
   * (its delay drawn), or null when the call should go ahead untouched.
   */
  take(...targets: string[]): Fault | null {
    for (const target of targets) {
      for (const fault of this.faults) {
        if (fault.target !== target || fault.remaining <= 0) continue;
        if (fault.rate !== null) {
          const draw = this.draws.get(fault.id)!;
          if (draw() >= fault.rate) continue;
          const spread = fault.delayMaxMs === null ? 0 : Math.floor(draw() * (fault.delayMaxMs - fault.delayMs + 1));
          return { ...fault, delayMs: fault.delayMs + spread };
        }
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
    this.draws.clear();
  }
}
