/**
 * The console's view of WeChat's subscribe messages: every message the functions sent
 * (`GET /console/api/messages`, masked as every console answer: a project's message may
 * carry a number), newest first, with its data as the receiver's WeChat would show it.
 */
import type { ConsoleMessages } from '../../api';
import { api, h, replace, table, when } from '../dom';

export async function renderMessages(el: HTMLElement): Promise<void> {
  const { messages } = await api<ConsoleMessages>('GET', '/console/api/messages');
  replace(
    el,
    h(
      'div',
      { class: 'card' },
      h('h2', {}, `Subscribe messages sent (${messages.length})`),
      h(
        'p',
        { class: 'muted' },
        'Messages the functions sent with subscribeMessage.send (cloud call or HTTPS). Each acceptance allows one message: play one with POST /v1/wechat/subscriptions { openid, templateIds }. Fail them on cue with the fault targets openapi:subscribeMessage.send or wechat:/cgi-bin/message/subscribe/send (43101, 47003).',
      ),
      table(
        ['when', 'to', 'template', 'page', 'data'],
        [...messages].reverse().map((m) =>
          h(
            'tr',
            {},
            h('td', {}, when(m.at)),
            h('td', {}, m.touser),
            h('td', {}, m.templateId),
            h('td', {}, m.page ?? '—'),
            h(
              'td',
              {},
              Object.entries(m.data).map(([k, v]) => h('div', {}, `${k}: ${v.value}`)),
            ),
          ),
        ),
        { 'data-testid': 'subscribe-messages' },
      ),
    ),
  );
}
