import { api } from '../api.js';
import { h } from '../dom.js';
import { createEntry } from '../keypad.js';
import { busy, entryLayout, errorBanner, frame } from './common.js';
import { handleStartError } from './failures.js';

/**
 * The patent's flow at the cabinet: someone holding a reserved or authorized box (a holder or a grantee)
 * identifies with their user number and the access code the cloud sent them; their box opens.
 */
export function grantScreen(app) {
  const state = { userNo: '' };
  const holder = h('div', { class: 'steps-holder' });
  let step = null;

  const go = (name, error) => {
    step = STEPS[name]();
    holder.replaceChildren(step.el);
    if (error) step.alert.show(error);
    step.el.querySelector('h1')?.focus({ preventScroll: true });
  };

  const STEPS = {
    user: () => {
      const alert = errorBanner();
      const entry = createEntry({
        id: 'grant-user',
        label: 'User number',
        maxLength: 32,
        accept: /^[0-9+]$/,
        onSubmit: (v) => {
          state.userNo = v;
          go('code');
        },
      });
      entry.set(state.userNo);
      const el = frame({
        title: 'Use an authorized box',
        subtitle: 'Step 1 of 2: your user number (usually your phone number)',
        back: () => app.home(),
        body: entryLayout(entry, { prompt: 'User number', alert }),
      });
      return { el, alert, entry };
    },
    code: (layout = 'digits') => {
      const alert = errorBanner();
      let sending = false;
      const entry = createEntry({
        id: 'grant-code',
        label: 'Access code',
        layout,
        mask: false,
        minLength: 4,
        maxLength: 32,
        accept: /^[0-9A-Za-z]$/,
        submitLabel: 'Open my box',
        onSubmit: async (code) => {
          if (sending) return;
          sending = true;
          alert.clear();
          try {
            const session = await busy(entry.submit, 'Opening…', () => api.useGrant(state.userNo, code));
            app.show('session', { id: session.id, session });
          } catch (err) {
            if (err.code === 'CREDENTIAL_INVALID' || err.code === 'CREDENTIAL_EXPIRED') entry.set('');
            handleStartError(app, err, alert);
          } finally {
            sending = false;
          }
        },
      });
      const swap = h(
        'button',
        { type: 'button', class: 'btn btn-light btn-small', 'data-testid': 'grant-code-layout' },
        layout === 'digits' ? 'My code has letters' : 'Digits only',
      );
      swap.addEventListener('click', () => {
        const typed = entry.value;
        const next = STEPS.code(layout === 'digits' ? 'alnum' : 'digits');
        next.entry.set(typed);
        step = next;
        holder.replaceChildren(next.el);
      });
      const el = frame({
        title: 'Use an authorized box',
        subtitle: `Step 2 of 2: the access code sent to ${state.userNo}`,
        back: () => go('user'),
        body: entryLayout(entry, { prompt: 'Access code', alert, extra: h('p', { class: 'hint' }, swap) }),
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
