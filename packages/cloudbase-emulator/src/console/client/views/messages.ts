/**
 * The console's view of WeChat's subscribe messages: every message the functions sent
 * (`GET /v1/wechat/subscribe-messages`), newest first, with its data as the admin's
 * WeChat would show it. Alerts carry no phone number; nothing here needs masking.
 */
import { api, h, replace, table, when } from '../dom';

/** As GET /v1/wechat/subscribe-messages answers it (emulator/wechat/subscribe-messages.ts). */
interface SentMessage {
  touser: string;
  templateId: string;
  page: string | null;
  data: Record<string, { value: string }>;
  at: string;
}

export async function renderMessages(el: HTMLElement): Promise<void> {
  const { messages } = await api<{ messages: SentMessage[] }>('GET', '/v1/wechat/subscribe-messages');
  replace(
    el,
    h(
      'div',
      { class: 'card' },
      h('h2', {}, `Subscribe messages sent (${messages.length})`),
      h(
        'p',
        { class: 'muted' },
        'Alerts sent with subscribeMessage.send (cloud call or HTTPS). An admin gets one per acceptance: play one with POST /v1/wechat/subscriptions { openid, templateIds }. Fail them on cue with the fault targets openapi:subscribeMessage.send or wechat:/cgi-bin/message/subscribe/send (43101, 47003).',
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
