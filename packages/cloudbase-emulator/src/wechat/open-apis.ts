/**
 * The WeChat open APIs a cloud function can reach through `cloud.openapi`, as the
 * emulator answers them. Only what the product calls is here; any other API is
 * refused by the gateway as WeChat refuses an unknown one.
 */
import type { OpenApiHandler } from '../gateway/gateway';
import type { PhoneSandbox } from './phone-sandbox';
import type { SubscribeMessages } from './subscribe-messages';

export function wechatOpenApis(sandbox: PhoneSandbox, messages: SubscribeMessages, changed: () => void): Record<string, OpenApiHandler> {
  return {
    'phonenumber.getPhoneNumber': (data, caller) => {
      const answer = sandbox.exchange({ code: data.code, openid: data.openid }, caller.appid);
      changed();
      return answer;
    },
    'subscribeMessage.send': (data) => messages.send(data),
  };
}
