/**
 * What WeChat charges per successful tap, in fen (0.01 CNY) so sums stay exact
 * integers: 0.03 CNY quick, 0.04 CNY real-time, since late August 2023 (docs/wechat.md
 * "Billing"). Yuan appear only at the edges, as exact decimal strings.
 */
import type { PhoneKind } from './settings';

export const PRICE_FEN: Readonly<Record<PhoneKind, number>> = { quick: 3, realtime: 4 };

/** 17 → "0.17"; 12345 → "123.45". */
export function fenToYuan(fen: number): string {
  if (!Number.isSafeInteger(fen)) throw new Error(`not a whole number of fen: ${fen}`);
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/**
 * Yuan with at most two decimals → fen, exactly: "7.5" → 750, 50.1 → 5010. Numbers come
 * from validated input (the schema already refused a third decimal); rounding only
 * undoes binary floating point (0.29 * 100 = 28.999999999999996).
 */
export function yuanToFen(yuan: number | string): number {
  if (typeof yuan === 'number') {
    const fen = Math.round(yuan * 100);
    if (!Number.isSafeInteger(fen) || Math.abs(yuan * 100 - fen) > 1e-6)
      throw new Error(`not an amount in yuan with at most two decimals: ${yuan}`);
    return fen;
  }
  const match = /^(\d+)(?:\.(\d{1,2}))?$/.exec(yuan.trim());
  if (!match) throw new Error(`not an amount in yuan with at most two decimals: "${yuan}"`);
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}

// ---- Exact amounts: a pack's price ÷ its calls is rarely a whole number of fen ----

/** An exact amount of fen, `num / den` (den > 0, lowest terms). */
export interface Fen {
  readonly num: bigint;
  readonly den: bigint;
}

const gcd = (a: bigint, b: bigint): bigint => {
  let [x, y] = [a < 0n ? -a : a, b < 0n ? -b : b];
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
};

/** `num / den` fen, exactly. */
export function fenOf(num: number | bigint, den: number | bigint = 1): Fen {
  let n = BigInt(num);
  let d = BigInt(den);
  if (d === 0n) throw new Error('a price over zero calls');
  if (d < 0n) [n, d] = [-n, -d];
  const g = gcd(n, d) || 1n;
  return { num: n / g, den: d / g };
}

export const ZERO_FEN: Fen = { num: 0n, den: 1n };

export const addFen = (a: Fen, b: Fen): Fen => fenOf(a.num * b.den + b.num * a.den, a.den * b.den);
export const timesFen = (a: Fen, count: number): Fen => fenOf(a.num * BigInt(count), a.den);
/** Negative, zero or positive as `a` is below, equal to or above `b`. */
export const compareFen = (a: Fen, b: Fen): number => {
  const d = a.num * b.den - b.num * a.den;
  return d < 0n ? -1 : d > 0n ? 1 : 0;
};

/** To whole fen, half a fen rounding up (away from zero): done once, for display. */
export function roundFen(a: Fen): number {
  const sign = a.num < 0n ? -1n : 1n;
  const abs = a.num * sign;
  return Number(sign * ((2n * abs + a.den) / (2n * a.den)));
}

/**
 * Yuan per call as a merchant reads it, to 0.0001 yuan, trailing zeros dropped down to
 * two decimals: 28,000.00 for 1,000,000 calls → "0.028"; 7.50 for 250 → "0.03".
 */
export function perCallYuan(perCall: Fen): string {
  // Units of 0.0001 yuan = 0.01 fen.
  const units = roundFen(timesFen(perCall, 100));
  const text = `${Math.floor(units / 10000)}.${String(units % 10000).padStart(4, '0')}`;
  return text.replace(/(\.\d\d\d?)0+$/, '$1').replace(/(\.\d\d)0$/, '$1');
}
