/**
 * `auth`: what every mini program user calls.
 *
 * | $url      | what                                                     |
 * | --------- | -------------------------------------------------------- |
 * | session   | user, public settings, whether to show the phone button  |
 */
import { callerFromContext } from '../_shared/cloud';
import { createHandler } from '../_shared/router';
import { session } from './session';

export const main = createHandler({
  name: 'auth',
  identify: callerFromContext,
  routes: { session },
});
