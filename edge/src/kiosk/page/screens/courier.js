import { api } from '../api.js';
import { h, SIZE_NAMES, SIZES } from '../dom.js';
import { icon } from '../icons.js';
import { createEntry } from '../keypad.js';
import { entryLayout, errorBanner, frame } from './common.js';
import { handleStartError } from './failures.js';

/**
 * Courier deposit in three steps: courier id, PIN, box size. The credential is checked when the box is
 * asked for; it stays in memory (never storage) so a courier can deposit several parcels in a row.
 * Next to the sizes, "Take back expired parcels (N)" appears when parcels wait for this courier.
 */
export function courierScreen(app, params) {
  const state = { courierId: app.courier?.courierId ?? '', pin: app.courier?.pin ?? '' };
  const holder = h('div', { class: 'steps-holder' });
  let step = null;

  const go = (name, error) => {
    step = STEPS[name]();
    holder.replaceChildren(step.el);
    if (error) step.alert?.show(error);
    step.el.querySelector('h1')?.focus({ preventScroll: true });
  };

  const STEPS = {
    id: () => {
      const alert = errorBanner();
      const entry = createEntry({
        id: 'courier-id',
        label: 'Courier ID',
        layout: 'alnum',
        maxLength: 64,
        onSubmit: (v) => {
          state.courierId = v;
          go('pin');
        },
      });
      entry.set(state.courierId);
      const el = frame({
        title: 'Courier deposit',
        subtitle: 'Step 1 of 3: your courier ID',
        back: () => app.home(),
        body: entryLayout(entry, { prompt: 'Courier ID', alert }),
      });
      return { el, alert, entry };
    },
    pin: () => {
      const alert = errorBanner();
      const entry = createEntry({
        id: 'courier-pin',
        label: 'PIN',
        mask: true,
        maxLength: 12,
        minLength: 4,
        onSubmit: (v) => {
          state.pin = v;
          go('size');
        },
      });
      const el = frame({
        title: 'Courier deposit',
        subtitle: `Step 2 of 3: PIN for ${state.courierId}`,
        back: () => go('id'),
        body: entryLayout(entry, { prompt: 'PIN', alert }),
      });
      return { el, alert, entry };
    },
    size: () => {
      const alert = errorBanner();
      const free = new Map((app.cabinet?.sizes ?? []).map((s) => [s.size, s.free]));
      const offered = SIZES.filter((s) => free.has(s));
      const anyFrom = (size) => offered.slice(offered.indexOf(size)).some((s) => (free.get(s) ?? 0) > 0);
      let sending = false;
      const credentialRefused = (err) => {
        if (err.code !== 'CREDENTIAL_INVALID' && err.code !== 'CREDENTIAL_EXPIRED') return false;
        app.courier = null;
        state.pin = '';
        go('pin', err);
        return true;
      };
      const pick = async (size, button) => {
        if (sending) return;
        sending = true;
        alert.clear();
        for (const b of grid.querySelectorAll('button')) b.disabled = true;
        button.classList.add('is-busy');
        button.querySelector('.size-free').textContent = 'Opening…';
        try {
          const session = await api.deposit(state.courierId, state.pin, size);
          app.courier = { courierId: state.courierId, pin: state.pin };
          app.show('session', { id: session.id, session });
        } catch (err) {
          sending = false;
          if (!credentialRefused(err) && !handleStartError(app, err, alert)) {
            app.refreshCabinet().then(() => go('size', err));
          }
        }
      };
      const takeBack = h('button', {
        type: 'button',
        class: 'btn btn-light btn-recollect',
        'data-testid': 'recollect',
        hidden: true,
      });
      takeBack.addEventListener('click', async () => {
        if (sending) return;
        sending = true;
        alert.clear();
        for (const b of [...grid.querySelectorAll('button'), takeBack]) b.disabled = true;
        takeBack.classList.add('is-busy');
        takeBack.textContent = 'Opening…';
        try {
          const session = await api.recollect(state.courierId, state.pin);
          app.courier = { courierId: state.courierId, pin: state.pin };
          app.show('session', { id: session.id, session });
        } catch (err) {
          sending = false;
          if (!credentialRefused(err) && !handleStartError(app, err, alert)) go('size', err);
        }
      });
      const grid = h(
        'div',
        { class: 'size-grid' },
        offered.map((size) => {
          const n = free.get(size) ?? 0;
          const usable = anyFrom(size);
          const button = h(
            'button',
            {
              type: 'button',
              class: `size-choice size-${size}`,
              'data-testid': `size-${size}`,
              disabled: !usable,
            },
            icon('parcel', `size-icon size-icon-${size}`),
            h('span', { class: 'size-name' }, SIZE_NAMES[size]),
            h('span', { class: 'size-free' }, n > 0 ? `${n} free` : usable ? 'next size up' : 'none free'),
          );
          button.addEventListener('click', () => pick(size, button));
          return button;
        }),
      );
      const el = frame({
        title: 'Courier deposit',
        subtitle: 'Step 3 of 3: which box size does the parcel need?',
        back: () => go(app.courier ? 'size' : 'pin'),
        body: h('div', { class: 'size-step' }, alert.el, grid, takeBack),
      });
      // Asking checks the PIN, so a wrong one is caught here, before a size is chosen (and counted once).
      api.recollectCount(state.courierId, state.pin).then(
        ({ count }) => {
          if (!holder.contains(el) || count === 0) return;
          takeBack.textContent = `Take back expired parcels (${count})`;
          takeBack.hidden = false;
        },
        (err) => {
          if (!holder.contains(el) || sending) return;
          // Other failures leave the button away: depositing still works and reports its own errors.
          if (!credentialRefused(err) && err.code === 'CODE_LOCKED_OUT') handleStartError(app, err, alert);
        },
      );
      if (app.courier) {
        // Depositing another parcel: the way back is "finish", not the PIN.
        el.querySelector('[data-testid="back"]')?.remove();
        el.querySelector('.panel-head')?.prepend(
          h(
            'button',
            { type: 'button', class: 'btn btn-back', onclick: () => app.home(), 'data-testid': 'back' },
            'Finish',
          ),
        );
      }
      return { el, alert };
    },
  };

  go(params.step ?? 'id');
  return {
    el: holder,
    idleMs: 60_000,
    onKey: (event) => step?.entry?.key(event) ?? false,
  };
}
