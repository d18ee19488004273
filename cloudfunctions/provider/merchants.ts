/**
 * `provider.merchants.usage { appid, kind? }`: a merchant's quota as WeChat's usage API
 * reports it to that merchant. The API answers for the appid of the token it is given,
 * so the provider needs a token of the merchant's: from PROVIDER_MERCHANT_SECRETS (the
 * merchant's AppSecret) or PROVIDER_MERCHANT_TOKEN_URL (your own token service, e.g.
 * authorizer tokens of a third-party platform). Without either: UPSTREAM_UNAVAILABLE
 * saying what to configure.
 */
import * as v from 'valibot';
import { AppError } from '../_shared/runtime/errors';
import { route } from '../_shared/runtime/router';
import { wechatSpuId } from '../_shared/runtime/config';
import { WECHAT_SOURCE_PROVIDER, WECHAT_SOURCE_TRIAL } from '../_shared/domain/reconcile';
import { merchantUsage } from '../_shared/wechat/service-provider';
import { appid } from './inputs';
import { askWechat } from './wechat-errors';

const sourceName = (n: number) => (n === WECHAT_SOURCE_TRIAL ? 'trial' : n === WECHAT_SOURCE_PROVIDER ? 'provider' : 'self');
const atSeconds = (s: number) => (s > 0 ? new Date(s * 1000) : null);

const usageInput = v.object({
  appid: appid('appid'),
  kind: v.optional(v.picklist(['quick', 'realtime'], 'kind must be "quick" or "realtime"'), 'quick'),
});

export const merchantUsageRoute = route(usageInput, async ({ appid, kind }) => {
  const usage = await askWechat('merchant-usage', () => merchantUsage(appid, wechatSpuId(kind)));
  if (!usage) {
    throw new AppError(
      'UPSTREAM_UNAVAILABLE',
      `No way to get a token for ${appid}: WeChat's usage API answers only with the merchant's own token. Set PROVIDER_MERCHANT_SECRETS ({"${appid}": "<its AppSecret>"}) or PROVIDER_MERCHANT_TOKEN_URL (a service of yours answering ?appid= with { access_token }); see docs/provider.md.`,
    );
  }
  return {
    appid,
    kind,
    all: usage.all,
    used: usage.effectiveUse,
    remaining: Math.max(0, usage.all - usage.effectiveUse),
    packs: usage.packages.map((p) => ({
      pkgId: p.pkgId,
      source: sourceName(p.source),
      wechatSource: p.source,
      status: p.status,
      calls: p.all,
      used: p.used,
      startsAt: atSeconds(p.startTime),
      expiresAt: atSeconds(p.endTime),
    })),
  };
});
