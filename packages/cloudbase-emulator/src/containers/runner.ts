/**
 * One function container: a child process that loads the built bundle once, then
 * serves one invocation at a time, setting the invocation's WeChat identity in the
 * environment first — `cloud.getWXContext()` reads only environment variables.
 *
 * Protocol (IPC, JSON like a real invocation's answer):
 *   parent → { type: "invoke", id, event, env, context }
 *   child  → { type: "ready", loadMs } | { type: "result", id, ok, result | error }
 */
import { performance } from 'node:perf_hooks';

interface InvokeMessage {
  type: 'invoke';
  id: number;
  event: unknown;
  /** Per-invocation variables; `null` removes a variable left by an earlier call. */
  env: Record<string, string | null>;
  context: Record<string, unknown>;
}

type Main = (event: unknown, context: unknown) => unknown;

function send(message: unknown): void {
  process.send?.(message);
}

function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'string') return err;
  try {
    return JSON.stringify(err);
  } catch {
    return String(err);
  }
}

const bundlePath = process.argv[2];
if (!bundlePath) throw new Error('usage: runner <bundle path>');

const started = performance.now();
let main: Main;
try {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(bundlePath) as { main?: Main };
  if (typeof mod.main !== 'function') throw new Error(`${bundlePath} exports no main function`);
  main = mod.main;
} catch (err) {
  send({ type: 'load-error', message: errorMessage(err) });
  process.exit(1);
}
send({ type: 'ready', loadMs: performance.now() - started });

process.on('message', (raw: unknown) => {
  const message = raw as InvokeMessage;
  if (message?.type !== 'invoke') return;
  for (const [key, value] of Object.entries(message.env)) {
    if (value === null) delete process.env[key];
    else process.env[key] = value;
  }
  Promise.resolve()
    .then(() => main(message.event, message.context))
    .then(
      (result) => send({ type: 'result', id: message.id, ok: true, result: result === undefined ? null : result }),
      (err: unknown) => send({ type: 'result', id: message.id, ok: false, error: errorMessage(err) }),
    );
});

// A function's stray rejection must not kill the container silently, as on SCF it
// would be logged and the instance would go on.
process.on('unhandledRejection', (reason) => {
  console.error(`unhandled rejection: ${errorMessage(reason)}`);
});

// The parent going away ends the container.
process.on('disconnect', () => process.exit(0));
