import { h } from '../dom.js';
import { t } from '../i18n.js';
import { errorLook, icon } from '../icons.js';
import { errorText } from '../words.js';

/**
 * @typedef {import('../types').App} App
 * @typedef {import('../words.js').ErrorLike} ErrorLike
 */

/**
 * The frame every screen after the start shares: a back button, a title, the content.
 * @param {{ title: string, subtitle?: string, back?: () => void, backLabel?: string, body: Node | Node[], cls?: string }} o
 */
export function frame({ title, subtitle, back, backLabel = t('back'), body, cls = '' }) {
  return h(
    'section',
    { class: `panel ${cls}`.trim() },
    h(
      'div',
      { class: 'panel-head' },
      back
        ? h(
            'button',
            { type: 'button', class: 'btn btn-back', onclick: back, 'data-testid': 'back' },
            icon('back'),
            backLabel,
          )
        : null,
      h(
        'div',
        { class: 'panel-titles' },
        h('h1', {}, title),
        subtitle ? h('p', { class: 'subtitle' }, subtitle) : null,
      ),
    ),
    body,
  );
}

/**
 * Who to call, on every error: the hotline and the cabinet's id (from the config).
 * @param {App} app
 */
export function helpLine(app) {
  const c = app.cabinet;
  if (!c) return null;
  return h(
    'p',
    { class: 'help-line', 'data-testid': 'help-line' },
    icon('tool'),
    c.hotline
      ? t('help.line', { hotline: c.hotline, cabinet: c.cabinetId })
      : t('help.noHotline', { cabinet: c.cabinetId }),
  );
}

/**
 * Where an API error is shown: its code worded from the message file (with the details it carries),
 * the help line under it. role=alert so a screen reader says it at once.
 * @param {App} app
 * @param {string} [kind]
 */
export function errorBanner(app, kind) {
  const el = h('div', { class: 'alert', role: 'alert', 'data-testid': 'error', hidden: true });
  return {
    el,
    /** @param {ErrorLike} err */
    show(err) {
      const look = errorLook(err.code);
      el.className = `alert alert-${look.tone}`;
      el.dataset.code = err.code ?? '';
      el.replaceChildren(
        icon(look.icon),
        h(
          'div',
          { class: 'alert-body' },
          h('span', { class: 'alert-text', 'data-testid': 'error-text' }, errorText(err, kind)),
          helpLine(app),
        ),
      );
      el.hidden = false;
    },
    clear() {
      el.hidden = true;
      el.replaceChildren();
    },
  };
}

/**
 * Instructions and the typed value on one side, the keypad and the submit button on the other.
 * @param {import('../keypad.js').Entry} entry
 * @param {{ prompt: string, extra?: Node | null, alert?: { el: HTMLElement } }} o
 */
export function entryLayout(entry, { prompt, extra, alert }) {
  return h(
    'div',
    { class: `entry-layout entry-${entry.layout}` },
    h(
      'div',
      { class: 'entry-side' },
      h('p', { class: 'entry-prompt', 'aria-hidden': 'true' }, prompt),
      entry.display,
      alert?.el,
      extra,
    ),
    h('div', { class: 'entry-keys' }, entry.pad, entry.submit),
  );
}

/**
 * A busy state on a button while the cabinet works (opening a box takes up to a few seconds).
 * @template T
 * @param {HTMLButtonElement} button
 * @param {string} label
 * @param {() => Promise<T>} work
 * @returns {Promise<T>}
 */
export async function busy(button, label, work) {
  const before = button.textContent;
  button.disabled = true;
  button.classList.add('is-busy');
  button.textContent = label;
  try {
    return await work();
  } finally {
    button.classList.remove('is-busy');
    button.textContent = before;
    button.disabled = false;
  }
}
