/**
 * A third-party platform's token chain, as the open platform documents it
 * (doc/oplatform/Third-party_Platforms/2.0/api/ThirdParty/token/…), so a provider can read
 * a merchant's usage API with an authorizer_access_token (permission set 18):
 *
 * - `POST /cgi-bin/component/api_component_token` `{ component_appid, component_appsecret,
 *   component_verify_ticket }` → `{ component_access_token, expires_in }`. The ticket WeChat
 *   would push every 10 minutes is fixed here: `CLOUDBASE_EMULATOR_COMPONENT_VERIFY_TICKET`
 *   (default `DEFAULT_COMPONENT_VERIFY_TICKET`); another one answers 61006 (assumed code).
 * - `POST /cgi-bin/component/api_authorizer_token?component_access_token=`
 *   `{ component_appid, authorizer_appid, authorizer_refresh_token }` →
 *   `{ authorizer_access_token, expires_in, authorizer_refresh_token }`. Each authorizer's
 *   refresh token is `authorizerRefreshTokenFor(appid)`; another one answers 61023
 *   (assumed code). The authorizer token is the merchant's: the usage API answers for it.
 */
import type { AccessTokens } from './access-tokens';
import { APPID_PATTERN, type WechatHandler } from './http-apis';

export const DEFAULT_COMPONENT_VERIFY_TICKET = 'ticket@@@cloudbase-emulator';
export const authorizerRefreshTokenFor = (appid: string) => `refreshtoken@@@${appid}`;

const text = (v: unknown) => (typeof v === 'string' ? v : '');

export function componentApis(deps: { tokens: AccessTokens; ticket(): string }): Record<string, WechatHandler> {
  return {
    'POST /cgi-bin/component/api_component_token': ({ body }) => {
      const appid = text(body.component_appid);
      if (!APPID_PATTERN.test(appid)) return { errcode: 40013, errmsg: 'invalid appid' };
      if (!text(body.component_appsecret)) return { errcode: 40125, errmsg: 'invalid appsecret' };
      if (text(body.component_verify_ticket) !== deps.ticket()) return { errcode: 61006, errmsg: 'component ticket is invalid' };
      const { access_token, expires_in } = deps.tokens.issue(appid);
      return { component_access_token: access_token, expires_in };
    },
    'POST /cgi-bin/component/api_authorizer_token': ({ query, body }) => {
      const caller = deps.tokens.check(query.get('component_access_token'));
      if ('errcode' in caller) return caller;
      if (caller.appid !== text(body.component_appid)) return { errcode: 40001, errmsg: 'invalid credential' };
      const authorizer = text(body.authorizer_appid);
      if (!APPID_PATTERN.test(authorizer)) return { errcode: 40013, errmsg: 'invalid appid' };
      if (text(body.authorizer_refresh_token) !== authorizerRefreshTokenFor(authorizer))
        return { errcode: 61023, errmsg: 'refresh_token is invalid' };
      const { access_token, expires_in } = deps.tokens.issue(authorizer);
      return { authorizer_access_token: access_token, expires_in, authorizer_refresh_token: authorizerRefreshTokenFor(authorizer) };
    },
  };
}
