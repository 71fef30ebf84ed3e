import { h } from '../dom.js';
import { has, t } from '../i18n.js';
import { errorLook, icon } from '../icons.js';
import { errorText } from '../words.js';
import { helpLine } from './common.js';

/**
 * A full-screen message: a failed session, a lockout, a wait, a cancellation. An error says whom to
 * call (hotline and cabinet id); a wait counts down in seconds, as the cabinet's limiter keeps it.
 * @param {import('../types').App} app
 * @param {{ error?: import('../words.js').ErrorLike, kind?: string, info?: string, title?: string, infoIcon?: string }} params
 * @returns {import('../types').Screen}
 */
export function messageScreen(app, { error, kind, info, title, infoIcon }) {
  // An info message is a success (a check) unless the caller says otherwise: a cancelled deposit is not one.
  const look = error ? errorLook(error.code) : { icon: infoIcon ?? 'check', tone: 'info' };
  const text = h(
    'p',
    { class: 'message-text', role: error ? 'alert' : 'status', 'data-testid': 'message-text' },
    error ? errorText(error, kind) : (info ?? ''),
  );
  // The wait runs down on the screen; the words are the same as the cabinet's refusal, re-filled.
  const waitMs = error?.code === 'CODE_ENTRY_SLOWED' ? (error.details?.retryAfterMs ?? 0) : 0;
  const waitEnd = Date.now() + waitMs;
  let timer = 0;
  if (error && waitMs > 0) {
    const d = error.details ?? {};
    timer = window.setInterval(() => {
      const left = waitEnd - Date.now();
      if (left <= 0) {
        window.clearInterval(timer);
        text.textContent = t('wait.over');
        return;
      }
      text.textContent = errorText({ ...error, details: { ...d, retryAfterMs: left } }, kind);
    }, 500);
  }
  const el = h(
    'section',
    { class: `panel message message-${look.tone}`, 'data-testid': 'message', 'data-code': error?.code ?? '' },
    h('div', { class: 'message-icon' }, icon(look.icon)),
    h('h1', {}, title ?? headline(error)),
    text,
    error ? helpLine(app) : null,
    h(
      'button',
      { type: 'button', class: 'btn btn-primary', 'data-testid': 'finish', onclick: () => app.home() },
      t('backToStart'),
    ),
  );
  return { el, idleMs: error ? 30_000 : 8000, leave: () => window.clearInterval(timer) };
}

/** @param {import('../words.js').ErrorLike | undefined} error */
function headline(error) {
  if (!error) return t('done');
  return has(`title.${error.code}`) ? t(`title.${error.code}`) : t('sorry');
}
