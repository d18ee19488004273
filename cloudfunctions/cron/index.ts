/**
 * `cron`: the hourly checks (see checks.ts). A timer trigger's event
 * (`{ Type: "Timer", TriggerName, Time }`, no OPENID) runs them; so does an admin with
 * `$url: "run"`. A client cannot pass for the timer: a call from the mini program
 * always carries an OPENID, and then only the admin route is open.
 *
 * | $url | what                                                          |
 * | ---- | ------------------------------------------------------------- |
 * | run  | runs every check now; `{ breakers, alerts, reconciliation }`  |
 */
import { callerFromContext } from '../_shared/cloud';
import { now } from '../_shared/clock';
import { failure, success, type Envelope } from '../_shared/errors';
import { logEvent } from '../_shared/log';
import { createHandler, noParams, route } from '../_shared/router';
import { requireOpenid } from '../_shared/identity';
import { requireAdmin } from '../_shared/data/admins';
import { runChecks } from './checks';

const routed = createHandler({
  name: 'cron',
  identify: callerFromContext,
  authorize: (caller) => requireAdmin(requireOpenid(caller)),
  routes: { run: route(noParams, () => runChecks(now())) },
});

function isTimerEvent(event: unknown): boolean {
  return typeof event === 'object' && event !== null && (event as { Type?: unknown }).Type === 'Timer';
}

export async function main(event: unknown): Promise<Envelope<unknown>> {
  if (!isTimerEvent(event) || callerFromContext().openid) return routed(event);
  try {
    return success(await runChecks(now()));
  } catch (err) {
    logEvent('error', { fn: 'cron', trigger: (event as { TriggerName?: unknown }).TriggerName, error: String(err) });
    return failure(err);
  }
}
