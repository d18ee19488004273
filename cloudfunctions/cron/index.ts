/**
 * `cron`: the hourly checks (see checks.ts). A timer trigger's event
 * (`{ Type: "Timer", TriggerName, Time }`, no OPENID) runs them; so does an admin with
 * `$url: "run"`. A client cannot pass for the timer: a call from the mini program
 * always carries an OPENID, and then only the admin route is open.
 *
 * Its route, input and output: miniprogram/contract/cron.ts (the one list; the table
 * below must implement it or it does not compile).
 */
import { isAdmin } from '../_shared/data/admins';
import { callerFromContext } from '../_shared/runtime/cloud';
import { now } from '../_shared/runtime/clock';
import { access, createHandler, noParams, route } from '../_shared/runtime/router';
import { runChecks } from './checks';

export const main = createHandler({
  name: 'cron',
  identify: callerFromContext,
  isAdmin,
  timer: () => runChecks(now()),
  routes: { run: access.admin(route(noParams, () => runChecks(now()))) },
});
