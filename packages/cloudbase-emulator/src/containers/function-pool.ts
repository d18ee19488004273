/**
 * The containers of one function. An invocation takes an idle container (a warm
 * start) or, when all are busy and the pool is below its bound, starts a new one (a
 * cold start); past the bound it waits its turn. A container that runs past the
 * function's timeout is killed, as SCF kills it.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

interface Invocation {
  event: unknown;
  /** Per-invocation environment (identity); `null` unsets. */
  env: Record<string, string | null>;
  context: Record<string, unknown>;
}

interface InvocationResult {
  ok: boolean;
  result?: unknown;
  error?: string;
  cold: boolean;
}

interface PoolOptions {
  name: string;
  /** Folder with the built index.js. */
  bundleDir: string;
  /** Compiled runner script. */
  runnerPath: string;
  /** Environment every container of this function starts with. */
  env: Record<string, string>;
  maxContainers: number;
  timeoutMs: number;
  onLog(name: string, line: string): void;
}

interface Container {
  child: ChildProcess;
  ready: Promise<void>;
  busy: boolean;
  pending: Map<number, (result: { ok: boolean; result?: unknown; error?: string }) => void>;
  dead: boolean;
}

let nextId = 1;

export class FunctionPool {
  private containers: Container[] = [];
  private waiters: Array<() => void> = [];
  readonly counts = { cold: 0, warm: 0 };

  constructor(private readonly options: PoolOptions) {}

  get size(): number {
    return this.containers.length;
  }

  async invoke(invocation: Invocation): Promise<InvocationResult> {
    const { container, cold } = await this.acquire();
    try {
      await container.ready;
      const outcome = await this.run(container, invocation);
      return { ...outcome, cold };
    } catch (err) {
      return { ok: false, error: err instanceof Error ? err.message : String(err), cold };
    } finally {
      this.release(container);
    }
  }

  private async acquire(): Promise<{ container: Container; cold: boolean }> {
    for (;;) {
      const idle = this.containers.find((c) => !c.busy && !c.dead);
      if (idle) {
        idle.busy = true;
        this.counts.warm += 1;
        return { container: idle, cold: false };
      }
      if (this.containers.length < this.options.maxContainers) {
        const container = this.start();
        container.busy = true;
        this.counts.cold += 1;
        return { container, cold: true };
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  private release(container: Container): void {
    container.busy = false;
    this.waiters.shift()?.();
  }

  private start(): Container {
    const { name, bundleDir, runnerPath, env, onLog } = this.options;
    const child = fork(runnerPath, [join(bundleDir, 'index.js')], {
      env,
      cwd: bundleDir,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    const container: Container = { child, busy: false, pending: new Map(), dead: false, ready: Promise.resolve() };
    for (const stream of [child.stdout, child.stderr]) {
      let buffer = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        buffer += chunk;
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          onLog(name, buffer.slice(0, nl));
          buffer = buffer.slice(nl + 1);
        }
      });
    }
    container.ready = new Promise<void>((resolve, reject) => {
      child.on('message', (raw: unknown) => {
        const msg = raw as { type: string; id?: number; ok?: boolean; result?: unknown; error?: string; message?: string };
        if (msg.type === 'ready') resolve();
        else if (msg.type === 'load-error') reject(new Error(`${name} failed to load: ${msg.message}`));
        else if (msg.type === 'result' && msg.id !== undefined) {
          const settle = container.pending.get(msg.id);
          container.pending.delete(msg.id);
          settle?.({ ok: Boolean(msg.ok), result: msg.result, error: msg.error });
        }
      });
      // Errors of the IPC channel are answered per call (send's callback) or by 'exit'.
      child.on('error', () => {});
      child.on('exit', (code, signal) => {
        container.dead = true;
        this.containers = this.containers.filter((c) => c !== container);
        const reason = `container of ${name} exited (${signal ?? `code ${code}`})`;
        reject(new Error(reason));
        for (const settle of container.pending.values()) settle({ ok: false, error: reason });
        container.pending.clear();
        // Someone waiting for a slot can now start a fresh container.
        this.waiters.shift()?.();
      });
    });
    // Avoid an unhandled rejection when nobody awaits a container that fails to load.
    container.ready.catch(() => {});
    this.containers.push(container);
    return container;
  }

  private run(container: Container, invocation: Invocation): Promise<{ ok: boolean; result?: unknown; error?: string }> {
    const id = nextId++;
    const { timeoutMs, name } = this.options;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        container.pending.delete(id);
        // Out of the pool at once: its exit event comes later, and no call may land on it meanwhile.
        container.dead = true;
        this.containers = this.containers.filter((c) => c !== container);
        container.child.kill('SIGKILL');
        resolve({ ok: false, error: `${name} timed out after ${timeoutMs} ms` });
      }, timeoutMs);
      container.pending.set(id, (outcome) => {
        clearTimeout(timer);
        resolve(outcome);
      });
      // A container can exit between being picked and being written to (EPIPE): the call
      // fails like any container death, instead of an unhandled error taking the emulator down.
      container.child.send({ type: 'invoke', id, ...invocation }, (err) => {
        if (!err) return;
        container.pending.get(id)?.({ ok: false, error: `container of ${name} could not take the call (${err.message})` });
        container.pending.delete(id);
      });
    });
  }

  /** Stops every container and waits for them to exit. */
  async close(): Promise<void> {
    const exits = this.containers.map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.child.exitCode !== null || c.child.signalCode !== null) return resolve();
          c.child.once('exit', () => resolve());
          c.child.kill('SIGTERM');
        }),
    );
    await Promise.all(exits);
    this.containers = [];
  }
}
