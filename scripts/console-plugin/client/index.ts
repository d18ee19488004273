/**
 * quickphone's views in the emulator console's page, bundled after the console's own
 * (../index.ts names this file): billing after the overview, play a user after messages.
 */
import { registerView, watchInvocations } from '../../../packages/cloudbase-emulator/src/console/client/shell';
import { changesNothing, renderBilling } from './billing';
import { renderPlay } from './play';

registerView(
  'billing',
  {
    title: 'Billing',
    render: (el) => {
      watchInvocations(el, () => renderBilling(el), changesNothing);
      return renderBilling(el);
    },
  },
  { after: 'overview' },
);
registerView('play', { title: 'Play a user', render: renderPlay }, { after: 'messages' });
