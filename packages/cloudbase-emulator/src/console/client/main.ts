/**
 * The console page (`/console/app.js`, bundled by ../server.ts): the console's own
 * views, one file each under ./views, registered in navigation order. A project's
 * plug-in entries are bundled after this module and add theirs (./shell.ts
 * registerView); the bundle then calls `startConsole`. Plain DOM, no framework.
 */
import { registerView } from './shell';
import { renderData } from './views/data';
import { renderFaults } from './views/faults';
import { renderFunctions } from './views/functions';
import { renderMessages } from './views/messages';
import { renderOverview } from './views/overview';
import { renderTransfer } from './views/transfer';

registerView('overview', { title: 'Overview', render: renderOverview });
registerView('data', { title: 'Data', render: (el, collection) => renderData(el, collection) });
registerView('functions', { title: 'Functions', render: renderFunctions });
registerView('faults', { title: 'Faults', render: renderFaults });
registerView('messages', { title: 'Messages', render: renderMessages });
registerView('transfer', { title: 'Export / import', render: renderTransfer });

export { startConsole } from './shell';
