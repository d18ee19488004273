/**
 * Phone numbers outside `users` appear only masked. A masked number keeps enough to
 * recognise one's own number and never more than half of its digits: mainland numbers
 * (11 digits) keep the first 3 and last 4, as WeChat's own sheet shows them.
 */

/** "13812348000" → "138****8000"; "91234567" → "****4567". */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/[\s-]+/g, '');
  if (digits.length >= 11) return `${digits.slice(0, 3)}${'*'.repeat(digits.length - 7)}${digits.slice(-4)}`;
  const keep = Math.min(4, Math.floor(digits.length / 2));
  return `${'*'.repeat(digits.length - keep)}${keep > 0 ? digits.slice(-keep) : ''}`;
}
