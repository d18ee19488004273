/**
 * Days and months in China time (UTC+8, no daylight saving), as WeChat's console
 * counts usage. Pure functions of an instant; the clock lives elsewhere.
 */
import { CHINA_OFFSET_MS } from '../../../miniprogram/contract';

export const DAY_MS = 24 * 60 * 60 * 1000;

function shifted(at: Date): Date {
  return new Date(at.getTime() + CHINA_OFFSET_MS);
}

/** "YYYY-MM-DD" of the China-time day containing `at`. */
export function chinaDay(at: Date): string {
  return shifted(at).toISOString().slice(0, 10);
}

/** "YYYY-MM-DD HH:mm" in China time: how a merchant reads a moment (CSV, subscribe messages). */
export function chinaMinute(at: Date): string {
  return shifted(at).toISOString().slice(0, 16).replace('T', ' ');
}

/** "YYYY-MM" of the China-time month containing `at`. */
export function chinaMonth(at: Date): string {
  return shifted(at).toISOString().slice(0, 7);
}

/** The instant a China-time day ("YYYY-MM-DD") starts. */
export function chinaDayStart(day: string): Date {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) - CHINA_OFFSET_MS);
}

/** The `count` China-time days ending with the day of `at`, oldest first. */
export function lastChinaDays(at: Date, count: number): string[] {
  const start = chinaDayStart(chinaDay(at)).getTime();
  const days: string[] = [];
  for (let i = count - 1; i >= 0; i--) days.push(chinaDay(new Date(start - i * DAY_MS)));
  return days;
}

/** The instant the China day after `day` starts. */
export function nextDayStart(day: string): Date {
  return new Date(chinaDayStart(day).getTime() + DAY_MS);
}

/** `count` China days starting with the day of `at`, in order. */
export function daysFrom(at: Date, count: number): string[] {
  const start = chinaDayStart(chinaDay(at)).getTime();
  return Array.from({ length: count }, (_, i) => chinaDay(new Date(start + i * DAY_MS)));
}

/** Whole days from China day `from` to China day `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((chinaDayStart(to).getTime() - chinaDayStart(from).getTime()) / DAY_MS);
}
