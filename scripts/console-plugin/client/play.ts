/**
 * Play a user: the phone button tapped, denied or failing for one OPENID, as the mini
 * program would do it (POST /console/api/play), each step's answer, and the bill beside
 * it, redrawn as the ledger moves.
 */
import type { Envelope } from '../../../miniprogram/contract';
import type { ConsolePlay } from '../api';
import { api, errorText, h, pill, replace } from '../../../packages/cloudbase-emulator/src/console/client/dom';
import { watchInvocations } from '../../../packages/cloudbase-emulator/src/console/client/shell';
import { changesNothing, renderBillingStrip } from './billing';

export async function renderPlay(el: HTMLElement): Promise<void> {
  const openid = h('input', { 'data-testid': 'play-openid', value: localStorage.getItem('console.player') ?? 'o_player_1' });
  const kind = h(
    'select',
    { 'data-testid': 'play-kind' },
    h('option', { value: 'quick' }, 'quick'),
    h('option', { value: 'realtime' }, 'realtime'),
  );
  const out = h('div', { 'data-testid': 'play-result' });
  const strip = h('div', { 'data-testid': 'play-billing' });
  const act = async (action: string) => {
    localStorage.setItem('console.player', openid.value);
    replace(out, h('span', { class: 'muted' }, '…'));
    try {
      const r = await api<ConsolePlay>('POST', '/console/api/play', { openid: openid.value.trim(), action, kind: kind.value });
      replace(
        out,
        r.steps.map((s) => {
          const envelope = s.result as Envelope<{ phoneMasked?: string }> | null | undefined;
          const failed = envelope && !envelope.ok ? envelope.error : null;
          const bound = envelope?.ok ? envelope.data.phoneMasked : undefined;
          const verdict = s.step.startsWith('auth.')
            ? s.ok === false
              ? pill(`FUNCTION_FAILED ${s.error ?? ''}`, 'bad')
              : envelope?.ok
                ? pill('OK', 'ok')
                : pill(failed?.code ?? '?', 'bad')
            : null;
          return h(
            'div',
            { class: 'row', 'data-testid': 'play-step' },
            h('strong', {}, s.step),
            verdict,
            s.phone ? h('span', { class: 'muted' }, `phone ${s.phone}`) : null,
            bound ? h('span', {}, `bound ${bound}`) : null,
            failed?.message ? h('span', { class: 'muted' }, failed.message) : null,
          );
        }),
      );
    } catch (err) {
      replace(out, h('div', { class: 'error' }, errorText(err)));
    }
    await renderBillingStrip(strip);
  };
  replace(
    el,
    h(
      'div',
      { class: 'card' },
      h('h2', {}, 'Play a user'),
      h('div', { class: 'row' }, h('label', {}, 'OPENID'), openid),
      h(
        'div',
        { class: 'row' },
        h('button', { class: 'primary', onclick: () => void act('tap'), 'data-testid': 'play-tap' }, 'Tap the phone button and approve'),
        h('button', { onclick: () => void act('deny'), 'data-testid': 'play-deny' }, 'Deny'),
        h('button', { onclick: () => void act('no-quota'), 'data-testid': 'play-no-quota' }, 'Button fails: no quota (1400001)'),
      ),
      h(
        'div',
        { class: 'muted' },
        'A tap opens the app first (auth.session) and does what the mini program would: a hidden button (capture off, a breaker, already bound) is not tapped, and a shown one is the component the session names. The tap mints a code (WeChat charges here, as the success callback fires) and sends it to auth.bindPhone; without quota left the button fails with errno 1400001 and the client reports it. Deny is reported too, and costs nothing.',
      ),
      h(
        'div',
        { class: 'row' },
        h(
          'button',
          { class: 'danger', onclick: () => void act('attacker-tap'), 'data-testid': 'play-attacker-tap' },
          'Tap anyway, as an attacker would',
        ),
        h('label', {}, 'claiming component'),
        kind,
        h(
          'span',
          { class: 'muted' },
          'A modified client can show a hidden button: WeChat bills that code, and what the server then does is the test.',
        ),
      ),
      out,
    ),
    h('div', { class: 'card' }, h('h2', {}, 'The bill, as it moves ', h('a', { href: '#billing' }, 'full billing view ›')), strip),
  );
  await renderBillingStrip(strip);
  watchInvocations(strip, () => renderBillingStrip(strip), changesNothing);
}
