import { api } from '../api.js';
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { createEntry } from '../keypad.js';
import { busy, entryLayout, errorBanner, frame } from './common.js';
import { handleStartError } from './failures.js';

/** The shape of a signed grant token (`@locker/protocol` grant-token.ts); the cabinet checks the rest. */
const GRANT_TOKEN = /^LG1\.[A-Za-z0-9_-]{20,800}\.[A-Za-z0-9_-]{86}$/;

/**
 * The patent's flow at the cabinet: someone holding a reserved or authorized box (a holder or a grantee)
 * identifies with their user number and the access code the cloud sent them; their box opens.
 * @param {import('../types').App} app
 * @returns {import('../types').Screen}
 */
export function grantScreen(app) {
  const state = { userNo: '' };
  // A scanner types a signed grant token (ADR 0017) and Enter; it opens the box with no other step.
  let scanned = '';
  let sendingToken = false;
  /** @param {string} token */
  const sendToken = async (token) => {
    if (sendingToken || !step) return;
    sendingToken = true;
    const current = step;
    current.alert.clear();
    try {
      const session = await busy(current.entry.submit, t('opening'), () => api.useGrantToken(token));
      app.show('session', { id: session.id, session });
    } catch (err) {
      handleStartError(app, err, current.alert);
    } finally {
      sendingToken = false;
    }
  };
  const holder = h('div', { class: 'steps-holder' });
  /** @type {{ el: HTMLElement, alert: ReturnType<typeof errorBanner>, entry: import('../keypad.js').Entry } | null} */
  let step = null;

  /** @param {'user' | 'code'} name @param {import('../words.js').ErrorLike} [error] */
  const go = (name, error) => {
    const next = STEPS[name]();
    step = next;
    holder.replaceChildren(next.el);
    if (error) next.alert.show(error);
    /** @type {HTMLElement | null} */ (next.el.querySelector('h1'))?.focus({ preventScroll: true });
  };

  const STEPS = {
    user: () => {
      const alert = errorBanner(app, 'grant');
      const entry = createEntry({
        id: 'grant-user',
        label: t('grant.userLabel'),
        maxLength: 32,
        accept: /^[0-9+]$/,
        onSubmit: (v) => {
          state.userNo = v;
          go('code');
        },
      });
      entry.set(state.userNo);
      const el = frame({
        title: t('grant.title'),
        subtitle: t('grant.step1'),
        back: () => app.home(),
        body: entryLayout(entry, {
          prompt: t('grant.userLabel'),
          alert,
          extra: h('p', { class: 'hint' }, t('grant.qrHint')),
        }),
      });
      return { el, alert, entry };
    },
    /** @param {'digits' | 'alnum'} [layout] */
    code: (layout = 'digits') => {
      const alert = errorBanner(app, 'grant');
      let sending = false;
      const entry = createEntry({
        id: 'grant-code',
        label: t('grant.codeLabel'),
        layout,
        mask: false,
        minLength: 4,
        maxLength: 32,
        accept: /^[0-9A-Za-z]$/,
        submitLabel: t('openMyBox'),
        onSubmit: async (code) => {
          if (sending) return;
          sending = true;
          alert.clear();
          try {
            const session = await busy(entry.submit, t('opening'), () => api.useGrant(state.userNo, code));
            app.show('session', { id: session.id, session });
          } catch (err) {
            entry.set('');
            handleStartError(app, err, alert);
          } finally {
            sending = false;
          }
        },
      });
      const swap = h(
        'button',
        { type: 'button', class: 'btn btn-light btn-small', 'data-testid': 'grant-code-layout' },
        layout === 'digits' ? t('grant.hasLetters') : t('grant.digitsOnly'),
      );
      swap.addEventListener('click', () => {
        const typed = entry.value;
        const next = STEPS.code(layout === 'digits' ? 'alnum' : 'digits');
        next.entry.set(typed);
        step = next;
        holder.replaceChildren(next.el);
      });
      const el = frame({
        title: t('grant.title'),
        subtitle: t('grant.step2', { userNo: state.userNo }),
        back: () => go('user'),
        body: entryLayout(entry, {
          prompt: t('grant.codeLabel'),
          alert,
          extra: h('p', { class: 'hint' }, swap),
        }),
      });
      return { el, alert, entry };
    },
  };

  go('user');
  return {
    el: holder,
    idleMs: 60_000,
    onPaste: (text) => {
      if (!GRANT_TOKEN.test(text.trim())) return false;
      void sendToken(text.trim());
      return true;
    },
    /** Keys go to the entry, and are also collected: a token is only ever typed by a scanner. */
    onKey(event) {
      if (event.key === 'Enter' && GRANT_TOKEN.test(scanned)) {
        const token = scanned;
        scanned = '';
        step?.entry.set('');
        void sendToken(token);
        return true;
      }
      if (event.key.length === 1) {
        scanned = (scanned + event.key).slice(-1000);
        const at = scanned.indexOf('LG1.');
        if (at > 0) scanned = scanned.slice(at);
      } else if (event.key === 'Enter' || event.key === 'Escape' || event.key === 'Backspace') scanned = '';
      if (scanned.startsWith('LG1.')) return true;
      return step?.entry?.key(event) ?? false;
    },
  };
}
