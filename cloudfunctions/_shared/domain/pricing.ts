/**
 * What WeChat charges per successful tap, in fen (0.01 CNY) so sums stay exact
 * integers: 0.03 CNY quick, 0.04 CNY real-time, since late August 2023 (WECHAT.md
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
    if (!Number.isSafeInteger(fen) || Math.abs(yuan * 100 - fen) > 1e-6) throw new Error(`not an amount in yuan with at most two decimals: ${yuan}`);
    return fen;
  }
  const match = /^(\d+)(?:\.(\d{1,2}))?$/.exec(yuan.trim());
  if (!match) throw new Error(`not an amount in yuan with at most two decimals: "${yuan}"`);
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}
