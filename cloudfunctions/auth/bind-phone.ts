/**
 * `auth.bindPhone { code, kind? }`: record the charge, then exchange the code for the
 * user's number. See docs/charges.md for the order of writes and why.
 *
 * 1. Record the charge under sha256(appid:code) before anything else: WeChat already
 *    billed it, and a replay of the same code lands on the same record.
 * 2. Count it in usage_daily; check the per-user daily limit and the spending
 *    breakers (monthly budget, daily cap).
 * 3. Exchange the code with WeChat (one retry on "busy"/timeout).
 * 4. Store the number on the user first (it exists nowhere else once the code is
 *    spent), then mark the charge done. A replay repairs a charge left pending.
 */
import * as v from 'valibot';
import { route } from '../_shared/router';
import { requireOpenid } from '../_shared/identity';
import { AppError } from '../_shared/errors';
import { now } from '../_shared/clock';
import { logEvent } from '../_shared/log';
import { phoneBindsPerUserPerDay } from '../_shared/config';
import { chargeId, classifyExchangeError, isRetriable, newCharge, type ChargeRecord, type FailureReason } from '../_shared/domain/charge';
import { maskPhone } from '../_shared/domain/phone';
import { claimCharge, claimForCaller, countUserCharges, findCharge, insertCharge, markCharge } from '../_shared/data/charges';
import { countCharge } from '../_shared/data/usage';
import { findUser, updateUser } from '../_shared/data/users';
import { loadSettings } from '../_shared/data/settings';
import { checkSpend } from '../_shared/data/spend-breaker';
import { exchangePhoneCode } from '../_shared/wechat/phone-number';

/** Longer than the function's 10 s timeout: a live request never loses its claim. */
const LEASE_MS = 15_000;
/** How long a replay waits for a concurrent request holding the same code. */
const WAIT_FOR_HOLDER_MS = 6_000;
const WAIT_STEP_MS = 200;

const input = v.object({
  code: v.pipe(v.string('code must be a string'), v.trim(), v.minLength(1, 'code must not be empty'), v.maxLength(512, 'code is too long')),
  kind: v.optional(v.picklist(['quick', 'realtime'], 'kind must be "quick" or "realtime"')),
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function errorFor(failure: FailureReason | null): AppError {
  switch (failure) {
    case 'invalid-code':
      return new AppError('PHONE_CODE_INVALID', 'This phone code is invalid, expired or already used. Please tap the button again.');
    case 'rate-limited':
      return new AppError('RATE_LIMITED', 'WeChat is limiting phone verification right now; try again shortly with the same code.');
    case 'user-limit':
      return new AppError('RATE_LIMITED', 'Too many phone verifications for this user today.');
    default:
      return new AppError('UPSTREAM_UNAVAILABLE', 'WeChat did not answer; try again with the same code.');
  }
}

/** Runs a write that must not be lost, a few times with a short backoff. */
async function persistently<T>(what: string, write: () => Promise<T>, tries = 3): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await write();
    } catch (err) {
      if (i >= tries) throw err;
      logEvent('warn', { fn: 'auth', route: 'bindPhone', retrying: what, attempt: i });
      await sleep(100 * i);
    }
  }
}

/** `counted`: whether this request counted the charge in usage_daily (unknown on a replay). */
async function exchangeAndBind(charge: ChargeRecord, code: string, appid: string | null, counted?: boolean): Promise<{ phoneMasked: string }> {
  const outcome = await exchangePhoneCode(code, charge.openid);
  const at = now();
  if (!outcome.ok) {
    const failure = classifyExchangeError(outcome.errcode);
    await markCharge(charge._id, { exchange: 'failed', failure, errcode: outcome.errcode }, { attempts: outcome.attempts, counted, now: at }).catch((err: unknown) =>
      logEvent('error', { fn: 'auth', route: 'bindPhone', charge: charge._id, failedToMark: 'failed', error: String(err) }),
    );
    throw errorFor(failure);
  }
  const phoneMasked = maskPhone(outcome.phone.phoneNumber);
  // The code is spent: this answer is the only copy of the number. Keep it first.
  await persistently('store phone', () =>
    updateUser(charge.openid, appid, { phone: { ...outcome.phone, kind: charge.kind, verifiedAt: at, chargeId: charge._id } }),
  ).catch((err: unknown) => {
    logEvent('error', { fn: 'auth', route: 'bindPhone', charge: charge._id, lostPhone: phoneMasked, error: String(err) });
    throw new AppError('UPSTREAM_UNAVAILABLE', 'Your number could not be saved; please try again.');
  });
  // If this fails the charge stays pending; a replay finds the number on the user and finishes it.
  await markCharge(charge._id, { exchange: 'ok', phoneMasked }, { attempts: outcome.attempts, counted, now: at }).catch((err: unknown) =>
    logEvent('warn', { fn: 'auth', route: 'bindPhone', charge: charge._id, failedToMark: 'ok', error: String(err) }),
  );
  logEvent('info', { fn: 'auth', route: 'bindPhone', charge: charge._id, kind: charge.kind, phoneMasked });
  return { phoneMasked };
}

/** The same code again: answer from the record, finish it, or wait for whoever holds it. */
async function replay(id: string, openid: string, code: string, appid: string | null): Promise<{ phoneMasked: string }> {
  const deadline = Date.now() + WAIT_FOR_HOLDER_MS;
  for (;;) {
    const charge = await findCharge(id);
    if (!charge) throw new AppError('UPSTREAM_UNAVAILABLE', 'The charge record is not readable yet; try again with the same code.');
    if (charge.openid !== openid) {
      // Someone else sent this code first and WeChat refused them: the code may be ours.
      if (await claimForCaller(id, openid, now(), LEASE_MS)) return exchangeAndBind({ ...charge, openid }, code, appid);
      throw errorFor('invalid-code');
    }
    if (charge.exchange === 'ok' && charge.phoneMasked) return { phoneMasked: charge.phoneMasked };
    if (charge.exchange === 'failed' && !isRetriable(charge)) throw errorFor(charge.failure);
    if (charge.exchange === 'pending') {
      // A request that stored the number but could not mark the charge: finish it.
      const user = await findUser(openid);
      if (user?.phone?.chargeId === id) {
        const phoneMasked = maskPhone(user.phone.phoneNumber);
        await markCharge(id, { exchange: 'ok', phoneMasked }, { attempts: 0, now: now() });
        return { phoneMasked };
      }
    }
    if (await claimCharge(id, now(), LEASE_MS)) return exchangeAndBind(charge, code, appid);
    if (Date.now() >= deadline) throw new AppError('UPSTREAM_UNAVAILABLE', 'This code is still being processed; try again shortly with the same code.');
    await sleep(WAIT_STEP_MS);
  }
}

export const bindPhone = route(input, async ({ code, kind }, { caller }) => {
  const openid = requireOpenid(caller);
  try {
    const id = chargeId(caller.appid ?? '', code);
    const at = now();
    // Settings (for the kind when the client did not say, and for the spending breakers)
    // load alongside the charge insert: one round trip less on the login path.
    const settingsLoad = loadSettings();
    settingsLoad.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
    const chargeKind = kind ?? (await settingsLoad).phoneCapture.kind;
    const charge = newCharge({ id, appid: caller.appid ?? '', openid, kind: chargeKind, at, leaseMs: LEASE_MS });
    if (!(await insertCharge(charge))) return await replay(id, openid, code, caller.appid);
    // The charge is recorded: from here a settings read failure only skips the breaker check.
    const settings = await settingsLoad.catch((err: unknown) => {
      logEvent('error', { fn: 'auth', route: 'bindPhone', charge: id, failedToLoadSettings: true, error: String(err) });
      return null;
    });

    // Counting is derived data: a failure here must not cost the user their login.
    const counted = await countCharge(charge.day, chargeKind).then(
      () => true,
      (err: unknown) => {
        logEvent('error', { fn: 'auth', route: 'bindPhone', charge: id, failedToCount: charge.day, error: String(err) });
        return false;
      },
    );
    // The spending breakers see this charge (in parallel with the exchange); nor may
    // they cost the login. Awaited before answering: a frozen container finishes nothing.
    const spendCheck = (settings ? checkSpend(settings, at) : Promise.resolve(null)).catch((err: unknown) => {
      logEvent('error', { fn: 'auth', route: 'bindPhone', charge: id, failedToCheckSpend: true, error: String(err) });
      return null;
    });
    try {
      if ((await countUserCharges(openid, charge.day)) > phoneBindsPerUserPerDay()) {
        await markCharge(id, { exchange: 'failed', failure: 'user-limit', errcode: null }, { attempts: 0, counted, now: at });
        throw errorFor('user-limit');
      }
      return await exchangeAndBind(charge, code, caller.appid, counted);
    } finally {
      const tripped = await spendCheck;
      if (tripped) logEvent('warn', { fn: 'auth', route: 'bindPhone', breaker: tripped });
    }
  } catch (err) {
    if (err instanceof AppError) throw err;
    // A database failure: nothing is lost (the record is written first or not at all),
    // so the client can safely retry with the same code.
    logEvent('error', { fn: 'auth', route: 'bindPhone', error: String(err) });
    throw new AppError('UPSTREAM_UNAVAILABLE', 'Could not save right now; try again with the same code.');
  }
});
