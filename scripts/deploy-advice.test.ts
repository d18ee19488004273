/** The deploy's note on cloud calls a CLI deploy leaves without permission says what stops, per API. */
import { phoneExchangeAdvice } from './deploy';

const plan = (name: string, openapi: string[]) => ({ name, openapi, variables: {} });

test('without credentials: what stops for each cloud call the function declares', () => {
  const [auth, cron] = phoneExchangeAdvice(
    [plan('auth', ['phonenumber.getPhoneNumber', 'subscribeMessage.send']), plan('cron', ['subscribeMessage.send'])],
    {},
  );
  expect(auth).toContain('so phone login answers "try again" and alert messages to admins are not sent until you upload auth once');
  expect(cron).toContain('so alert messages to admins are not sent until you upload cron once');
  expect(cron).not.toContain('phone login');
});

test('with credentials: what goes over HTTPS instead', () => {
  const [cron] = phoneExchangeAdvice([plan('cron', ['subscribeMessage.send'])], {
    WECHAT_APPID: 'wx5eed1e0c0ffee001',
    WECHAT_APPSECRET: 's',
  });
  expect(cron).toContain("it sends alert messages over WeChat's HTTPS API instead");
});
