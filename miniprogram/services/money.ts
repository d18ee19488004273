/** Prices on screen: integer fen in, "¥12.00" out. No float arithmetic on money. */
export function yuanText(fen: number): string {
  return `¥${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
}

/**
 * What a merchant typed as an amount ("12", "12.5", "12.50") in integer fen, or null
 * when it is not an amount with at most two decimals. Digits are read as text, so
 * "0.29" is 29 fen, never 28.999….
 */
export function parseYuanToFen(text: string): number | null {
  const match = /^(\d{1,9})(?:\.(\d{1,2}))?$/.exec(text.trim());
  if (!match) return null;
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}
