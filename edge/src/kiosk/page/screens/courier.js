import { api } from '../api.js';
import { h, SIZES } from '../dom.js';
import { t } from '../i18n.js';
import { icon } from '../icons.js';
import { createEntry } from '../keypad.js';
import { entryLayout, errorBanner, frame } from './common.js';
import { handleStartError } from './failures.js';

const PHONE = /^\+?[0-9]{5,20}$/;
// A scan, not a stray key: at least 6 characters of what the kiosk API takes as a waybill.
const WAYBILL = /^[A-Za-z0-9_-]{6,40}$/;

/**
 * @typedef {'id' | 'pin' | 'recipient' | 'size'} Step
 * @typedef {{ courierId: string, pin: string, size: string | null, recipient: import('../api.js').Recipient | null }} State
 * @typedef {{ el: HTMLElement, alert: ReturnType<typeof errorBanner>, entry?: import('../keypad.js').Entry,
 *   onKey?: (event: KeyboardEvent) => boolean }} StepView
 */

/**
 * Courier deposit in four steps: courier id, PIN, box size, the recipient (phone number on the pad, or
 * the waybill from the scanner, which types like a keyboard, for the cloud to tell them). The credential
 * is checked when the size step asks how many expired parcels wait (and again when the box is asked for); it stays in memory (never storage) so a courier can deposit several parcels in a row.
 * Next to the sizes, "Take back expired parcels (N)" appears when parcels wait for this courier.
 * @param {import('../types').App} app
 * @param {{ step?: Step, state?: State }} params
 * @returns {import('../types').Screen}
 */
export function courierScreen(app, params) {
  /** @type {State} */
  const state = params.state ?? {
    courierId: app.courier?.courierId ?? '',
    pin: app.courier?.pin ?? '',
    size: null,
    recipient: null,
  };
  const holder = h('div', { class: 'steps-holder' });
  /** @type {StepView | null} */
  let step = null;
  /** @type {Step} */
  let at = 'id';

  /** @param {Step} name @param {import('../words.js').ErrorLike} [error] */
  const go = (name, error) => {
    at = name;
    const next = STEPS[name]();
    step = next;
    holder.replaceChildren(next.el);
    if (error) next.alert.show(error);
    /** @type {HTMLElement | null} */ (next.el.querySelector('h1'))?.focus({ preventScroll: true });
  };

  /** @type {Record<Step, () => StepView>} */
  const STEPS = {
    id: () => {
      const alert = errorBanner(app, 'deposit');
      const entry = createEntry({
        id: 'courier-id',
        label: t('courier.idLabel'),
        layout: 'alnum',
        maxLength: 64,
        onSubmit: (v) => {
          state.courierId = v;
          go('pin');
        },
      });
      entry.set(state.courierId);
      const el = frame({
        title: t('courier.title'),
        subtitle: t('courier.step1'),
        back: () => app.home(),
        body: entryLayout(entry, { prompt: t('courier.idLabel'), alert }),
      });
      return { el, alert, entry };
    },
    pin: () => {
      const alert = errorBanner(app, 'deposit');
      const entry = createEntry({
        id: 'courier-pin',
        label: t('courier.pinLabel'),
        mask: true,
        maxLength: 12,
        minLength: 4,
        onSubmit: (v) => {
          state.pin = v;
          go('size');
        },
      });
      const el = frame({
        title: t('courier.title'),
        subtitle: t('courier.step2', { courierId: state.courierId }),
        back: () => go('id'),
        body: entryLayout(entry, { prompt: t('courier.pinLabel'), alert }),
      });
      return { el, alert, entry };
    },
    recipient: () => recipientStep(),
    size: () => sizeStep(),
  };

  /** @param {any} err */
  const credentialRefused = (err) => {
    if (err.code !== 'CREDENTIAL_INVALID' && err.code !== 'CREDENTIAL_EXPIRED') return false;
    app.courier = null;
    state.pin = '';
    go('pin', err);
    return true;
  };

  /** The recipient's phone on the pad, or a waybill number typed by the scanner and ended by Enter. */
  const recipientStep = () => {
    const alert = errorBanner(app, 'deposit');
    let scanned = '';
    let sending = false;
    /** @param {import('../api.js').Recipient} recipient */
    const deposit = async (recipient) => {
      if (sending || !state.size) return;
      sending = true;
      state.recipient = recipient;
      alert.clear();
      entry.submit.disabled = true;
      entry.submit.classList.add('is-busy');
      try {
        const session = await api.deposit(state.courierId, state.pin, state.size, recipient);
        app.courier = { courierId: state.courierId, pin: state.pin };
        app.show('session', { id: session.id, session });
      } catch (err) {
        sending = false;
        if (!credentialRefused(err) && !handleStartError(app, err, alert)) {
          app.refreshCabinet().then(() => go('size', /** @type {any} */ (err)));
        }
      }
    };
    const entry = createEntry({
      id: 'recipient-phone',
      label: t('courier.phoneLabel'),
      submitLabel: t('courier.openBox'),
      maxLength: 20,
      minLength: 5,
      accept: /^[0-9+]$/,
      onSubmit: (v) => {
        if (!PHONE.test(v)) return alert.show({ code: 'PHONE_INVALID' });
        deposit({ phone: v });
      },
    });
    if (state.recipient && 'phone' in state.recipient) entry.set(state.recipient.phone);
    /** @param {string} text */
    const fromScan = (text) => {
      if (!WAYBILL.test(text)) {
        alert.show({ code: 'WAYBILL_INVALID' });
        return true;
      }
      deposit({ waybill: text });
      return true;
    };
    const el = frame({
      title: t('courier.title'),
      subtitle: t('courier.step4'),
      back: () => go('size'),
      body: entryLayout(entry, {
        prompt: t('courier.phoneLabel'),
        alert,
        extra: h('p', { class: 'hint' }, t('courier.waybillHint')),
      }),
    });
    return {
      el,
      alert,
      entry,
      /** @param {KeyboardEvent} event */
      onKey: (event) => {
        if (event.key === 'Enter') {
          const text = scanned;
          scanned = '';
          return /[^0-9+]/.test(text) ? fromScan(text) : entry.key(event);
        }
        if (event.key.length === 1) {
          scanned += event.key;
          if (/[^0-9+]/.test(scanned)) return true;
        } else if (event.key === 'Backspace' || event.key === 'Escape') {
          scanned = '';
        }
        return entry.key(event);
      },
    };
  };

  const sizeStep = () => {
    const alert = errorBanner(app, 'deposit');
    const free = new Map((app.cabinet?.sizes ?? []).map((s) => [s.size, s.free]));
    const offered = SIZES.filter((s) => free.has(/** @type {any} */ (s)));
    /** @param {string} size */
    const anyFrom = (size) =>
      offered.slice(offered.indexOf(size)).some((s) => (free.get(/** @type {any} */ (s)) ?? 0) > 0);
    let sending = false;
    /** @param {string} size */
    const pick = (size) => {
      if (sending) return;
      state.size = size;
      go('recipient');
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
      takeBack.textContent = t('opening');
      try {
        const session = await api.recollect(state.courierId, state.pin);
        app.courier = { courierId: state.courierId, pin: state.pin };
        app.show('session', { id: session.id, session });
      } catch (err) {
        sending = false;
        if (!credentialRefused(err) && !handleStartError(app, err, alert))
          go('size', /** @type {any} */ (err));
      }
    });
    const grid = h(
      'div',
      { class: 'size-grid' },
      offered.map((size) => {
        const n = free.get(/** @type {any} */ (size)) ?? 0;
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
          h('span', { class: 'size-name' }, t(`size.${size}`)),
          h(
            'span',
            { class: 'size-free' },
            n > 0
              ? t('courier.free', { count: n })
              : usable
                ? t('courier.nextSizeUp')
                : t('courier.noneFree'),
          ),
        );
        button.addEventListener('click', () => pick(size));
        return button;
      }),
    );
    const el = frame({
      title: t('courier.title'),
      subtitle: t('courier.step3'),
      back: () => (app.courier ? app.home() : go('pin')),
      backLabel: app.courier ? t('finish') : t('back'),
      body: h('div', { class: 'size-step' }, alert.el, grid, takeBack),
    });
    // Asking checks the PIN, so a wrong one is caught here, before a size is chosen (and counted once).
    api.recollectCount(state.courierId, state.pin).then(
      ({ count }) => {
        if (!holder.contains(el) || count === 0) return;
        takeBack.textContent = t('courier.takeBack', { count });
        takeBack.hidden = false;
      },
      (err) => {
        if (!holder.contains(el) || sending) return;
        // Other failures leave the button away: depositing still works and reports its own errors.
        if (!credentialRefused(err) && err.code === 'CODE_LOCKED_OUT') handleStartError(app, err, alert);
      },
    );
    return { el, alert };
  };

  go(params.step ?? 'id');
  return {
    el: holder,
    idleMs: 60_000,
    onKey: (event) => (step?.onKey ? step.onKey(event) : (step?.entry?.key(event) ?? false)),
    // The step and what was typed survive a language switch; the PIN only once it was accepted.
    snapshot: () => ({ step: at === 'pin' ? 'pin' : at, state }),
  };
}
