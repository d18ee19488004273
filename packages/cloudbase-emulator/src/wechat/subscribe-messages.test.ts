import { SubscribeMessages } from './subscribe-messages';

/** One credit for the template, then a send with one keyword of the given name and value. */
function sendOne(keyword: string, value: string): unknown {
  const wechat = new SubscribeMessages(
    () => Date.UTC(2026, 11, 7),
    () => undefined,
  );
  wechat.accept('o_user', ['tmpl']);
  return wechat.send({ touser: 'o_user', template_id: 'tmpl', data: { [keyword]: { value } } }).errcode;
}

describe("keyword types as WeChat's 参数值内容限制 table words them", () => {
  test.each([
    ['phone_number1', '+86-0766-66888866'],
    ['phone_number2', '138****8000'],
    ['car_number1', '粤A8Z888挂'],
    ['car_number1', 'A12345'],
    ['thing1', '快速验证组件剩余不足'],
  ])('%s "%s" is sent', (keyword, value) => {
    expect(sendOne(keyword, value)).toBe(0);
  });

  test.each([
    ['phone_number1', '+86-0766-668888661234'], // more than 17
    ['phone_number1', '电话13800138000'], // not digits and symbols
    ['car_number1', '粤A8Z888挂9'], // more than 8
    ['car_number1', 'A汉12345'], // a Chinese character in the middle
    ['thing1', '快速验证组件剩余不足快速验证组件剩余不足多'], // more than 20
    ['unknowntype1', 'x'], // no such type
  ])('%s "%s" is 47003', (keyword, value) => {
    expect(sendOne(keyword, value)).toBe(47003);
  });
});
