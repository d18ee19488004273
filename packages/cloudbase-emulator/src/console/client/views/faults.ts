/**
 * Faults: make the next calls to a WeChat API, a database action or a provider step fail
 * or wait (POST /v1/faults), and see those still waiting.
 */
import type { ConsoleFaults } from '../../api';
import { api, errorText, h, replace, table } from '../dom';

/** Suggestions for the target field: one per kind the emulator knows (any other target may be typed). */
const FAULT_TARGETS = [
  'openapi:phonenumber.getPhoneNumber',
  'db:insertDocument',
  'db:modifyDocument',
  'db:getDocument',
  'wechat:/cgi-bin/stable_token',
  'wechat:/wxa/charge/usage/get',
  'openapi:subscribeMessage.send',
  'wechat:/cgi-bin/message/subscribe/send',
  'provider:assign',
  'provider:cancel',
];

export async function renderFaults(el: HTMLElement): Promise<void> {
  const { faults } = await api<ConsoleFaults>('GET', '/console/api/faults');
  const target = h('input', {
    list: 'fault-targets',
    placeholder: 'target',
    size: 36,
    'data-testid': 'fault-target',
    value: 'openapi:phonenumber.getPhoneNumber',
  });
  const errcode = h('input', { type: 'number', placeholder: 'errcode', 'data-testid': 'fault-errcode', value: '-1', style: 'width:90px' });
  const delay = h('input', { type: 'number', placeholder: 'delayMs', 'data-testid': 'fault-delay', style: 'width:90px' });
  const times = h('input', { type: 'number', placeholder: 'times', value: '1', min: 1, 'data-testid': 'fault-times', style: 'width:70px' });
  const status = h('span', { class: 'muted', 'data-testid': 'fault-status' });
  const num = (i: HTMLInputElement) => (i.value.trim() === '' ? undefined : Number(i.value));
  const add = async () => {
    try {
      await api('POST', '/v1/faults', { target: target.value.trim(), errcode: num(errcode), delayMs: num(delay), times: num(times) });
      await renderFaults(el);
    } catch (err) {
      status.textContent = errorText(err);
    }
  };
  const clear = async () => {
    await api('DELETE', '/v1/faults');
    await renderFaults(el);
  };
  replace(
    el,
    h(
      'div',
      { class: 'card' },
      h('h2', {}, 'Add a fault'),
      h(
        'div',
        { class: 'row' },
        target,
        h(
          'datalist',
          { id: 'fault-targets' },
          FAULT_TARGETS.map((t) => h('option', { value: t })),
        ),
        errcode,
        delay,
        times,
        h('button', { class: 'primary', onclick: () => void add(), 'data-testid': 'fault-add' }, 'Add'),
        status,
      ),
      h(
        'div',
        { class: 'muted' },
        'Targets as POST /v1/faults: openapi:<api>, db:<action>[:<collection>], wechat:<path>, provider:assign|cancel|push. The next `times` matching calls fail with errcode and/or wait delayMs.',
      ),
    ),
    h(
      'div',
      { class: 'card' },
      h(
        'div',
        { class: 'row' },
        h('h2', {}, `Waiting faults (${faults.length})`),
        h('button', { onclick: () => void clear(), 'data-testid': 'fault-clear' }, 'Clear all'),
      ),
      table(
        ['target', ['errcode', 'num'], ['delayMs', 'num'], ['calls left', 'num']],
        faults.map((f) =>
          h(
            'tr',
            {},
            h('td', {}, f.target),
            h('td', { class: 'num' }, f.errcode ?? '—'),
            h('td', { class: 'num' }, f.delayMs),
            h('td', { class: 'num' }, f.remaining),
          ),
        ),
        { 'data-testid': 'faults' },
      ),
    ),
  );
}
