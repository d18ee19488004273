/**
 * `auth`: what every mini program user calls.
 *
 * | $url             | what                                                              |
 * | ---------------- | ----------------------------------------------------------------- |
 * | session          | user, public settings, whether to show the phone button (free)    |
 * | bindPhone        | record the charge, exchange the code, bind the verified number    |
 * | reportPhoneEvent | a denial, no-quota or failure seen by the client                  |
 * | setManualPhone   | the fallback: a typed, unverified contact number                  |
 * | doctor           | diagnostics for `npm run doctor`: server side with DOCTOR_KEY only |
 * | acceptAdminInvite | `{ code }`: become an admin with an invite an admin shared       |
 */
import { callerFromContext } from '../_shared/runtime/cloud';
import { access, createHandler } from '../_shared/runtime/router';
import { acceptAdminInvite } from './accept-admin-invite';
import { bindPhone } from './bind-phone';
import { doctor } from './doctor';
import { setManualPhone } from './manual-phone';
import { reportPhoneEvent } from './report-phone-event';
import { session } from './session';

export const main = createHandler({
  name: 'auth',
  identify: callerFromContext,
  routes: {
    session: access.user(session),
    bindPhone: access.user(bindPhone),
    reportPhoneEvent: access.user(reportPhoneEvent),
    setManualPhone: access.user(setManualPhone),
    doctor: access.server(doctor),
    acceptAdminInvite: access.user(acceptAdminInvite),
  },
});
