import { api } from '../api.js';
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { createEntry } from '../keypad.js';
import { busy, entryLayout, errorBanner, frame } from './common.js';
import { handleStartError } from './failures.js';

/**
 * The patent's flow at the cabinet: someone holding a reserved or authorized box (a holder or a grantee)
 * identifies with their user number and the access code the cloud sent them; their box opens.
 * @param {import('../types').App} app
 * @returns {import('../types').Screen}
 */
export function grantScreen(app) {
  const state = { userNo: '' };
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
        body: entryLayout(entry, { prompt: t('grant.userLabel'), alert }),
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
    onKey: (event) => step?.entry?.key(event) ?? false,
  };
}
