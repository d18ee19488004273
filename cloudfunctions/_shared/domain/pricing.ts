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
