/**
 * Phone numbers outside `users` appear only masked, enough to recognise one's own
 * number. Numbers of 11 digits or more keep the first 3 and last 4 (the convention
 * WeChat's own sheet uses for mainland numbers, 138****8000); shorter ones keep at
 * most the last 4 and never more than half.
 */

/** "13812348000" → "138****8000"; "91234567" → "****4567". */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/[\s-]+/g, '');
  if (digits.length >= 11) return `${digits.slice(0, 3)}${'*'.repeat(digits.length - 7)}${digits.slice(-4)}`;
  const keep = Math.min(4, Math.floor(digits.length / 2));
  return `${'*'.repeat(digits.length - keep)}${keep > 0 ? digits.slice(-keep) : ''}`;
}

/** Masks any run of 7 or more digits in free text (client error messages, notes). */
export function scrubDigits(text: string): string {
  return text.replace(/\+?\d[\d\s-]{5,}\d/g, (run) => (run.replace(/\D/g, '').length >= 7 ? maskPhone(run.replace(/[\s-]/g, '')) : run));
}
