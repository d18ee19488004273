/** Export / import: the emulator's whole data as one download, and a file loaded back in its place. */
import type { ConsoleImport } from '../../api';
import { api, errorText, h, replace } from '../dom';

export function renderTransfer(el: HTMLElement): void {
  const file = h('input', { type: 'file', accept: '.json,application/json', 'data-testid': 'import-file' });
  const status = h('div', { 'data-testid': 'import-status' });
  const load = async () => {
    const chosen = file.files?.[0];
    if (!chosen) return void (status.textContent = 'choose an export file first');
    try {
      const r = await api<ConsoleImport>('POST', '/console/api/import', await chosen.text());
      status.textContent = `imported: ${r.collections} collections, ${r.phoneCodes} phone codes`;
    } catch (err) {
      status.textContent = errorText(err);
    }
  };
  replace(
    el,
    h(
      'div',
      { class: 'card' },
      h('h2', {}, 'Export'),
      h(
        'p',
        {},
        h('a', { href: '/console/api/export', download: '', 'data-testid': 'export' }, 'Download the emulator data'),
        ' — collections, phone codes, quota packs and provider orders, as the emulator saves them (raw phone numbers included: it is your local data).',
      ),
      h(
        'p',
        { class: 'muted' },
        'From the command line: start the emulator with --export-on-exit ./snapshot, and later with --import ./snapshot',
      ),
    ),
    h(
      'div',
      { class: 'card' },
      h('h2', {}, 'Import'),
      h(
        'div',
        { class: 'row' },
        file,
        h('button', { class: 'primary', onclick: () => void load(), 'data-testid': 'import' }, 'Replace the emulator data with this file'),
      ),
      status,
    ),
  );
}
