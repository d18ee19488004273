/**
 * `auth.doctor { key, variables?, collections? }`: what `npm run doctor` asks the live
 * environment. It lives in `auth` because the cloud-call permission is per function:
 * only `auth` can tell whether its own phone exchange works.
 *
 * Protected twice: a mini program user never gets in (a call with an OPENID is
 * FORBIDDEN), and a server-side caller must present DOCTOR_KEY (set by the deploy;
 * the doctor reads it from .env or, with the Tencent Cloud keys, from the function's
 * configuration). Unset, the route is closed.
 *
 * It answers, without any charge: the exchange probe (a dummy code: the cloud call
 * answers -604101 without permission and 40029 "invalid code" with it; WeChat bills
 * the user's tap, never an exchange of a code it did not issue), the same over HTTPS
 * when credentials are set, which of the named variables are set (never their values),
 * and which of the named collections exist.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import * as v from 'valibot';
import { db } from '../_shared/runtime/cloud';
import { decodeEnvValue, doctorKey, wechatCredentials } from '../_shared/runtime/config';
import { AppError } from '../_shared/runtime/errors';
import { serverRoute } from '../_shared/runtime/router';
import type { DoctorAnswer, ProbeVerdict } from '../../miniprogram/contract';
import { cloudAttempt, httpsAttempt, NO_PERMISSION_ERRCODE } from '../_shared/wechat/phone-number';

const PROBE_CODE = 'quickphone-doctor-probe';
const NAME = v.pipe(v.string(), v.regex(/^[A-Za-z_][A-Za-z0-9_-]{0,63}$/, 'not a valid name'));

const input = v.object({
  key: v.pipe(v.string('key must be a string'), v.minLength(1, 'key must not be empty'), v.maxLength(256, 'key is too long')),
  variables: v.optional(v.pipe(v.array(NAME), v.maxLength(64)), []),
  collections: v.optional(v.pipe(v.array(NAME), v.maxLength(64)), []),
});

export type { DoctorAnswer, ProbeVerdict } from '../../miniprogram/contract';

function sameKey(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

function verdictOf(errcode: number): ProbeVerdict {
  if (errcode === 40029) return 'works'; // WeChat looked at the code: the path is open
  if (errcode === NO_PERMISSION_ERRCODE) return 'no-permission';
  return 'failed';
}

async function collectionExists(name: string): Promise<boolean> {
  try {
    await db.collection(name).count();
    return true;
  } catch (err) {
    if (/not ?exist|COLLECTION_NOT_EXIST/i.test(String((err as { errCode?: unknown; message?: unknown })?.message ?? err))) return false;
    throw err;
  }
}

// Declared `server` access in auth's table: a call with an OPENID never gets here.
export const doctor = serverRoute(input, async ({ key, variables, collections }): Promise<DoctorAnswer> => {
  const expected = doctorKey();
  if (!expected) throw new AppError('FORBIDDEN', 'The diagnostic route is closed: DOCTOR_KEY is not set for auth.');
  if (!sameKey(key, expected)) throw new AppError('FORBIDDEN', 'Wrong diagnostic key.');

  const cloud = await cloudAttempt(PROBE_CODE, undefined);
  const cloudErrcode = cloud.ok ? 0 : cloud.errcode;
  const credentials = wechatCredentials();
  let https: DoctorAnswer['exchange']['https'];
  if (!credentials.ok) https = { errcode: null, verdict: 'not-configured', reason: credentials.reason };
  else {
    const answer = await httpsAttempt(PROBE_CODE, undefined, credentials.appid, credentials.secret);
    const errcode = answer.ok ? 0 : answer.errcode;
    https = { errcode, verdict: verdictOf(errcode) };
  }
  const cloudCall = { errcode: cloudErrcode, verdict: verdictOf(cloudErrcode) };
  const names = Object.fromEntries(variables.map((n) => [n, decodeEnvValue(process.env[n] ?? '').trim() !== '']));
  const existing: Record<string, boolean> = {};
  for (const name of collections) existing[name] = await collectionExists(name);
  return {
    exchange: { cloudCall, https, works: cloudCall.verdict === 'works' || https.verdict === 'works' },
    variables: names,
    collections: existing,
  };
});
