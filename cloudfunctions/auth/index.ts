/**
 * `auth`: what every mini program user calls.
 *
 * Its routes, their input and output: miniprogram/contract/auth.ts (the one list; the
 * table below must implement it or it does not compile).
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
