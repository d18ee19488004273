/** Prices on screen: integer fen in, "¥12.00" out. No float arithmetic on money. */
export function yuanText(fen: number): string {
  return `¥${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
}
