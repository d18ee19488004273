/**
 * One structured log line per event, as CloudBase's log search expects plain lines.
 * Callers pass only safe fields: masked numbers, codes, durations — never a raw
 * phone number, a phone code or a secret.
 */
export type LogLevel = 'info' | 'warn' | 'error';

export function logEvent(level: LogLevel, fields: Record<string, unknown>): void {
  if (process.env.QUICKPHONE_LOG === 'off') return;
  const line = JSON.stringify({ level, ...fields });
  if (level === 'error') console.error(line);
  else console.log(line);
}
