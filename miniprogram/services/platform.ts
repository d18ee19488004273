/**
 * What this phone's WeChat can do. The phone components need a minimum base library
 * (WeChat's button doc): the quick button gives a `code` only from 2.21.2 (below that a
 * success carries no code yet is billed), the real-time button exists from 2.24.4.
 */
const MIN_QUICK = '2.21.2';
const MIN_REALTIME = '2.24.4';

/** -1, 0 or 1, comparing "2.21.2"-style versions part by part. */
function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((n) => Number.parseInt(n, 10) || 0);
  const pb = b.split('.').map((n) => Number.parseInt(n, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

/** The running base library ("3.0.1"), or "" when it cannot be read. */
export function baseLibrary(): string {
  try {
    const info = typeof wx.getAppBaseInfo === 'function' ? wx.getAppBaseInfo() : wx.getSystemInfoSync();
    return info.SDKVersion ?? '';
  } catch {
    return '';
  }
}

function canIUse(schema: string): boolean {
  try {
    return typeof wx.canIUse !== 'function' || wx.canIUse(schema);
  } catch {
    return false;
  }
}

export type PaidButton = 'quick' | 'realtime';

/**
 * The paid buttons this phone can show: quick from 2.21.2, real-time from 2.24.4 (and
 * `wx.canIUse` agreeing). Sent with `auth.session`, which offers real-time only when it
 * is listed — so the kind the server books is the kind WeChat bills. An unreadable
 * version counts as new enough: the server and WeChat still guard.
 */
export function phoneButtons(version = baseLibrary()): PaidButton[] {
  const atLeast = (min: string) => version === '' || compareVersions(version, min) >= 0;
  const buttons: PaidButton[] = [];
  if (atLeast(MIN_QUICK) && canIUse('button.open-type.getPhoneNumber')) buttons.push('quick');
  if (atLeast(MIN_REALTIME) && canIUse('button.open-type.getRealtimePhoneNumber')) buttons.push('realtime');
  return buttons;
}

/**
 * The paid button this phone shows for the kind the server offered: that one, else the
 * quick one (a server that did not know this phone's buttons), else none (the free path).
 */
export function paidButtonFor(kind: PaidButton, version = baseLibrary()): PaidButton | null {
  const buttons = phoneButtons(version);
  if (buttons.includes(kind)) return kind;
  return buttons.includes('quick') ? 'quick' : null;
}
