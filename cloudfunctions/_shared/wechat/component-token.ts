/**
 * A third-party platform's token chain (开放平台 第三方平台, docs/provider.md "Merchant
 * tokens"), the documented way for a provider to call a merchant's usage API
 * (charge_get_usage_detail: permission set 18, "authorizer_access_token 代商家调用")
 * without holding the merchant's AppSecret:
 *
 * 1. `POST /cgi-bin/component/api_component_token` with the platform's appid, secret and
 *    the latest `component_verify_ticket` (WeChat pushes it to the platform every 10
 *    minutes; it lives 12 h) → `component_access_token` (2 h, cached).
 * 2. `POST /cgi-bin/component/api_authorizer_token?component_access_token=` with the
 *    merchant's `authorizer_refresh_token` (from its authorization) →
 *    `authorizer_access_token` (2 h, cached). WeChat may answer a new refresh token: it
 *    is stored, the old one stays valid for a short while (community: 5 minutes).
 */
import { withToken, type TokenSource } from './access-token';
import { callWechatIdempotent, WechatError } from './http';

export const COMPONENT_TOKEN_PATH = '/cgi-bin/component/api_component_token';
export const AUTHORIZER_TOKEN_PATH = '/cgi-bin/component/api_authorizer_token';

interface ComponentConfig {
  appid: string;
  secret: string;
  /** The latest component_verify_ticket, as stored by whatever receives WeChat's ticket pushes. */
  ticket(): Promise<string | null>;
  timeoutMs?: number;
}

function componentSource(config: ComponentConfig): TokenSource {
  return {
    key: `${COMPONENT_TOKEN_PATH}|${config.appid}`,
    async fetch() {
      const ticket = await config.ticket();
      if (!ticket) throw new WechatError(COMPONENT_TOKEN_PATH, -1, 'no component_verify_ticket stored yet');
      const answer = await callWechatIdempotent<{ component_access_token?: string; expires_in?: number }>({
        path: COMPONENT_TOKEN_PATH,
        body: { component_appid: config.appid, component_appsecret: config.secret, component_verify_ticket: ticket },
        timeoutMs: config.timeoutMs,
      });
      if (!answer.component_access_token) throw new WechatError(COMPONENT_TOKEN_PATH, -1, 'no component_access_token in the answer');
      return { token: answer.component_access_token, expiresIn: answer.expires_in ?? 7200 };
    },
  };
}

interface AuthorizerConfig {
  component: ComponentConfig;
  authorizerAppid: string;
  refreshToken: string;
  /** Keeps the refresh token WeChat answered when it differs from the one sent. */
  saveRefreshToken(token: string): Promise<void>;
}

export function authorizerSource(config: AuthorizerConfig): TokenSource {
  const component = componentSource(config.component);
  return {
    key: `${AUTHORIZER_TOKEN_PATH}|${config.component.appid}|${config.authorizerAppid}`,
    async fetch() {
      const answer = await withToken(component, (componentToken) =>
        callWechatIdempotent<{ authorizer_access_token?: string; expires_in?: number; authorizer_refresh_token?: string }>({
          path: AUTHORIZER_TOKEN_PATH,
          query: { component_access_token: componentToken },
          body: {
            component_appid: config.component.appid,
            authorizer_appid: config.authorizerAppid,
            authorizer_refresh_token: config.refreshToken,
          },
          timeoutMs: config.component.timeoutMs,
        }),
      );
      if (!answer.authorizer_access_token) throw new WechatError(AUTHORIZER_TOKEN_PATH, -1, 'no authorizer_access_token in the answer');
      if (answer.authorizer_refresh_token && answer.authorizer_refresh_token !== config.refreshToken)
        await config.saveRefreshToken(answer.authorizer_refresh_token);
      return { token: answer.authorizer_access_token, expiresIn: answer.expires_in ?? 7200 };
    },
  };
}
