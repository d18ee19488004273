/**
 * What a merchant reads about cron's correction (cron/corrections.ts): why our counted
 * calls and WeChat's figure differ this month, in words. Pure.
 */
interface CorrectionEvidence {
  count: number;
  wechatUsed: number;
  localCounted: number;
  unknownRecords: number;
}

export function explainCorrection(c: CorrectionEvidence): string {
  const figures = `微信计 ${c.wechatUsed} 次，本地已计 ${c.localCounted} 次`;
  if (c.count === 0) return `${figures}，本月无需校正`;
  const unknown = c.unknownRecords ? `；其中 ${c.unknownRecords} 次调用结果未知（微信可能已兑换），重新提交同一授权码即可结算` : '';
  return c.count > 0
    ? `${figures}：本月按微信计数补记 ${c.count} 次（已计费但本地无已计记录${unknown}）`
    : `${figures}：本月按微信计数减记 ${-c.count} 次（本地计入但微信未计费${unknown}）`;
}
