import { h } from '../dom.js';
import { errorLook, icon } from '../icons.js';

/** A full-screen message: a failed session, a lockout, a cancellation. The text is the API's own. */
export function messageScreen(app, { error, info, title }) {
  const look = error ? errorLook(error.code) : { icon: 'check', tone: 'info' };
  const el = h(
    'section',
    { class: `panel message message-${look.tone}`, 'data-testid': 'message', 'data-code': error?.code ?? '' },
    h('div', { class: 'message-icon' }, icon(look.icon)),
    h('h1', {}, title ?? (error ? 'Sorry' : 'Done')),
    h(
      'p',
      { class: 'message-text', role: error ? 'alert' : 'status', 'data-testid': 'message-text' },
      error?.message ?? info,
    ),
    h(
      'button',
      { type: 'button', class: 'btn btn-primary', 'data-testid': 'finish', onclick: () => app.home() },
      'Back to start',
    ),
  );
  return { el, idleMs: error ? 30_000 : 8000 };
}
