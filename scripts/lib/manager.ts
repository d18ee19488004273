/**
 * @cloudbase/manager-node for the deploy and the doctor: the API key from .env or the
 * environment, and cloudbaserc.json's `region` (the environment's region; manager-node
 * and the CLI default to ap-shanghai, where a Guangzhou environment is "not found").
 */
import type { CloudbaseRc } from './cloudbaserc';

export function regionOf(rc: CloudbaseRc): string | undefined {
  return typeof rc.region === 'string' && rc.region.trim() ? rc.region.trim() : undefined;
}

export async function connectManager<T>(local: NodeJS.ProcessEnv, rc: CloudbaseRc): Promise<T> {
  const { default: CloudBase } = await import('@cloudbase/manager-node');
  const region = regionOf(rc);
  return new CloudBase({
    envId: local.TCB_ENV_ID!.trim(),
    secretId: local.TENCENTCLOUD_SECRETID!.trim(),
    secretKey: local.TENCENTCLOUD_SECRETKEY!.trim(),
    ...(region ? { region } : {}),
  }) as unknown as T;
}
