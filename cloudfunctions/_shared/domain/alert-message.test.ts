import { parseTemplateFields, templateData, type AlertNotice } from './alert-message';

const notice: AlertNotice = {
  id: 'breaker:2026-12-07T02:05:00.000Z',
  title: '手机号登录已暂停：本月费用已达到预算上限，请处理',
  status: '已暂停',
  detail: 'this month cost 10.00 reached the budget of 10',
  at: new Date('2026-12-07T02:05:00Z'),
};

test('values fit their keyword types: thing ≤ 20, phrase ≤ 5 Chinese characters, time in China time', () => {
  const data = templateData(notice, parseTemplateFields('thing1=title, phrase2=status, time3=time, character_string4=detail'));
  expect(Array.from(data.thing1!.value)).toHaveLength(20);
  expect(data.thing1!.value.endsWith('…')).toBe(true);
  expect(data.phrase2).toEqual({ value: '已暂停' });
  expect(data.time3).toEqual({ value: '2026年12月7日 10:05' });
  expect(data.character_string4!.value).toBe('thismonthcost10.00reachedthebud…');
  expect(data.character_string4!.value.length).toBeLessThanOrEqual(32);
});

test('a malformed ALERT_TEMPLATE_FIELDS fails loudly, naming the pair', () => {
  expect(() => parseTemplateFields('thing1=title,banana=detail')).toThrow('"banana=detail"');
  expect(() => parseTemplateFields('thing1=price')).toThrow('"thing1=price"');
  expect(() => parseTemplateFields(' , ')).toThrow('empty');
});
