/**
 * Data: every collection with its count, a page of one collection (columns are every
 * field any of its documents has), and a JSON editor that saves, creates and deletes
 * documents (masked values left as they are keep what is stored), plus "Reset all data".
 */
import type { ConsoleCollections, ConsolePage } from '../../api';
import { api, errorText, h, json, replace, table, when } from '../dom';

const PAGE = 20;

export async function renderData(el: HTMLElement, collection = '', offset = 0, message = ''): Promise<void> {
  const { collections } = await api<ConsoleCollections>('GET', '/console/api/db');
  const name = collection || collections[0]?.name || '';
  const editor = h('textarea', { rows: 18, 'data-testid': 'doc-json', spellcheck: 'false' });
  const idInput = h('input', { placeholder: '_id', 'data-testid': 'doc-id' });
  const status = h('span', { class: 'muted', 'data-testid': 'doc-status' }, message);
  const save = async () => {
    try {
      const doc = JSON.parse(editor.value);
      const id = idInput.value.trim() || (typeof doc._id === 'string' ? doc._id : '');
      if (!id) throw new Error('give the document an _id');
      await api('PUT', `/console/api/db/${encodeURIComponent(name)}/${encodeURIComponent(id)}`, { ...doc, _id: id });
      await renderData(el, name, offset, `saved ${id}`);
    } catch (err) {
      status.textContent = errorText(err);
    }
  };
  const remove = async () => {
    const id = idInput.value.trim();
    if (!id) return void (status.textContent = 'pick a document first');
    if (!confirm(`Delete ${id} from ${name}?`)) return;
    try {
      await api('DELETE', `/console/api/db/${encodeURIComponent(name)}/${encodeURIComponent(id)}`);
      await renderData(el, name, offset, `deleted ${id}`);
    } catch (err) {
      status.textContent = errorText(err);
    }
  };
  const resetAll = async () => {
    if (!confirm('Empty every collection, WeChat charges and packs, faults and stats (POST /v1/reset)?')) return;
    try {
      await api('POST', '/v1/reset', {});
      await renderData(el, name, 0, 'everything reset');
    } catch (err) {
      status.textContent = errorText(err);
    }
  };
  const list = h('div', {});
  const side = table(
    ['collection', ['docs', 'num']],
    collections.map((c) =>
      h(
        'tr',
        {
          class: `clickable ${c.name === name ? 'selected' : ''}`,
          onclick: () => (location.hash = `#data/${c.name}`),
          'data-testid': `collection-${c.name}`,
        },
        h('td', {}, c.name),
        h('td', { class: 'num' }, c.count),
      ),
    ),
  );
  replace(
    el,
    h(
      'div',
      { class: 'cols3' },
      h(
        'div',
        { class: 'card' },
        side,
        h(
          'div',
          { class: 'row' },
          h('button', { class: 'danger', onclick: () => void resetAll(), 'data-testid': 'reset-all' }, 'Reset all data'),
        ),
      ),
      h(
        'div',
        {},
        h('div', { class: 'card' }, list),
        h(
          'div',
          { class: 'card' },
          h(
            'div',
            { class: 'row' },
            h('strong', {}, `Document in ${name}`),
            idInput,
            h('button', { class: 'primary', onclick: () => void save(), 'data-testid': 'doc-save' }, 'Save'),
            h(
              'button',
              {
                onclick: () => ((idInput.value = ''), (editor.value = '{\n  \n}'), (status.textContent = 'new document')),
                'data-testid': 'doc-new',
              },
              'New document',
            ),
            h('button', { class: 'danger', onclick: () => void remove(), 'data-testid': 'doc-delete' }, 'Delete'),
            status,
          ),
          editor,
          h(
            'div',
            { class: 'muted' },
            'Saved as PUT /v1/db/… does: the whole document is replaced. Dates as {"$date": "…"}. Masked numbers left as they are keep the stored value.',
          ),
        ),
      ),
    ),
  );
  if (!name) return;
  const page = await api<ConsolePage>('GET', `/console/api/db/${encodeURIComponent(name)}?offset=${offset}&limit=${PAGE}`);
  const keys = page.fields.filter((k) => k !== '_id');
  const cell = (v: unknown) => {
    const s = v && typeof v === 'object' && '$date' in (v as object) ? when(v) : typeof v === 'string' ? v : JSON.stringify(v);
    return s === undefined ? '' : s.length > 60 ? `${s.slice(0, 60)}…` : s;
  };
  replace(
    list,
    h(
      'div',
      { class: 'row' },
      h('strong', {}, name),
      h(
        'span',
        { class: 'muted', 'data-testid': 'page-info' },
        page.total ? `${offset + 1}–${offset + page.docs.length} of ${page.total}` : 'empty',
      ),
      h(
        'button',
        { disabled: offset === 0, onclick: () => void renderData(el, name, Math.max(0, offset - PAGE)), 'data-testid': 'page-prev' },
        '‹ Previous',
      ),
      h(
        'button',
        { disabled: offset + PAGE >= page.total, onclick: () => void renderData(el, name, offset + PAGE), 'data-testid': 'page-next' },
        'Next ›',
      ),
    ),
    table(
      ['_id', ...keys],
      page.docs.map((d) =>
        h(
          'tr',
          {
            class: 'clickable',
            onclick: () => {
              idInput.value = String(d._id);
              editor.value = json(d);
              status.textContent = '';
            },
          },
          h('td', {}, cell(d._id)),
          keys.map((k) => h('td', {}, cell(d[k]))),
        ),
      ),
      { 'data-testid': 'docs' },
    ),
  );
}
