/**
 * The real wx-server-sdk, in the test process, pointed at a test emulator with
 * `cloud.init({ serviceUrl })` — the SDK a cloud function uses, unmocked.
 */
// The SDK needs these even outside a container: without keys it crashes the process,
// and without TENCENTCLOUD_RUNENV it looks up a cloud metadata host on every request.
const SDK_ENV: Record<string, string> = {
  TENCENTCLOUD_RUNENV: 'SCF',
  TENCENTCLOUD_SECRETID: 'test-secret-id',
  TENCENTCLOUD_SECRETKEY: 'test-secret-key',
  TENCENTCLOUD_REGION: 'ap-shanghai',
  SCF_NAMESPACE: 'quickphone-local',
  TCB_ENV: 'quickphone-local',
};

export function connectWxServerSdk(emulatorUrl: string, envId = 'quickphone-local') {
  Object.assign(process.env, SDK_ENV);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const cloud = require('wx-server-sdk') as typeof import('wx-server-sdk');
  cloud.init({ env: envId, serviceUrl: `${emulatorUrl}/admin` } as Parameters<typeof cloud.init>[0]);
  return cloud;
}
