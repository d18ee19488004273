/**
 * quickphone's part of the emulator's web console (the console's plug-in interface:
 * packages/cloudbase-emulator/src/console/plugin.ts): the billing view, which lines
 * WeChat's charges up with ours, and "play a user", which taps the phone button through
 * the real functions. Routes here answer on the server; ./client draws the two views.
 */
import { join } from 'node:path';
import type { ConsolePlugin } from '../../packages/cloudbase-emulator/src/console/plugin';
import { billing } from './billing';
import { play } from './play';

export const QUICKPHONE_CONSOLE: ConsolePlugin = {
  title: 'quickphone emulator',
  views: ['billing', 'play a user'],
  routes: [
    { method: 'GET', path: 'billing', handle: ({ emu, query }) => billing(emu, query.get('admin')) },
    { method: 'POST', path: 'play', handle: ({ emu, body }) => play(emu, body) },
  ],
  clientEntries: [join(__dirname, 'client', 'index.ts')],
};
