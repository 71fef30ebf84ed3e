import { h } from '../dom.js';
import { errorLook, icon } from '../icons.js';

/** The frame every screen after the start shares: a back button, a title, the content. */
export function frame({ title, subtitle, back, backLabel = 'Back', body, cls = '' }) {
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
 * Where an API error is shown: its `message` exactly as the daemon wrote it; the code only picks the
 * icon and colour. role=alert so a screen reader says it at once.
 */
export function errorBanner() {
  const el = h('div', { class: 'alert', role: 'alert', 'data-testid': 'error', hidden: true });
  return {
    el,
    show(err) {
      const look = errorLook(err.code);
      el.className = `alert alert-${look.tone}`;
      el.dataset.code = err.code ?? '';
      el.replaceChildren(icon(look.icon), h('span', { class: 'alert-text' }, err.message));
      el.hidden = false;
    },
    clear() {
      el.hidden = true;
      el.replaceChildren();
    },
  };
}

/** Instructions and the typed value on one side, the keypad and the submit button on the other. */
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

/** A busy state on a button while the cabinet works (opening a box takes up to a few seconds). */
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
