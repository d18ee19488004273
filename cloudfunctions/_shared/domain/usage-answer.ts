/**
 * Whether a usage-API answer says anything. Every account WeChat bills has at least its
 * trial package (docs/wechat.md "Usage APIs"), so an answer with no package at all —
 * e.g. for a spuId WeChat does not know as the account's component — tells nothing: it
 * is "unknown", never "zero left" (reading it as zero would trip the quota breaker or
 * top up a merchant that has plenty). Pure: no SDK.
 */
interface UsageFigures {
  all: number;
  packages: readonly unknown[];
}

/** Why the answer cannot be used as WeChat's figures; null when it can. */
export function usageUnknownReason(usage: UsageFigures, spuId: string): string | null {
  if (usage.packages.length === 0 && usage.all === 0)
    return `WeChat's usage answer for spuId ${spuId} lists no package (not even the trial): unknown, not zero`;
  return null;
}
