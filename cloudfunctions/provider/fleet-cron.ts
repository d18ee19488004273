/**
 * The provider's hourly step, run by the `cron` function (cron/checks.ts): read the
 * whole fleet's usage again where it is older than PROVIDER_FLEET_MAX_AGE_MINUTES, then
 * carry out the top-up rules against those fresh readings. Skipped, saying why, where no
 * provider is configured (a merchant's own environment). A failure is reported, never
 * thrown: the merchant-side checks still run.
 */
import { providerCredentials, providerFleetMaxAgeMs } from '../_shared/runtime/config';
import { AppError } from '../_shared/runtime/errors';
import { errorDetail, logEvent } from '../_shared/runtime/log';
import { loadFleet, refreshMerchants } from './fleet';
import { runTopups } from './topups';

import type { FleetRunReport } from '../../miniprogram/contract';
export type { FleetRunReport };

export async function runProviderFleet(at: Date): Promise<FleetRunReport> {
  const credentials = providerCredentials();
  if (!credentials.ok) return { status: 'skipped', reason: `provider fleet needs the provider's credentials: ${credentials.reason}` };
  try {
    const fleet = await refreshMerchants(await loadFleet(at), at, providerFleetMaxAgeMs());
    const readErrors = fleet.reduce((n, m) => n + Number(m.readings.quick.error !== null) + Number(m.readings.realtime.error !== null), 0);
    const topups = await runTopups(fleet, at);
    logEvent('info', { step: 'provider-fleet', merchants: fleet.length, readErrors, topups });
    return { status: 'ok', merchants: fleet.length, readErrors, topups };
  } catch (err) {
    const reason = err instanceof AppError ? err.message : 'could not read the fleet or carry out the top-up rules';
    logEvent('error', { step: 'provider-fleet', ...(err instanceof AppError ? { error: err.message } : errorDetail(err)) });
    return { status: 'failed', reason };
  }
}
