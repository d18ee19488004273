/**
 * The pinned @cloudbase/node-sdk (3.17.2, with @cloudbase/database 1.4.3) used
 * directly, as the SDK's own database tests use it, pointed at a test emulator.
 */
import { connectWxServerSdk } from './sdk';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function connectNodeSdk(emulatorUrl: string): any {
  // Same process environment as wx-server-sdk needs (no cloud metadata lookups).
  connectWxServerSdk(emulatorUrl);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const tcb = require('@cloudbase/node-sdk') as typeof import('@cloudbase/node-sdk');
  return tcb
    .init({ env: 'quickphone-local', serviceUrl: `${emulatorUrl}/admin`, secretId: 'local', secretKey: 'local' } as never)
    .database();
}
