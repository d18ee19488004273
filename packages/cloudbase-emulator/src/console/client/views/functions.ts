/**
 * Functions: invoke one as a client would (a `$url` route, data, as an OPENID or none)
 * and read its answer, above the live log of every invocation and the functions' output.
 */
import type { ConsoleCall, ConsoleOverview } from '../../api';
import { api, errorText, h, json, replace } from '../dom';
import { logRows } from '../live-log';

export async function renderFunctions(el: HTMLElement): Promise<void> {
  const o = await api<ConsoleOverview>('GET', '/console/api/overview');
  const chosen = localStorage.getItem('console.fn') ?? o.functions[0]?.name;
  const fn = h(
    'select',
    { 'data-testid': 'invoke-fn' },
    o.functions.map((f) => h('option', { value: f.name, selected: f.name === chosen }, f.name)),
  );
  const route = h('input', {
    placeholder: '$url (empty: none)',
    'data-testid': 'invoke-route',
    value: localStorage.getItem('console.route') ?? '',
  });
  const openid = h('input', {
    placeholder: 'OPENID (empty: none)',
    'data-testid': 'invoke-openid',
    value: localStorage.getItem('console.openid') ?? 'o_console_user',
  });
  const data = h('textarea', { rows: 6, 'data-testid': 'invoke-data', spellcheck: 'false' });
  data.value = '{}';
  const out = h('pre', { 'data-testid': 'invoke-result' });
  const run = async () => {
    localStorage.setItem('console.fn', fn.value);
    localStorage.setItem('console.route', route.value);
    localStorage.setItem('console.openid', openid.value);
    out.textContent = '…';
    try {
      const r = await api<ConsoleCall>('POST', '/console/api/invoke', {
        fn: fn.value,
        route: route.value.trim(),
        openid: openid.value.trim(),
        data: JSON.parse(data.value || '{}'),
      });
      out.textContent = `${r.durationMs} ms\n${json(r.ok ? r.result : { error: r.error })}`;
    } catch (err) {
      out.textContent = errorText(err);
    }
  };
  replace(
    el,
    h(
      'div',
      { class: 'card' },
      h('h2', {}, 'Invoke'),
      h(
        'div',
        { class: 'row' },
        h('label', {}, 'function'),
        fn,
        h('label', {}, 'route'),
        route,
        h('label', {}, 'OPENID'),
        openid,
        h('button', { class: 'primary', onclick: () => void run(), 'data-testid': 'invoke' }, 'Invoke'),
      ),
      h('label', {}, 'data (JSON)'),
      data,
      out,
    ),
    h(
      'div',
      { class: 'card' },
      h('h2', {}, 'Live log'),
      h(
        'div',
        { class: 'log' },
        h(
          'table',
          { 'data-testid': 'live-log' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['time', 'function', 'route', 'caller', 'duration', 'code'].map((c) => h('th', {}, c)),
            ),
          ),
          logRows(),
        ),
      ),
    ),
  );
}
