/**
 * What a function answers to SCF `Invoke` in the stand-in: auth's `doctor` route, as a
 * CLI-deployed auth answers it when called through the API rather than from a mini
 * program. The key is checked against the DOCTOR_KEY the deploy set; the cloud call is
 * answered with a CloudBase-side refusal (errcode ≤ -500000: an Invoke carries no mini
 * program's WeChat context, an assumption documented in docs/emulator.md), and the
 * HTTPS fallback is "not configured" unless WECHAT_APPID/WECHAT_APPSECRET are set.
 */
import { decodeEnvValue } from '../../cloudfunctions/_shared/runtime/config';
import type { StandinFunction, StandinState } from './state';

/** The errcode the stand-in's cloud call gives an Invoke (no mini program context). */
export const INVOKE_CLOUD_CALL_ERRCODE = -501023;

export function doctorByInvoke(state: StandinState) {
  return (fn: StandinFunction, event: unknown): unknown => {
    const {
      $url,
      key,
      variables = [],
      collections = [],
    } = (event ?? {}) as {
      $url?: string;
      key?: string;
      variables?: string[];
      collections?: string[];
    };
    if (fn.FunctionName !== 'auth' || $url !== 'doctor') return { ok: false, error: { code: 'NOT_FOUND', message: 'not modelled' } };
    const vars = Object.fromEntries(fn.Environment.Variables.map((v) => [v.Key, decodeEnvValue(v.Value)]));
    if (!vars.DOCTOR_KEY)
      return { ok: false, error: { code: 'FORBIDDEN', message: 'The diagnostic route is closed: DOCTOR_KEY is not set for auth.' } };
    if (key !== vars.DOCTOR_KEY) return { ok: false, error: { code: 'FORBIDDEN', message: 'Wrong diagnostic key.' } };
    const https =
      vars.WECHAT_APPID && vars.WECHAT_APPSECRET ? { errcode: 40029, verdict: 'works' } : { errcode: null, verdict: 'not-configured' };
    return {
      ok: true,
      data: {
        exchange: {
          cloudCall: { errcode: INVOKE_CLOUD_CALL_ERRCODE, verdict: 'failed' },
          https,
          works: https.verdict === 'works',
        },
        variables: Object.fromEntries(variables.map((n) => [n, Boolean(vars[n]?.trim())])),
        collections: Object.fromEntries(collections.map((c) => [c, c in state.collections])),
      },
    };
  };
}
